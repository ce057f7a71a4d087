// Where a dataset's part can come from besides the cache: a system copy (Debian installs
// Fashion-MNIST in /usr/share/datasets), checked against the published checksums before use. A
// copy found bad is remembered (by path, size and mtime) so it is not re-read on every load.
import { existsSync, promises as fs, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { FileStatus, PartName } from '../../src-shared/types/dataset';
import { checkPublished, verifySource, type ManifestPart, type VerifiedPart } from './dataset-cache';
import { PART_INFO, type CatalogEntry, type CatalogPart } from './dataset-catalog';
import { fsError } from './errors';
import { IdxError } from './idx';

/**
 * Where distributions install datasets (Debian: dataset-fashion-mnist), after $FASHION_MNIST_DIR
 * when set: a folder holding the four published files, gzip or decompressed (`npm test` points it
 * at a copy it fetched when the system has none). The Electron glue and the e2e server use this.
 */
export function defaultSystemDirs(): string[] {
  const dir = process.env['FASHION_MNIST_DIR'];
  return [...(dir ? [dir] : []), '/usr/share/datasets/fashion-mnist'];
}

/** A published Fashion-MNIST file ('t10k-images-idx3-ubyte.gz'), or its decompressed form, in those folders. */
export function fashionMnistFile(published: string): string | null {
  for (const dir of defaultSystemDirs()) {
    for (const name of [published, published.replace(/\.gz$/, '')]) if (existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

export interface SystemFile {
  path: string;
  bytes: number;
  /** Path, size and mtime: a problem found once is remembered until the file changes. */
  key: string;
  problem: string | null;
}

/** Where a part is: in the cache, only in a system copy, or nowhere (with what was wrong with the cached one). */
export type Located =
  | { source: 'cache'; mp: ManifestPart }
  | { source: 'system'; file: SystemFile; cacheProblem: string | null }
  | { source: 'missing'; cacheProblem: string | null };

export class SystemCopies {
  private readonly problems = new Map<string, string>();

  constructor(private readonly dirs: readonly string[]) {}

  /** The first system copy without a known problem, else the first one found. */
  async find(cp: CatalogPart): Promise<SystemFile | null> {
    let fallback: SystemFile | null = null;
    for (const dir of this.dirs) {
      for (const name of [cp.file, cp.file.replace(/\.gz$/, '')]) {
        const path = join(dir, name);
        let st: Stats;
        try {
          st = await fs.stat(path);
        } catch {
          continue;
        }
        if (!st.isFile()) continue;
        const key = `${path}:${st.size}:${st.mtimeMs}`;
        const file = { path, bytes: st.size, key, problem: this.problems.get(key) ?? null };
        if (!file.problem) return file;
        fallback ??= file;
      }
    }
    return fallback;
  }

  /** Reads and verifies a system copy; a bad one is remembered. */
  async read(entry: CatalogEntry, part: PartName, file: SystemFile): Promise<VerifiedPart> {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(file.path);
    } catch (err) {
      throw fsError(err, file.path);
    }
    try {
      return await verifyPublished(bytes, file.path, entry, part);
    } catch (err) {
      if (err instanceof IdxError) this.problems.set(file.key, err.message);
      throw err;
    }
  }
}

/** A catalog part's file, from wherever it came: decompressed, parsed and checked against the published checksums. */
export async function verifyPublished(bytes: Uint8Array, fileName: string, entry: CatalogEntry, part: PartName): Promise<VerifiedPart> {
  const v = await verifySource(bytes, fileName, { expect: PART_INFO[part].kind, classCount: entry.classNames.length });
  checkPublished(v, fileName, entry.parts[part], `${entry.name} ${PART_INFO[part].label}`);
  return v;
}

/** What the Data view shows for one part. `dir` is the dataset's cache folder. */
export function fileStatus(dir: string, part: PartName, l: Located): FileStatus {
  const none = { part, verified: false, md5: null, count: 0 };
  switch (l.source) {
    case 'cache':
      return { part, source: 'cache', path: join(dir, l.mp.file), bytes: l.mp.bytes, verified: true, md5: l.mp.md5, count: l.mp.count, problem: null };
    case 'system': {
      const rebuild = l.cacheProblem && `${l.cacheProblem}; it will be rebuilt from ${l.file.path}`;
      return { ...none, source: 'system', path: l.file.path, bytes: l.file.bytes, problem: l.file.problem ?? rebuild ?? null };
    }
    case 'missing':
      return { ...none, source: 'missing', path: null, bytes: 0, problem: l.cacheProblem };
  }
}
