// Crash-safe writes. A file is written to a temp name beside its target, fsynced, then renamed:
// the rename is the commit point, so readers see the old file or the new one, never half of one.
// A folder (a model: model.json + weights.bin + meta.json; a dataset: its parts + manifest.json) is
// written whole into a temp folder and renamed into place the same way.
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TailorError } from './errors';
import { OLD_PREFIX, TEMP_PREFIX, commitInFlight, sweepTemp, tempName } from './temp-names';

export { OLD_PREFIX, TEMP_PREFIX, sweepTemp };

/** What goes into a folder: bytes or text to write, or an existing file to carry over unchanged. */
export type FolderEntry = Uint8Array | string | { linkFrom: string };

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;
/** rename() onto a folder another writer has just put in place. */
const TAKEN = new Set(['ENOTEMPTY', 'EEXIST']);
/** Filesystems without hard links (FAT, some network shares): carried files are copied instead. */
const NO_LINKS = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fsyncPath(path: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, 'r');
    await handle.sync();
  } catch {
    // Directories cannot be opened for sync on Windows; durability there rests on the rename.
  } finally {
    await handle?.close();
  }
}

/** Windows scanners can hold a fresh file briefly: retry EPERM/EBUSY renames a bounded number of times. */
export async function renameWithRetry(from: string, to: string, tries = 8): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (err) {
      const code = codeOf(err);
      if (i >= tries - 1 || (code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES')) throw err;
      await sleep(25 * 2 ** i);
    }
  }
}

async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function putEntry(path: string, entry: FolderEntry): Promise<void> {
  if (typeof entry === 'string' || entry instanceof Uint8Array) return writeDurably(path, entry);
  try {
    await fs.link(entry.linkFrom, path); // already durable: it was fsynced when first committed
    return;
  } catch (err) {
    if (!NO_LINKS.has(codeOf(err) ?? '')) throw err;
  }
  await fs.copyFile(entry.linkFrom, path, constants.COPYFILE_EXCL);
  await fsyncPath(path);
}

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await fs.mkdir(dirname(target), { recursive: true });
  const tmp = tempName(target);
  try {
    await writeDurably(tmp, data);
    await renameWithRetry(tmp, target);
    await fsyncPath(dirname(target));
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes `files` into a fresh temp folder and renames it to `target`. If `target` exists it is
 * moved aside to an `.old-` name first and removed after the commit. A crash leaves the new
 * folder, or the old one, or (between the two renames) the old one under its `.old-` name, which
 * `sweepTemp` renames back; temp folders are garbage it removes.
 */
export async function writeFolderAtomic(target: string, files: Record<string, FolderEntry>): Promise<void> {
  const parent = dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const tmp = tempName(target);
  await fs.mkdir(tmp);
  try {
    for (const [name, entry] of Object.entries(files)) await putEntry(join(tmp, name), entry);
    await fsyncPath(tmp);
    await swapIn(tmp, target);
    await fsyncPath(parent);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Moves `target` aside (if there is one), renames `tmp` into place, then removes the old copy.
 * When another process commits the same target in between, the rename finds it taken: the swap
 * is redone on top of that version (the last writer wins; every state on disk is whole).
 */
async function swapIn(tmp: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const old = await moveAside(target);
    try {
      await renameWithRetry(tmp, target);
    } catch (err) {
      if (old) await putBack(old, target);
      if (TAKEN.has(codeOf(err) ?? '') && attempt < 8) continue;
      throw err;
    }
    if (old) await fs.rm(old, { recursive: true, force: true });
    return;
  }
}

async function moveAside(target: string): Promise<string | null> {
  const old = tempName(target, OLD_PREFIX);
  try {
    await renameWithRetry(target, old);
    return old;
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return null;
    throw err;
  }
}

/** Restores the previous version, unless another writer has put a newer one in place meanwhile. */
async function putBack(old: string, target: string): Promise<void> {
  try {
    await renameWithRetry(old, target);
  } catch (err) {
    if (!TAKEN.has(codeOf(err) ?? '')) throw err;
    await fs.rm(old, { recursive: true, force: true });
  }
}

/** A folder's identity: a commit replaces the folder, so its inode or change time differs after. */
async function stampOf(dir: string): Promise<string | null> {
  return fs.stat(dir).then((s) => `${s.ino}:${s.ctimeMs}`, () => null);
}

/**
 * Runs `read` on a folder that writeFolderAtomic commits, so that what it returns comes from one
 * version: when a commit (of this process or another) replaced the folder during the read, or the
 * folder was missing because a live writer was between its two renames, it reads again.
 */
export async function readFolderConsistently<T>(dir: string, read: () => Promise<T>, tries = 40): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const before = await stampOf(dir);
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await read() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const replaced = before !== (await stampOf(dir));
    const midSwap = before === null && (await commitInFlight(dir));
    if (!replaced && !midSwap) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    if (attempt >= tries) {
      if (!outcome.ok) throw outcome.error;
      throw new TailorError('io', `${basename(dir)} kept changing while it was read`);
    }
    await sleep(Math.min(50, 2 * attempt));
  }
}

/** Serialises async work per key (two saves to one model id run one after the other). */
export class KeyedMutex {
  private tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
