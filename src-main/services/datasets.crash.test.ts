// Every dataset version is committed as a whole (issue 10.2): a child process replacing a dataset
// is killed at every file-system call of its import, and a full disk is simulated at every write;
// afterwards the store holds the previous dataset whole or the new one whole, never a mix, and the
// checksums it reports describe the files it serves.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PART_NAMES, type DatasetPayload, type PartName } from '../../src-shared/types/dataset';
import { DatasetStore } from './datasets';
import { bundleChild } from './testing/bundle-child';
import { datasetVersion } from './testing/fault-fixtures';

const run = promisify(execFile);
let child = '';
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const versions = { 1: datasetVersion(1), 2: datasetVersion(2) } as const;

beforeAll(async () => {
  child = await bundleChild('crash-child');
});
afterAll(async () => {
  await fs.rm(child, { force: true });
});

let root: string;
beforeEach(async () => {
  root = join(await fs.mkdtemp(join(tmpdir(), 'tailor-crash-')), 'datasets');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fs.rm(join(root, '..'), { recursive: true, force: true });
});

const store = (at = root) => new DatasetStore({ root: at, systemDirs: [], emit: () => undefined, catalog: [] });
const importVersion = (v: 1 | 2) => store().import({ id: 'digits', name: `Digits v${v}`, files: versions[v].files });

/** The bytes a payload serves for a part: header-less for images and labels alike. */
function served(p: DatasetPayload, part: PartName): Uint8Array {
  const split = part.startsWith('train') ? p.train : p.test;
  return part.endsWith('Images') ? split.images : split.labels;
}

/** Which version each part of what the store serves is, after checking its checksum describes it. */
async function versionsServed(at = root): Promise<(1 | 2)[]> {
  const p = await store(at).load('digits');
  return PART_NAMES.map((part) => {
    const v = ([1, 2] as const).find((n) => Buffer.compare(served(p, part), versions[n].raw[part].subarray(part.endsWith('Images') ? 16 : 8)) === 0);
    expect(v, `${part} is neither version`).toBeDefined();
    expect(p.checksums[part], `${part}'s checksum`).toBe(md5(versions[v!].raw[part]));
    return v!;
  });
}

/** Runs the child import, killed at call `killAt` (0: never); returns its call count when it finished. */
async function childImport(at: string, killAt: number): Promise<number | null> {
  try {
    const { stdout } = await run(process.execPath, [child, at, String(killAt)], { timeout: 60_000 });
    return (JSON.parse(stdout) as { calls: number }).calls;
  } catch (err) {
    if ((err as { signal?: string }).signal === 'SIGKILL') return null;
    throw err;
  }
}

describe('a replacing import killed at any point', () => {
  it('leaves version 1 whole or version 2 whole, with checksums of the files present', async () => {
    const scratch = root;
    await importVersion(1);
    const total = await childImport(root, 0); // a clean run over version 1 counts the calls
    expect(total).toBeGreaterThan(10);
    // Bounded: every call when there are at most 40 (24 today), else 40 spread over the import.
    const n = Math.min(total!, 40);
    const points = new Set(Array.from({ length: n }, (_, i) => Math.round(1 + (i * (total! - 1)) / (n - 1))));
    const seen: Record<string, number> = {};
    const one = async (killAt: number) => {
      const at = join(scratch, '..', `run-${killAt}`);
      await store(at).import({ id: 'digits', name: 'Digits v1', files: versions[1].files });
      expect(await childImport(at, killAt)).toBeNull();
      const served = await versionsServed(at);
      expect(new Set(served).size, `killed at call ${killAt}: served versions ${served.join(',')}`).toBe(1);
      seen[served[0]!] = (seen[served[0]!] ?? 0) + 1;
      const names = (await fs.readdir(at)).filter((n) => !n.startsWith('.downloads'));
      expect(names, `killed at call ${killAt}: leftovers are swept`).toEqual(['digits']);
    };
    const all = [...points];
    for (let i = 0; i < all.length; i += 2) await Promise.all(all.slice(i, i + 2).map(one)); // two at a time
    // Both outcomes happen: killed before the commit point the old version stays, after it the new one.
    expect(Object.keys(seen).sort()).toEqual(['1', '2']);
  });
});

describe('a full disk during a replacing import', () => {
  it('at every write: fails with "the disk is full" and keeps version 1 whole', async () => {
    await importVersion(1);
    const realOpen = fs.open.bind(fs);
    const realLink = fs.link.bind(fs);
    let writes = 0;
    let failAt = 0;
    const full = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    vi.spyOn(fs, 'open').mockImplementation(async (path, flags, mode) => {
      if (String(flags).includes('w') && ++writes === failAt) throw full();
      return realOpen(path, flags, mode);
    });
    vi.spyOn(fs, 'link').mockImplementation(async (from, to) => {
      if (++writes === failAt) throw full();
      return realLink(from, to);
    });
    for (failAt = 1; ; failAt++) {
      writes = 0;
      const result = await importVersion(2).then(() => 'ok', (e: unknown) => e);
      if (result === 'ok') break;
      expect(result).toMatchObject({ code: 'io', message: expect.stringMatching(/the disk is full$/) });
      expect(await versionsServed()).toEqual([1, 1, 1, 1]);
      expect(await fs.readdir(root)).toEqual(['digits']);
    }
    expect(failAt).toBeGreaterThan(4); // every part and the manifest were each a failure point
    expect(await versionsServed()).toEqual([2, 2, 2, 2]);
  });
});
