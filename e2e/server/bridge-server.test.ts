import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBridgeServer, type BridgeServer } from './bridge-server';
import { BRIDGE_PREFIX } from '../bridge/prefix';

const PORT = 4796;

/** A socket that has connected and sent nothing, as a browser's speculative preconnect does. */
async function silentSocket(): Promise<void> {
  const socket = connect(PORT, '127.0.0.1');
  await new Promise((ok, fail) => socket.once('connect', ok).once('error', fail));
}

describe('bridge server close()', () => {
  let app: BridgeServer | null = null;
  let dir = '';

  afterEach(async () => {
    app?.server.closeAllConnections();
    app?.server.close();
    app = null;
    await rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<BridgeServer> {
    dir = await mkdtemp(join(tmpdir(), 'tailor-bridge-'));
    app = await startBridgeServer({ port: PORT, rendererDir: dir, resourcesDir: dir, dataDir: dir });
    return app;
  }

  it('returns at once with a preconnected socket and an open event stream, which server.close() alone waits on for ever', async () => {
    const bridge = await start();
    await silentSocket();
    const events = await fetch(`${bridge.url}${BRIDGE_PREFIX}/events`);
    const reader = events.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('connected');

    // What a plain server.close() does: still waiting 1 s later.
    let plainClosed = false;
    bridge.server.close(() => (plainClosed = true));
    await new Promise((ok) => setTimeout(ok, 1000));
    expect(plainClosed).toBe(false);

    const hung = new Promise<string>((ok) => setTimeout(() => ok('still open after 10 s'), 10_000).unref());
    expect(await Promise.race([bridge.close().then(() => 'closed'), hung])).toBe('closed');
    expect(plainClosed).toBe(true);
    // The event stream ended rather than hanging.
    while (!(await reader.read().catch(() => ({ done: true }))).done);
  });
});

/** A server on a fresh temp folder (with `files` in its renderer folder), stopped after each test. */
let served: BridgeServer | null = null;
let servedDir = '';
async function serve(files: Record<string, string> = {}): Promise<BridgeServer> {
  servedDir = await mkdtemp(join(tmpdir(), 'tailor-bridge-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(servedDir, name), text);
  served = await startBridgeServer({ port: PORT, rendererDir: servedDir, resourcesDir: servedDir, dataDir: servedDir });
  return served;
}
afterEach(async () => {
  await served?.close();
  served = null;
  if (servedDir) await rm(servedDir, { recursive: true, force: true });
  servedDir = '';
});

describe('bridge server Host check (DNS rebinding)', () => {
  /** A raw request with the Host header a browser sends after a rebinding attack (fetch cannot set Host). */
  function get(path: string, host: string, method = 'GET'): Promise<number> {
    return new Promise((ok, fail) => {
      const req = request({ host: '127.0.0.1', port: PORT, path, method, headers: { host } }, (res) => {
        res.resume();
        ok(res.statusCode ?? 0);
      });
      req.on('error', fail).end();
    });
  }

  it('serves only requests addressed to a loopback name on its port', async () => {
    await serve();
    expect(await get(`${BRIDGE_PREFIX}/health`, `localhost:${PORT}`)).toBe(200);
    expect(await get(`${BRIDGE_PREFIX}/health`, `127.0.0.1:${PORT}`)).toBe(200);
    expect(await get(`${BRIDGE_PREFIX}/health`, `[::1]:${PORT}`)).toBe(200);
    for (const host of [`evil.example:${PORT}`, 'localhost', `localhost:${PORT + 1}`, `localhost.evil.example:${PORT}`]) {
      expect(await get(`${BRIDGE_PREFIX}/health`, host), host).toBe(403);
      expect(await get(`${BRIDGE_PREFIX}/invoke/app%3Ainfo`, host, 'POST'), host).toBe(403);
      expect(await get('/index.html', host), host).toBe(403);
    }
  });
});

describe('bridge server gives the page its transport', () => {
  it('adds the HTTP transport to index.html before the app script, and serves it as a module', async () => {
    const app = await serve({ 'index.html': '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body></body></html>' });
    const page = await (await fetch(`${app.url}/`)).text();
    const bridgeAt = page.indexOf(`<script type="module" src="${BRIDGE_PREFIX}/bridge.js">`);
    expect(bridgeAt).toBeGreaterThan(0);
    expect(bridgeAt).toBeLessThan(page.indexOf('./assets/app.js'));

    const script = await fetch(`${app.url}${BRIDGE_PREFIX}/bridge.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript');
    const code = await script.text();
    // One bundle: the transport with the codec, nothing left to import.
    expect(code).toContain(BRIDGE_PREFIX);
    expect(code).toContain('/invoke/');
    expect(code).not.toMatch(/^import /m);
  });
});
