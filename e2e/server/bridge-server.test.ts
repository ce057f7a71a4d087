import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBridgeServer, type BridgeServer } from './bridge-server';

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
    const events = await fetch(`${bridge.url}/__tailor/events`);
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

describe('bridge server Host check (DNS rebinding)', () => {
  let app: BridgeServer | null = null;
  let dir = '';
  afterEach(async () => {
    await app?.close();
    app = null;
    await rm(dir, { recursive: true, force: true });
  });

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
    dir = await mkdtemp(join(tmpdir(), 'tailor-bridge-'));
    app = await startBridgeServer({ port: PORT, rendererDir: dir, resourcesDir: dir, dataDir: dir });
    expect(await get('/__tailor/health', `localhost:${PORT}`)).toBe(200);
    expect(await get('/__tailor/health', `127.0.0.1:${PORT}`)).toBe(200);
    expect(await get('/__tailor/health', `[::1]:${PORT}`)).toBe(200);
    for (const host of [`evil.example:${PORT}`, 'localhost', `localhost:${PORT + 1}`, `localhost.evil.example:${PORT}`]) {
      expect(await get('/__tailor/health', host), host).toBe(403);
      expect(await get('/__tailor/invoke/app%3Ainfo', host, 'POST'), host).toBe(403);
      expect(await get('/index.html', host), host).toBe(403);
    }
  });
});
