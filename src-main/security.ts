// Security policy shared by the Electron glue and the e2e server, so tests check what ships.

/**
 * Strict CSP: only our own code. 'wasm-unsafe-eval' lets WebAssembly compile (tfjs wasm backend)
 * without allowing JS eval; workers and blobs stay same-origin; no remote anything.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The ML Worker's own policy (a worker takes its CSP from its script's response). It also allows
 * blob: scripts because Emscripten's pthread workers for multi-threaded wasm `importScripts()` the
 * backend from a Blob. The page itself keeps the stricter policy above.
 */
export const WORKER_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "script-src 'self' 'wasm-unsafe-eval'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
);

/** Built worker bundles are named `<name>.worker-<hash>.js` by Vite. */
export function isWorkerScript(path: string): boolean {
  return /\.worker-[\w-]+\.js$/.test(path);
}

/** Cross-origin isolation: required for SharedArrayBuffer, i.e. multi-threaded wasm. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

export function securityHeaders(path = ''): Record<string, string> {
  return {
    'Content-Security-Policy': isWorkerScript(path) ? WORKER_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...ISOLATION_HEADERS,
  };
}

/** The window's web preferences; a test asserts each of these. */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  spellcheck: false,
} as const;

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://tailor`;

/**
 * scheme://host of a URL. Node's URL reports origin "null" for non-special schemes such as app:,
 * while Chromium treats our registered standard scheme as a real origin, so compare these parts.
 */
function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

/** Navigation is allowed only within our own origin (and the dev server in development). */
export function isAllowedNavigation(url: string, devServer?: string): boolean {
  const origin = originOf(url);
  return origin !== null && (origin === APP_ORIGIN || (devServer !== undefined && origin === originOf(devServer)));
}

/**
 * The only requests the window may make (no remote content): our own protocol, devtools, inline
 * data and blobs, and in development the dev server with its hot-reload socket — compared by
 * origin, so http://localhost:51730 is not taken for http://localhost:5173.
 */
export function isAllowedRequest(url: string, devServer?: string): boolean {
  if (url.startsWith(`${APP_ORIGIN}/`) || url.startsWith('devtools:') || url.startsWith('data:') || url.startsWith('blob:')) return true;
  const dev = devServer === undefined ? null : originOf(devServer);
  const origin = originOf(url);
  return dev !== null && origin !== null && (origin === dev || origin === dev.replace(/^http/, 'ws'));
}

/** Only our own top frame may call main: iframes and foreign origins are refused. */
export function isTrustedSender(frameUrl: string | undefined, isTopFrame: boolean, devServer?: string): boolean {
  return !!frameUrl && isTopFrame && isAllowedNavigation(frameUrl, devServer);
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.bin': 'application/octet-stream',
};

export function mimeType(path: string): string {
  const dot = path.lastIndexOf('.');
  return (dot >= 0 && MIME[path.slice(dot).toLowerCase()]) || 'application/octet-stream';
}
