// Crash-safe writes. A file is written to a temp name beside its target, fsynced, then renamed:
// the rename is the commit point, so readers see the old file or the new one, never half of one.
// A folder (a model: model.json + weights.bin + meta.json) is written whole into a temp folder and
// renamed into place the same way.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const TEMP_PREFIX = '.tmp-';
/** A complete folder moved aside while its replacement is renamed in: restored, not swept, after a crash. */
export const OLD_PREFIX = '.old-';

function tempName(target: string, prefix = TEMP_PREFIX): string {
  return join(dirname(target), `${prefix}${basename(target)}-${randomBytes(6).toString('hex')}`);
}

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
      const code = (err as NodeJS.ErrnoException).code;
      if (i >= tries - 1 || (code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES')) throw err;
      await new Promise((r) => setTimeout(r, 25 * 2 ** i));
    }
  }
}

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await fs.mkdir(dirname(target), { recursive: true });
  const tmp = tempName(target);
  try {
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
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
export async function writeFolderAtomic(target: string, files: Record<string, Uint8Array | string>): Promise<void> {
  const parent = dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const tmp = tempName(target);
  await fs.mkdir(tmp);
  try {
    for (const [name, data] of Object.entries(files)) {
      const handle = await fs.open(join(tmp, name), 'wx');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await fsyncPath(tmp);
    let old: string | null = null;
    try {
      old = tempName(target, OLD_PREFIX);
      await renameWithRetry(target, old);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      old = null;
    }
    try {
      await renameWithRetry(tmp, target);
    } catch (err) {
      if (old) await renameWithRetry(old, target); // put the previous version back
      throw err;
    }
    await fsyncPath(parent);
    if (old) await fs.rm(old, { recursive: true, force: true });
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** `.old-<name>-<12 hex>` → `<name>`. */
const OLD_NAME = /^\.old-(.+)-[0-9a-f]{12}$/;

/**
 * Cleans up after a crash. Call once when a store opens, before reading. A folder that a crash
 * left moved aside (its `.old-` copy exists but `<name>` does not) is renamed back, the newest
 * copy if there are several; every other temp or `.old-` entry is removed. Returns what it removed.
 */
export async function sweepTemp(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    return [];
  }
  const present = new Set(names);
  const olds = new Map<string, { name: string; at: number }[]>();
  for (const name of names) {
    const target = OLD_NAME.exec(name)?.[1];
    if (target === undefined || present.has(target)) continue;
    const at = (await fs.stat(join(folder, name))).mtimeMs;
    olds.set(target, [...(olds.get(target) ?? []), { name, at }]);
  }
  const restored = new Set<string>();
  for (const [target, copies] of olds) {
    const newest = copies.sort((a, b) => b.at - a.at)[0]!;
    await renameWithRetry(join(folder, newest.name), join(folder, target));
    restored.add(newest.name);
  }
  const swept = names.filter((n) => (n.startsWith(TEMP_PREFIX) || OLD_NAME.test(n)) && !restored.has(n));
  await Promise.all(swept.map((n) => fs.rm(join(folder, n), { recursive: true, force: true })));
  return swept;
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
