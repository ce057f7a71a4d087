// Where the tests find a browser: $CHROMIUM_PATH, else Debian's /usr/bin/chromium
// (`npx playwright install` cannot download browsers on the build machines).
import { existsSync } from 'node:fs';

export function chromiumPath(): string | undefined {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

/** WebGPU needs --enable-unsafe-webgpu on Linux (it then offers the SwiftShader adapter headless). */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
