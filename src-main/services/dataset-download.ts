// Fetching a catalog dataset's missing parts: each part comes from a good system copy when there is
// one, else from the network (downloadFile: streamed, checksummed, retried), and is committed to
// the cache as soon as it is verified, so an interrupted download keeps what it finished.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Emit } from '../api';
import { PART_NAMES, type DownloadProgress, type PartName } from '../../src-shared/types/dataset';
import { md5Hex, type Manifest } from './dataset-cache';
import { PART_INFO, type CatalogEntry } from './dataset-catalog';
import type { Incoming } from './dataset-import';
import { downloadFile, type FetchFn } from './download';
import { fsError, TailorError } from './errors';
import type { VerifiedPart } from './dataset-cache';

const PROGRESS_INTERVAL_MS = 100;

/** What the download needs from the store. */
export interface DownloadContext {
  emit: Emit;
  fetch?: FetchFn;
  retryDelaysMs?: readonly number[];
  /** Where a part's download is written before it is verified. */
  downloadDir: string;
  /** True when the part is cached, or was just cached from a good system copy. */
  haveLocally(part: PartName): Promise<boolean>;
  verify(bytes: Uint8Array, fileName: string, part: PartName): Promise<VerifiedPart>;
  commit(m: Manifest, incoming: Incoming[]): Promise<void>;
}

export async function downloadAll(ctx: DownloadContext, entry: CatalogEntry, m: Manifest, baseUrl: string, signal: AbortSignal): Promise<void> {
  const id = entry.id;
  // Progress over all four files, weighted by their (known) decompressed sizes.
  const weight = (p: PartName) =>
    PART_INFO[p].kind === 'images' ? 16 + entry.parts[p].count * entry.rows * entry.cols : 8 + entry.parts[p].count;
  const totalWeight = PART_NAMES.reduce((s, p) => s + weight(p), 0);
  let doneWeight = 0;
  let part: PartName = PART_NAMES[0]!;
  let [received, total] = [0, 0];
  const report = (state: DownloadProgress['state'], message?: string) => {
    const current = total ? weight(part) * Math.min(1, received / total) : 0;
    const fraction = state === 'done' ? 1 : (doneWeight + current) / totalWeight;
    ctx.emit('datasets:progress', { id, part, received, total, fraction, state, ...(message ? { message } : {}) });
  };
  try {
    for (part of PART_NAMES) {
      [received, total] = [0, 0];
      if (!(await ctx.haveLocally(part))) {
        let last = 0;
        await downloadPart(ctx, entry, m, part, baseUrl, signal, (r, t) => {
          [received, total] = [r, t];
          const now = Date.now();
          if (now - last >= PROGRESS_INTERVAL_MS || r === t) {
            last = now;
            report('running');
          }
        });
      }
      doneWeight += weight(part);
    }
    report('done');
  } catch (err) {
    const e = err instanceof TailorError ? err : fsError(err, `Downloading ${entry.name}`);
    report(e.code === 'cancelled' ? 'cancelled' : 'failed', e.message);
    throw e;
  }
}

async function downloadPart(
  ctx: DownloadContext,
  entry: CatalogEntry,
  m: Manifest,
  part: PartName,
  baseUrl: string,
  signal: AbortSignal,
  onProgress: (received: number, total: number) => void,
): Promise<void> {
  const cp = entry.parts[part];
  const url = new URL(cp.file, baseUrl).href;
  const dest = join(ctx.downloadDir, cp.file);
  try {
    // A file left by a run interrupted after its download completed is reused if intact.
    const leftover = await fs.readFile(dest).catch(() => null);
    if (!leftover || md5Hex(leftover) !== cp.md5) {
      await downloadFile({
        url,
        dest,
        md5: cp.md5,
        signal,
        ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
        ...(ctx.retryDelaysMs ? { retryDelaysMs: ctx.retryDelaysMs } : {}),
        onProgress,
      });
    }
    const v = await ctx.verify(await fs.readFile(dest), cp.file, part);
    await ctx.commit(m, [{ part, v, source: 'download', origin: url }]);
  } finally {
    await fs.rm(dest, { force: true });
  }
}
