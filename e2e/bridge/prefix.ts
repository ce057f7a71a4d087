/** Where the e2e server answers the contract over HTTP: the only place this path is written. */
export const BRIDGE_PREFIX = '/__tailor';
