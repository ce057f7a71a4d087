// Streaming download to a file, committed only when complete and checksummed: bytes go to a temp
// file beside the target (hashed on the way), and the rename to `dest` is the commit point, so the
// cache never holds a partial or corrupt file. Network failures are retried with backoff; a
// checksum mismatch or an HTTP 4xx is not (the same bytes would come back).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname } from 'node:path';
import { renameWithRetry } from './atomic';
import { tempName } from './temp-names';
import { TailorError } from './errors';

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

async function attemptOnce(req: DownloadRequest): Promise<Downloaded> {
  const { host } = new URL(req.url);
  const file = basename(new URL(req.url).pathname) || req.url;
  const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
  const stallMs = req.stallMs ?? DEFAULT_STALL_MS;
  if (req.signal?.aborted) throw cancelled();

  const stall = new AbortController();
  const signal = req.signal ? AbortSignal.any([req.signal, stall.signal]) : stall.signal;
  let timer = setTimeout(() => stall.abort(), stallMs);
  const alive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), stallMs);
  };

  let received = 0;
  let total = 0;
  let connected = false;
  const tmp = tempName(req.dest);
  let handle: fs.FileHandle | undefined;
  try {
    const res = await (req.fetch ?? fetch)(req.url, { signal, headers: { 'accept-encoding': 'identity' } });
    connected = true;
    alive();
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      const msg = `${host} answered ${res.status} ${res.statusText} for ${file}`.trim();
      if (res.status >= 500 || res.status === 408 || res.status === 429) throw new TransientError(msg);
      throw new TailorError('network', msg);
    }
    total = Number(res.headers.get('content-length')) || 0;
    if (total > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw new TailorError('network', `${file} is ${size(total)}, more than the ${size(maxBytes)} allowed`);
    }
    await fs.mkdir(dirname(req.dest), { recursive: true });
    handle = await fs.open(tmp, 'wx');
    const hash = createHash('md5');
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      alive();
      received += chunk.byteLength;
      if (received > maxBytes) throw new TailorError('network', `${file} is larger than the ${size(maxBytes)} allowed`);
      hash.update(chunk);
      await handle.write(chunk);
      req.onProgress?.(received, total);
    }
    if (total && received !== total) {
      throw new TransientError(`The connection to ${host} dropped after ${size(received)} of ${size(total)} (${file})`);
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    const md5 = hash.digest('hex');
    if (req.md5 && md5 !== req.md5.toLowerCase()) {
      throw new TailorError(
        'corrupt',
        `${file} from ${host} is damaged: its MD5 is ${md5}, expected ${req.md5.toLowerCase()}`,
      );
    }
    await renameWithRetry(tmp, req.dest);
    return { path: req.dest, bytes: received, md5 };
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    if (req.signal?.aborted) throw cancelled();
    if (err instanceof TailorError) throw err;
    if (stall.signal.aborted) {
      const wait = stallMs >= 1000 ? `${Math.round(stallMs / 1000)} s` : `${stallMs} ms`;
      throw new TransientError(`The download from ${host} stalled: no data for ${wait}`, { cause: err });
    }
    const code = errnoCode(err);
    if (!connected && (code === undefined || UNREACHABLE.has(code))) {
      throw new TransientError(`Could not reach ${host}: are you offline?`, { cause: err });
    }
    const where = connected ? ` after ${size(received)}${total ? ` of ${size(total)}` : ''}` : '';
    throw new TransientError(`The connection to ${host} dropped${where} (${file})`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
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
