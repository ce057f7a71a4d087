// The on-disk cache of one dataset: root/<id>/ holds verified, decompressed IDX files plus
// manifest.json (sizes, counts, the MD5 of each file). Each version of the folder is committed as
// a whole — every part and the manifest written into a temp folder, fsynced, then one rename — so
// a crash or a full disk leaves the previous version or the new one, and the manifest always
// describes the files beside it. A cold load is plain reads of known sizes, no gunzip; every read
// re-checks the size, header and count, and the checksum the first time this process reads that
// file (by inode, size and times), so a damaged file is reported instead of served.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PART_NAMES, type PartName } from '../../src-shared/types/dataset';
import { writeFolderAtomic, type FolderEntry } from './atomic';
import { PART_INFO, type CatalogPart } from './dataset-catalog';
import { fsError, TailorError } from './errors';
import { pathForId } from './ids';
import { checkLabels, decompressIdx, IdxError, parseRawIdx, readIdxHeader, type IdxFile, type IdxKind } from './idx';

const manifestPart = z.object({
  file: z.string().regex(/^[\w.-]+$/),
  bytes: z.number().int().positive(),
  count: z.number().int().positive(),
  md5: z.string().regex(/^[0-9a-f]{32}$/),
  /** MD5 of the decompressed IDX file: the same whichever way the data arrived. */
  rawMd5: z.string().regex(/^[0-9a-f]{32}$/),
  /** SHA-256 of the cached file, what loads verify (2× faster than MD5 here); absent in older caches. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  source: z.enum(['system', 'download', 'import']),
  /** Where the bytes came from (a path or a file name), for display. */
  origin: z.string(),
});
const manifestSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  name: z.string(),
  classNames: z.array(z.string()).min(2),
  /** True when the names are placeholders made from the label range ('0'…'9'). */
  derivedClassNames: z.boolean(),
  rows: z.number().int().min(0),
  cols: z.number().int().min(0),
  parts: z.partialRecord(z.enum(['trainImages', 'trainLabels', 'testImages', 'testLabels']), manifestPart),
  /**
   * Labels that are not class indices (photo folders mapped onto a model's classes): label i is
   * labelNames[i], and allowed[i] lists the classes that count as right for it.
   */
  labelNames: z.array(z.string()).min(1).max(255).optional(),
  allowed: z.array(z.array(z.number().int().min(0))).optional(),
  /** Files kept beside the parts (a photo dataset's records and thumbnails), carried into every new version. */
  extras: z.array(z.string().regex(/^[\w.-]+$/)).optional(),
  /** Set for a dataset made from photos (photo-datasets.ts); heldOut false: its test part is its training photos. */
  photos: z.object({ heldOut: z.boolean() }).optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestPart = z.infer<typeof manifestPart>;

/** A cached file that no longer matches its manifest; the caller rebuilds it or reports it. */
export class CacheDamage extends TailorError {
  constructor(message: string) {
    super('corrupt', message);
  }
}

export const md5Hex = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Hashes in 8 MB steps with a turn of the event loop between, so IPC is not held up for the whole file. */
async function hashInSteps(algorithm: string, parts: Uint8Array[]): Promise<string> {
  const hash = createHash(algorithm);
  const STEP = 8 * 1024 * 1024;
  for (const part of parts) {
    for (let at = 0; at < part.byteLength; at += STEP) {
      hash.update(part.subarray(at, at + STEP));
      if (at + STEP < part.byteLength) await new Promise((r) => setImmediate(r));
    }
  }
  return hash.digest('hex');
}

/**
 * Files whose checksum this process has verified (path:inode:size:mtime:ctime → checksum): a file
 * is hashed the first time it is read, and again only once it was replaced or rewritten.
 */
const verified = new Map<string, string>();

/** Downloads in progress live outside the dataset folders, which commits replace whole. */
const DOWNLOADS = '.downloads';
export const MANIFEST = 'manifest.json';

export class DatasetCache {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return pathForId(this.root, id, 'dataset id');
  }

  downloadDir(id: string): string {
    return join(this.root, DOWNLOADS, id);
  }

  /** null when absent or unreadable: an unreadable manifest just means nothing is cached yet. */
  async readManifest(id: string): Promise<Manifest | null> {
    try {
      const parsed = manifestSchema.safeParse(JSON.parse(await fs.readFile(join(this.dir(id), MANIFEST), 'utf8')));
      return parsed.success && parsed.data.id === id ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /**
   * Commits a new version of the dataset's folder: the parts in `written` from their bytes, every
   * other part the manifest lists carried over from the current folder (hard-linked), the
   * manifest's extra files from `extras` or carried over likewise, and the manifest. The caller
   * makes sure carried files are present.
   */
  async commit(m: Manifest, written: ReadonlyMap<PartName, Uint8Array>, extras: Readonly<Record<string, Uint8Array | string>> = {}): Promise<void> {
    const dir = this.dir(m.id);
    const files: Record<string, FolderEntry> = {};
    for (const part of PART_NAMES) {
      const mp = m.parts[part];
      if (mp) files[mp.file] = written.get(part) ?? { linkFrom: join(dir, mp.file) };
    }
    for (const name of m.extras ?? []) files[name] = extras[name] ?? { linkFrom: join(dir, name) };
    files[MANIFEST] = `${JSON.stringify(m, null, 2)}\n`;
    await writeFolderAtomic(dir, files);
  }

  /** Cheap check for status(): the file exists with the manifest's size. Returns the problem, if any. */
  async checkPart(id: string, mp: ManifestPart): Promise<string | null> {
    try {
      const size = (await fs.stat(join(this.dir(id), mp.file))).size;
      return size === mp.bytes ? null : damaged(mp, `${size.toLocaleString('en-US')} of ${mp.bytes.toLocaleString('en-US')} bytes`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return damaged(mp, 'the file is gone');
      throw fsError(err, mp.file);
    }
  }

  /**
   * Reads a cached part into a buffer of its own (header skipped, byteOffset 0, so the renderer can
   * transfer it as is). Throws CacheDamage when the file disagrees with the manifest.
   */
  async readPart(id: string, part: PartName, mp: ManifestPart, classCount: number): Promise<IdxFile> {
    const path = join(this.dir(id), mp.file);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CacheDamage(damaged(mp, 'the file is gone'));
      throw fsError(err, mp.file);
    }
    try {
      const stat = await handle.stat();
      const size = stat.size;
      if (size !== mp.bytes) {
        throw new CacheDamage(damaged(mp, `${size.toLocaleString('en-US')} of ${mp.bytes.toLocaleString('en-US')} bytes`));
      }
      const head = await readAt(handle, Math.min(16, size), 0, mp);
      const kind = PART_INFO[part].kind;
      const h = readIdxHeader(head, mp.file, size, { expect: kind });
      if (h.count !== mp.count) throw new CacheDamage(damaged(mp, `it holds ${h.count} items, not ${mp.count}`));
      const data = await readAt(handle, size - h.headerBytes, h.headerBytes, mp);
      await verifyChecksum(`${path}:${identity(stat)}`, mp, head.subarray(0, h.headerBytes), data);
      if (kind === 'labels') checkLabels(data, classCount, mp.file);
      return { kind, count: h.count, rows: h.rows, cols: h.cols, data };
    } catch (err) {
      if (err instanceof IdxError) throw new CacheDamage(damaged(mp, err.message));
      throw err instanceof TailorError ? err : fsError(err, mp.file);
    } finally {
      await handle.close();
    }
  }
}

/** The file must be the one its manifest describes (measured: SHA-256 of 55 MB ≈ 0.09 s here, MD5 ≈ 0.2 s). */
async function verifyChecksum(key: string, mp: ManifestPart, header: Uint8Array, data: Uint8Array): Promise<void> {
  const [algorithm, expected] = mp.sha256 ? ['sha256', mp.sha256] : ['md5', mp.rawMd5];
  if (verified.get(key) === expected) return;
  if ((await hashInSteps(algorithm, [header, data])) !== expected) {
    throw new CacheDamage(damaged(mp, 'its checksum differs from the one its manifest records'));
  }
  verified.set(key, expected);
}

const identity = (s: { ino: number; size: number; mtimeMs: number; ctimeMs: number }) => `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;

function damaged(mp: ManifestPart, why: string): string {
  return `The cached ${mp.file} is damaged (${why})`;
}

async function readAt(handle: fs.FileHandle, length: number, position: number, mp: ManifestPart): Promise<Uint8Array> {
  // Every byte is overwritten below, so skip the zero fill (a fresh, unpooled buffer for large sizes).
  const buf = Buffer.allocUnsafeSlow(length);
  const out = new Uint8Array(buf.buffer, buf.byteOffset, length);
  for (let off = 0; off < length; ) {
    const { bytesRead } = await handle.read(out, off, length - off, position + off);
    if (bytesRead === 0) throw new CacheDamage(damaged(mp, 'it ended while being read'));
    off += bytesRead;
  }
  return out;
}

export interface VerifiedPart {
  idx: IdxFile;
  /** The whole decompressed file, header included, as it goes into the cache. */
  raw: Uint8Array;
  /** MD5 of the bytes as obtained (gzip when the source was gzip). */
  md5: string;
  rawMd5: string;
  /** SHA-256 of the decompressed file. */
  sha256: string;
}

/** Decompresses and parses a file from outside the cache. Throws IdxError for anything malformed. */
export async function verifySource(
  bytes: Uint8Array,
  fileName: string,
  opts: { expect?: IdxKind; classCount?: number } = {},
): Promise<VerifiedPart> {
  const raw = await decompressIdx(bytes, fileName);
  const idx = parseRawIdx(raw, fileName, opts);
  const md5 = md5Hex(bytes);
  return { idx, raw, md5, rawMd5: raw === bytes ? md5 : md5Hex(raw), sha256: sha256Hex(raw) };
}

/** For a catalog dataset: the file must be the published one, gzip as released or decompressed. */
export function checkPublished(v: VerifiedPart, fileName: string, cp: CatalogPart, what: string): void {
  // The raw checksum also accepts a copy recompressed by a distribution (Debian's differs from upstream).
  if (v.md5 === cp.md5 || v.rawMd5 === cp.rawMd5) return;
  throw new IdxError(
    `${fileName} is not the published ${what}: its checksum differs (the file is damaged or belongs to another dataset)`,
  );
}
