// The renderer's contract over HTTP, for tests in Chromium: the built renderer is served with the
// app's CSP and isolation headers, and every call goes through the same `dispatch` and services as
// Electron's ipcMain. Only the transport differs: where Electron's preload gives the page
// window.tailor, this server adds the HTTP transport to the page (e2e/bridge/inject.ts, bundled
// here), so the app's own bundle carries no transport but the preload's.
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { decode, encode } from '../../src-shared/codec';
import type { EventName, Events, Result } from '../../src-shared/contract';
import { MAX_REQUEST_BYTES, dispatch, type Services } from '../../src-main/api';
import { createServices } from '../../src-main/services/create';
import { serveStatic } from '../../src-main/services/static-files';
import { WORKER_CONTENT_SECURITY_POLICY, securityHeaders } from '../../src-main/security';
import { BRIDGE_PREFIX as PREFIX } from '../bridge/prefix';

/** The page's transport script, served at this path and loaded before the app's own script. */
const BRIDGE_SCRIPT = `${PREFIX}/bridge.js`;

/** inject.ts as one ES module (esbuild, which Vite already brings); built once per server. */
async function bundleBridge(): Promise<Uint8Array> {
  const out = await build({
    entryPoints: [join(import.meta.dirname, '../bridge/inject.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  return out.outputFiles[0]!.contents;
}

/**
 * The app's index.html with the transport script first: module scripts run in document order, so
 * window.tailor is there before the app looks for it.
 */
export function withBridgeScript(html: string): string {
  const at = html.indexOf('<script');
  if (at < 0) throw new Error('index.html has no <script> to load the bridge before');
  return `${html.slice(0, at)}<script type="module" src="${BRIDGE_SCRIPT}"></script>\n    ${html.slice(at)}`;
}

export interface BridgeServerOptions {
  port: number;
  rendererDir: string;
  /** Test-only harness pages (e2e/harness), served under /__test/. */
  harnessDir?: string;
  resourcesDir: string;
  dataDir?: string;
  systemDatasetDirs?: string[];
}

async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/**
 * DNS rebinding: a page on evil.example whose name is made to resolve to 127.0.0.1 reaches this
 * server as its own origin (so the same-origin check passes), but its requests carry
 * `Host: evil.example:<port>`. Only the loopback names are served.
 */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host !== undefined && [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

/** Same-origin only, as main refuses foreign frames: a page elsewhere cannot drive the services. */
function isSameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = req.headers.origin;
  return origin === undefined || origin === `http://${req.headers.host}`;
}

/** One call over HTTP: the body is the codec-encoded argument list (null: over the size limit). */
async function invoke(services: Services, channel: string, body: Uint8Array | null): Promise<Result<unknown>> {
  if (!body) return { ok: false, error: { code: 'invalid-argument', message: 'Request too large' } };
  let args: unknown;
  try {
    args = decode(body);
  } catch {
    args = undefined; // refused by dispatch's validation, with the channel named
  }
  return dispatch(services, channel, args);
}

export interface BridgeServer {
  server: Server;
  dataDir: string;
  url: string;
  /**
   * Stops the server now. `server.close()` alone waits for every connection to end, and once it
   * is called nothing times out a socket the browser opened ahead of need (a preconnect that
   * sends nothing) or an event stream: a test awaiting it hung for its whole timeout in CI.
   * Open connections are cut instead.
   */
  close: () => Promise<void>;
}

export async function startBridgeServer(opts: BridgeServerOptions): Promise<BridgeServer> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'tailor-e2e-')));
  const sse = new Set<ServerResponse>();
  let exportCount = 0;
  let bridgeScript: Promise<Uint8Array> | null = null;
  let port = opts.port;
  const services = createServices({
    dataDir,
    resourcesDir: opts.resourcesDir,
    emit: <E extends EventName>(event: E, payload: Events[E]) => {
      const line = `data: ${JSON.stringify({ event, payload })}\n\n`;
      for (const res of sse) res.write(line);
    },
    // Stands in for the OS folder dialog: each export goes to a fresh folder under the data dir.
    pickFolder: async () => {
      const folder = join(dataDir, 'exports', String(++exportCount));
      await mkdir(folder, { recursive: true });
      return folder;
    },
    info: { name: 'Tailor', version: '0.1.0', shell: 'web', versions: { node: process.versions.node } },
    ...(opts.systemDatasetDirs ? { systemDatasetDirs: opts.systemDatasetDirs } : {}),
  });

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!isLoopbackHost(req.headers.host, port)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('unknown host');
      return;
    }
    try {
      if (url.pathname === `${PREFIX}/health`) {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      } else if (url.pathname === `${PREFIX}/events`) {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
        res.write(': connected\n\n');
        sse.add(res);
        req.on('close', () => sse.delete(res));
      } else if (url.pathname.startsWith(`${PREFIX}/invoke/`) && req.method === 'POST') {
        if (!isSameOrigin(req)) {
          res.writeHead(403).end('foreign origin');
          return;
        }
        const channel = decodeURIComponent(url.pathname.slice(`${PREFIX}/invoke/`.length));
        const result = await invoke(services, channel, await readBody(req, MAX_REQUEST_BYTES));
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(encode(result));
      } else if (opts.harnessDir && url.pathname.startsWith('/__test/')) {
        // Harness pages run tfjs on the page itself, so they get the worker policy (wasm pthreads).
        const file = await serveStatic(opts.harnessDir, url.pathname.slice('/__test'.length));
        res.writeHead(file.status, { ...file.headers, 'Content-Security-Policy': WORKER_CONTENT_SECURITY_POLICY }).end(file.body);
      } else if (url.pathname === BRIDGE_SCRIPT) {
        bridgeScript ??= bundleBridge();
        const script = await bridgeScript;
        res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-cache', ...securityHeaders() }).end(script);
      } else {
        const file = await serveStatic(opts.rendererDir, url.pathname);
        const page = file.status === 200 && file.headers['Content-Type']?.startsWith('text/html');
        res.writeHead(file.status, file.headers).end(page ? withBridgeScript(new TextDecoder().decode(file.body as Uint8Array)) : file.body);
      }
    } catch (err) {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    }
  });
  await new Promise<void>((ok) => server.listen(opts.port, '127.0.0.1', ok));
  // Port 0 asks the OS for a free one, so two test runs on one machine never collide.
  port = (server.address() as AddressInfo).port;
  const close = (): Promise<void> =>
    new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections(); // event streams included
    });
  return { server, dataDir, url: `http://localhost:${port}`, close };
}

// `tsx e2e/server/bridge-server.ts [port]` runs it for Playwright's webServer.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const port = Number(process.argv[2] ?? process.env['TAILOR_E2E_PORT'] ?? 4780);
  const root = resolve(import.meta.dirname, '../..');
  const { dataDir, url } = await startBridgeServer({
    port,
    rendererDir: join(root, 'out/renderer'),
    harnessDir: join(root, 'test-results/harness'),
    resourcesDir: join(root, 'resources'),
    ...(process.env['TAILOR_E2E_DATA'] ? { dataDir: process.env['TAILOR_E2E_DATA'] } : {}),
  });
  console.log(`Tailor bridge server on ${url} (data in ${dataDir})`);
}
