// Streaming download to a file, committed only when complete and checksummed: bytes go to a temp
// file beside the target (hashed on the way), and the rename to `dest` is the commit point, so the
// cache never holds a partial or corrupt file. Network failures are retried with backoff; a
// checksum mismatch or an HTTP 4xx is not (the same bytes would come back).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname } from 'node:path';
import { renameWithRetry } from './atomic';
import { tempName } from './temp-names';
import { TailorError, fsError } from './errors';

export type FetchFn = typeof fetch;

export interface DownloadRequest {
  url: string;
  dest: string;
  /** Expected MD5 of the whole file (hex); a mismatch fails without retrying. */
  md5?: string;
  maxBytes?: number;
  signal?: AbortSignal;
  fetch?: FetchFn;
  onProgress?: (received: number, total: number) => void;
  /** Wait before each retry; its length is the number of retries. */
  retryDelaysMs?: readonly number[];
  /** Abort an attempt when no bytes arrive for this long. */
  stallMs?: number;
}

export interface Downloaded {
  path: string;
  bytes: number;
  md5: string;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 4_000];
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_STALL_MS = 30_000;
/** Failures to open a connection at all: the machine is most likely offline. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** A failure worth another attempt (connection refused, reset, 5xx, stall). */
class TransientError extends TailorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('network', message, options);
  }
}

function size(n: number): string {
  if (n < 1024) return `${n} bytes`;
  return n < 2 ** 20 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 2 ** 20).toFixed(1)} MB`;
}

function errnoCode(err: unknown): string | undefined {
  // undici wraps the socket error: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }).
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

export async function downloadFile(req: DownloadRequest): Promise<Downloaded> {
  const delays = req.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(req);
    } catch (err) {
      if (!(err instanceof TransientError) || attempt >= delays.length) throw err;
      await sleep(delays[attempt] ?? 0, req.signal);
    }
  }
}

/** Redirects followed before a download is called a redirect loop. */
export const MAX_REDIRECTS = 10;

interface Attempt {
  req: DownloadRequest;
  host: string;
  file: string;
  signal: AbortSignal;
  /** Restarts the stall timer: called whenever bytes arrive. */
  alive: () => void;
  connected: boolean;
  received: number;
  total: number;
}

async function attemptOnce(req: DownloadRequest): Promise<Downloaded> {
  const url = new URL(req.url);
  const stallMs = req.stallMs ?? DEFAULT_STALL_MS;
  if (req.signal?.aborted) throw cancelled();
  const stall = new AbortController();
  let timer = setTimeout(() => stall.abort(), stallMs);
  const a: Attempt = {
    req,
    host: url.host,
    file: basename(url.pathname) || req.url,
    signal: req.signal ? AbortSignal.any([req.signal, stall.signal]) : stall.signal,
    alive: () => {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(), stallMs);
    },
    connected: false,
    received: 0,
    total: 0,
  };
  const tmp = tempName(req.dest);
  try {
    const res = await connect(a);
    const md5 = await saveBody(a, res, tmp);
    await onDisk(a, () => renameWithRetry(tmp, req.dest));
    return { path: req.dest, bytes: a.received, md5 };
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw failure(a, err, stall.signal.aborted, stallMs);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fetches, following redirects itself (at most MAX_REDIRECTS, http and https only) so that a loop
 * or a redirect to file:// is named as such instead of surfacing as "are you offline?".
 */
async function connect(a: Attempt): Promise<Response> {
  let url = a.req.url;
  const visited = new Set<string>([url]);
  for (let hops = 0; ; hops++) {
    const res = await (a.req.fetch ?? fetch)(url, { signal: a.signal, redirect: 'manual', headers: { 'accept-encoding': 'identity' } });
    a.alive();
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    if (location === null) {
      a.connected = true;
      return checkResponse(a, res);
    }
    await res.body?.cancel().catch(() => undefined);
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new TailorError('network', `${a.host} redirected ${a.file} to ${next.href.slice(0, 120)}: Tailor only follows http and https links`);
    }
    if (visited.has(next.href) || hops >= MAX_REDIRECTS) {
      throw new TailorError('network', `${a.host} redirected ${a.file} in a loop (${hops + 1} redirects): the server is misconfigured`);
    }
    visited.add(next.href);
    url = next.href;
  }
}

function checkResponse(a: Attempt, res: Response): Response {
  if (!res.ok || !res.body) {
    void res.body?.cancel().catch(() => undefined);
    const msg = `${a.host} answered ${res.status} ${res.statusText} for ${a.file}`.trim();
    if (res.status >= 500 || res.status === 408 || res.status === 429) throw new TransientError(msg);
    throw new TailorError('network', msg);
  }
  const maxBytes = a.req.maxBytes ?? DEFAULT_MAX_BYTES;
  a.total = Number(res.headers.get('content-length')) || 0;
  if (a.total > maxBytes) {
    void res.body.cancel().catch(() => undefined);
    throw new TailorError('network', `${a.file} is ${size(a.total)}, more than the ${size(maxBytes)} allowed`);
  }
  return res;
}

/** Streams the body into `tmp`, hashing it; returns its MD5 once it is complete, synced and as expected. */
async function saveBody(a: Attempt, res: Response, tmp: string): Promise<string> {
  const maxBytes = a.req.maxBytes ?? DEFAULT_MAX_BYTES;
  const handle = await onDisk(a, async () => {
    await fs.mkdir(dirname(a.req.dest), { recursive: true });
    return fs.open(tmp, 'wx');
  });
  try {
    const hash = createHash('md5');
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      a.alive();
      a.received += chunk.byteLength;
      if (a.received > maxBytes) throw new TailorError('network', `${a.file} is larger than the ${size(maxBytes)} allowed`);
      hash.update(chunk);
      await onDisk(a, () => handle.write(chunk));
      a.req.onProgress?.(a.received, a.total);
    }
    if (a.total && a.received !== a.total) {
      throw new TransientError(`The connection to ${a.host} dropped after ${size(a.received)} of ${size(a.total)} (${a.file})`);
    }
    await onDisk(a, () => handle.sync());
    const md5 = hash.digest('hex');
    const expected = a.req.md5?.toLowerCase();
    if (expected && md5 !== expected) throw new TailorError('corrupt', `${a.file} from ${a.host} is damaged: its MD5 is ${md5}, expected ${expected}`);
    return md5;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A failure of the local disk (full, read-only, no permission) is an 'io' error: never retried as a network one. */
async function onDisk<T>(a: Attempt, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw fsError(err, `Saving ${a.file}`);
  }
}

/** What a failed attempt is: cancelled, a TailorError as thrown, or a network failure worth retrying. */
function failure(a: Attempt, err: unknown, stalled: boolean, stallMs: number): unknown {
  if (a.req.signal?.aborted) return cancelled();
  if (err instanceof TailorError) return err;
  if (stalled) {
    const wait = stallMs >= 1000 ? `${Math.round(stallMs / 1000)} s` : `${stallMs} ms`;
    return new TransientError(`The download from ${a.host} stalled: no data for ${wait}`, { cause: err });
  }
  const code = errnoCode(err);
  if (!a.connected && (code === undefined || UNREACHABLE.has(code))) {
    return new TransientError(`Could not reach ${a.host}: are you offline?`, { cause: err });
  }
  const where = a.connected ? ` after ${size(a.received)}${a.total ? ` of ${size(a.total)}` : ''}` : '';
  return new TransientError(`The connection to ${a.host} dropped${where} (${a.file})`, { cause: err });
}

function cancelled(): TailorError {
  return new TailorError('cancelled', 'Download cancelled');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelled());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
