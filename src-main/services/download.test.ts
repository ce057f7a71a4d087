import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promises as fs } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DownloadProgress, PartName } from '../../src-shared/types/dataset';
import { DatasetStore } from './datasets';
import { downloadFile } from './download';
import { tinyDataset } from './idx-fixtures';

const tiny = tinyDataset();
const byFile = new Map<string, Uint8Array>(
  (Object.keys(tiny.zipped) as PartName[]).map((p) => [tiny.entry.parts[p].file, tiny.zipped[p]]),
);
const TRAIN_IMAGES = tiny.entry.parts.trainImages.file;

// Routes: /<mode>/<file>. good: the file; corrupt: train images with a flipped byte; drop: half the
// body then a reset; flaky: drop on the first request only; hang: half the body, then nothing.
let server: Server;
let base: string;
const hits = new Map<string, number>();

function serve(res: ServerResponse, bytes: Uint8Array, how: 'all' | 'drop' | 'hang'): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
  if (how === 'all') return void res.end(bytes);
  res.write(bytes.subarray(0, bytes.length >> 1));
  if (how === 'drop') setTimeout(() => res.socket?.destroy(), 20);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const [, mode = '', file = ''] = (req.url ?? '').split('/');
    const key = `${mode}/${file}`;
    hits.set(key, (hits.get(key) ?? 0) + 1);
    if (mode === 'loop') return void res.writeHead(302, { location: `/loop/${file}` }).end();
    if (mode === 'tofile') return void res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    if (mode === 'moved') return void res.writeHead(301, { location: `/hop/${file}` }).end();
    if (mode === 'hop') return void res.writeHead(307, { location: `/good/${file}` }).end();
    const bytes = byFile.get(file);
    if (!bytes || mode === 'missing') return void res.writeHead(404).end();
    if (mode === 'corrupt' && file === TRAIN_IMAGES) {
      const bad = bytes.slice();
      bad[bad.length >> 1]! ^= 0xff;
      return serve(res, bad, 'all');
    }
    if (mode === 'drop' || (mode === 'flaky' && hits.get(key) === 1)) return serve(res, bytes, 'drop');
    if (mode === 'hang' && file === TRAIN_IMAGES) return serve(res, bytes, 'hang');
    serve(res, bytes, 'all');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let tmp: string;
let root: string;
let events: DownloadProgress[];
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tailor-download-'));
  root = join(tmp, 'datasets');
  events = [];
  hits.clear();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(tmp, { recursive: true, force: true });
});

function store(mode: string, opts: { systemDirs?: string[]; baseUrl?: string; onEvent?: (e: DownloadProgress) => void } = {}) {
  return new DatasetStore({
    root,
    systemDirs: opts.systemDirs ?? [],
    catalog: [tiny.entry],
    baseUrl: opts.baseUrl ?? `${base}/${mode}/`,
    retryDelaysMs: [5, 5],
    emit: (_name, payload) => {
      events.push(payload);
      opts.onEvent?.(payload);
    },
  });
}

/** Every file under the store's root, relative to it. */
async function filesUnder(dir = root): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))).sort();
}

describe('DatasetStore.download', () => {
  it('downloads, verifies and caches all four files with progress', async () => {
    const s = store('good');
    expect((await s.status('tiny')).downloadable).toBe(true);
    const status = await s.download('tiny');
    expect(status).toMatchObject({ ready: true, downloading: false, trainCount: 30, testCount: 12 });
    expect(status.files.map((f) => [f.source, f.md5])).toEqual(
      (['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const).map((p) => ['cache', tiny.entry.parts[p].md5]),
    );

    expect(events.every((e) => e.id === 'tiny')).toBe(true);
    const fractions = events.map((e) => e.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b)); // never goes backwards
    expect(events.at(-1)).toMatchObject({ state: 'done', fraction: 1 });
    for (const [part, bytes] of Object.entries(tiny.zipped)) {
      expect(events).toContainEqual(expect.objectContaining({ part, state: 'running', received: bytes.length, total: bytes.length }));
    }
    expect(await filesUnder()).toEqual([
      'tiny/manifest.json',
      'tiny/t10k-images-idx3-ubyte',
      'tiny/t10k-labels-idx1-ubyte',
      'tiny/train-images-idx3-ubyte',
      'tiny/train-labels-idx1-ubyte',
    ]);
    const p = await s.load('tiny');
    expect(Buffer.compare(p.train.images, tiny.raw.trainImages.subarray(16))).toBe(0);
  });

  it('only fetches what the system copy lacks, and joins a second call to the running download', async () => {
    const system = join(tmp, 'system');
    await mkdir(system);
    await writeFile(join(system, TRAIN_IMAGES), tiny.zipped.trainImages);
    await writeFile(join(system, tiny.entry.parts.trainLabels.file), tiny.zipped.trainLabels);
    const s = store('good', { systemDirs: [system] });
    const [a, b] = await Promise.all([s.download('tiny'), s.download('tiny')]);
    expect(a).toEqual(b);
    expect(a.ready).toBe(true);
    expect([...hits.keys()].sort()).toEqual(['good/t10k-images-idx3-ubyte.gz', 'good/t10k-labels-idx1-ubyte.gz']);
    expect([...hits.values()]).toEqual([1, 1]);
  });

  it('rejects a corrupted file without retrying and caches nothing for it', async () => {
    const s = store('corrupt');
    const err = await s.download('tiny').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'corrupt' });
    expect((err as Error).message).toMatch(
      new RegExp(`^${TRAIN_IMAGES} from 127\\.0\\.0\\.1:\\d+ is damaged: its MD5 is [0-9a-f]{32}, expected ${tiny.entry.parts.trainImages.md5}$`),
    );
    expect(hits.get(`corrupt/${TRAIN_IMAGES}`)).toBe(1);
    expect(events.at(-1)).toMatchObject({ state: 'failed', part: 'trainImages', message: (err as Error).message });
    expect(await filesUnder()).toEqual([]);
    expect((await s.status('tiny')).downloading).toBe(false);
  });

  it('retries a dropped connection a bounded number of times, then fails with no partial file', async () => {
    const s = store('drop');
    await expect(s.download('tiny')).rejects.toMatchObject({
      code: 'network',
      message: expect.stringMatching(new RegExp(`^The connection to 127\\.0\\.0\\.1:\\d+ dropped after \\d+ bytes`)),
    });
    expect(hits.get(`drop/${TRAIN_IMAGES}`)).toBe(3); // first try + two retries
    expect(events.at(-1)?.state).toBe('failed');
    expect(await filesUnder()).toEqual([]);
  });

  it('recovers when a retry succeeds', async () => {
    const status = await store('flaky').download('tiny');
    expect(status.ready).toBe(true);
    expect(hits.get(`flaky/${TRAIN_IMAGES}`)).toBe(2);
  });

  it('cancels mid-file and leaves no partial file', async () => {
    let s: DatasetStore;
    const cancelled: Promise<boolean>[] = [];
    s = store('hang', {
      onEvent: (e) => {
        if (e.state === 'running' && cancelled.length === 0) cancelled.push(s.cancelDownload('tiny'));
      },
    });
    await expect(s.download('tiny')).rejects.toMatchObject({ code: 'cancelled', message: 'Download cancelled' });
    expect(await cancelled[0]).toBe(true);
    expect(await s.cancelDownload('tiny')).toBe(false);
    expect(events.at(-1)).toMatchObject({ state: 'cancelled', part: 'trainImages', message: 'Download cancelled' });
    expect(hits.get(`hang/${TRAIN_IMAGES}`)).toBe(1);
    expect(await filesUnder()).toEqual([]);
  });

  it('says the host is unreachable when nothing listens (offline)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const s = store('', { baseUrl: `http://127.0.0.1:${port}/` });
    await expect(s.download('tiny')).rejects.toMatchObject({
      code: 'network',
      message: `Could not reach 127.0.0.1:${port}: are you offline?`,
    });
    expect(events).toEqual([
      expect.objectContaining({ state: 'failed', fraction: 0, message: `Could not reach 127.0.0.1:${port}: are you offline?` }),
    ]);
    expect(await filesUnder()).toEqual([]);
  });

  it('reports an HTTP error without retrying', async () => {
    const s = store('missing');
    await expect(s.download('tiny')).rejects.toMatchObject({
      code: 'network',
      message: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:\\d+ answered 404 Not Found for ${TRAIN_IMAGES}$`)),
    });
    expect(hits.get(`missing/${TRAIN_IMAGES}`)).toBe(1);
  });

  it('follows ordinary redirects', async () => {
    expect((await store('moved').download('tiny')).ready).toBe(true);
    expect(hits.get(`hop/${TRAIN_IMAGES}`)).toBe(1);
  });

  it('names a redirect loop, without retrying', async () => {
    await expect(store('loop').download('tiny')).rejects.toMatchObject({
      code: 'network',
      message: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:\\d+ redirected ${TRAIN_IMAGES} in a loop \\(1 redirects\\): the server is misconfigured$`)),
    });
    expect(hits.get(`loop/${TRAIN_IMAGES}`)).toBe(1); // it points back at itself: seen once is enough
  });

  it('refuses a redirect to file:// (or any scheme but http and https), without retrying', async () => {
    await expect(store('tofile').download('tiny')).rejects.toMatchObject({
      code: 'network',
      message: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:\\d+ redirected ${TRAIN_IMAGES} to file:///etc/passwd: Tailor only follows http and https links$`)),
    });
    expect(hits.get(`tofile/${TRAIN_IMAGES}`)).toBe(1);
    expect(await filesUnder()).toEqual([]);
  });

  it('says the disk is full (io), without retrying it as a dropped connection', async () => {
    const realOpen = fs.open.bind(fs);
    vi.spyOn(fs, 'open').mockImplementation(async (path, flags, mode) => {
      const handle = await realOpen(path, flags, mode);
      if (String(path).includes('.tmp-') && flags === 'wx') {
        handle.write = (async () => {
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }) as typeof handle.write;
      }
      return handle;
    });
    const s = store('good');
    await expect(s.download('tiny')).rejects.toMatchObject({ code: 'io', message: `Saving ${TRAIN_IMAGES}: the disk is full` });
    expect(hits.get(`good/${TRAIN_IMAGES}`)).toBe(1);
    expect(events.at(-1)).toMatchObject({ state: 'failed', message: `Saving ${TRAIN_IMAGES}: the disk is full` });
    vi.restoreAllMocks();
    expect(await filesUnder()).toEqual([]);
  });

  it('refuses datasets that have no download location', async () => {
    const s = new DatasetStore({ root, systemDirs: [], catalog: [tiny.entry], emit: () => undefined });
    await expect(s.download('tiny')).rejects.toMatchObject({
      code: 'invalid-argument',
      message: 'Tiny has no download location: import its files instead',
    });
  });
});

describe('downloadFile', () => {
  it('enforces the size cap and leaves no file behind', async () => {
    const dest = join(tmp, 'out', 'file.gz');
    await mkdir(join(tmp, 'out'));
    await expect(
      downloadFile({ url: `${base}/good/${TRAIN_IMAGES}`, dest, maxBytes: 10, retryDelaysMs: [] }),
    ).rejects.toThrow(`${TRAIN_IMAGES} is ${tiny.zipped.trainImages.length} bytes, more than the 10 bytes allowed`);
    expect(await readdir(join(tmp, 'out'))).toEqual([]);
  });

  it('aborts a stalled transfer and retries it', async () => {
    const dest = join(tmp, 'stall.gz');
    await expect(
      downloadFile({ url: `${base}/hang/${TRAIN_IMAGES}`, dest, stallMs: 100, retryDelaysMs: [5] }),
    ).rejects.toThrow(/^The download from 127\.0\.0\.1:\d+ stalled: no data for 100 ms$/);
    expect(hits.get(`hang/${TRAIN_IMAGES}`)).toBe(2);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('uses an injected fetch and reports progress', async () => {
    const body = new Uint8Array([1, 2, 3, 4, 5]);
    const calls: string[] = [];
    const progress: number[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response(body, { headers: { 'content-length': '5' } });
    };
    const got = await downloadFile({
      url: 'https://example.invalid/x.bin',
      dest: join(tmp, 'x.bin'),
      fetch: fakeFetch,
      md5: '7cfdd07889b3295d6a550914ab35e068',
      onProgress: (r) => progress.push(r),
    });
    expect(got).toEqual({ path: join(tmp, 'x.bin'), bytes: 5, md5: '7cfdd07889b3295d6a550914ab35e068' });
    expect(calls).toEqual(['https://example.invalid/x.bin']);
    expect(progress.at(-1)).toBe(5);
  });
});
