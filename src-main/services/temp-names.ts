// Names of work in progress beside a store's entries, and the sweep that clears what a crash left.
// `.tmp-<name>-p<pid>-<12 hex>` is being written; `.old-<name>-p<pid>-<12 hex>` is a committed
// folder moved aside while its replacement is renamed in. The writer's pid tells a live writer's
// work (another process saving right now: left alone) from a crash's leftovers (swept); names
// without a pid (earlier versions) count as leftovers.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const TEMP_PREFIX = '.tmp-';
export const OLD_PREFIX = '.old-';

const TEMP_NAME = /^\.(tmp|old)-(.+?)(?:-p(\d+))?-[0-9a-f]{12}$/;

export function tempName(target: string, prefix = TEMP_PREFIX): string {
  return join(dirname(target), `${prefix}${basename(target)}-p${process.pid}-${randomBytes(6).toString('hex')}`);
}

interface TempEntry {
  kind: 'tmp' | 'old';
  /** The entry it belongs to. */
  target: string;
  /** Whether the process that made it is still running (this one included). */
  live: boolean;
}

export function parseTempName(name: string): TempEntry | null {
  const m = TEMP_NAME.exec(name);
  if (m) return { kind: m[1] as 'tmp' | 'old', target: m[2]!, live: isRunning(m[3] === undefined ? null : Number(m[3])) };
  // Any other .tmp- name is ours too (a model moved to the trash before its removal, say).
  return name.startsWith(TEMP_PREFIX) ? { kind: 'tmp', target: '', live: false } : null;
}

function isRunning(pid: number | null): boolean {
  if (pid === null) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Cleans up after a crash. Call when a store opens, before reading. A folder that a crash left
 * moved aside (its `.old-` copy exists but `<name>` does not) is renamed back, the newest copy if
 * there are several; every other temp or `.old-` entry of a dead writer is removed. A live
 * writer's entries are left alone. Returns what it removed.
 */
export async function sweepTemp(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    return [];
  }
  const present = new Set(names);
  const entries = names.map((name) => ({ name, temp: parseTempName(name) })).filter((e) => e.temp && !e.temp.live);
  const olds = new Map<string, { name: string; at: number }[]>();
  const kept = new Set<string>();
  for (const { name, temp } of entries) {
    if (temp!.kind !== 'old' || present.has(temp!.target)) continue;
    // The only whole copy while a live writer swaps in its own: leave it for that writer (or a later sweep).
    if (await commitInFlight(join(folder, temp!.target))) {
      kept.add(name);
      continue;
    }
    const at = (await fs.stat(join(folder, name))).mtimeMs;
    olds.set(temp!.target, [...(olds.get(temp!.target) ?? []), { name, at }]);
  }
  for (const [target, copies] of olds) {
    const newest = copies.sort((a, b) => b.at - a.at)[0]!;
    await fs.rename(join(folder, newest.name), join(folder, target));
    kept.add(newest.name);
  }
  const swept = entries.map((e) => e.name).filter((n) => !kept.has(n));
  await Promise.all(swept.map((n) => fs.rm(join(folder, n), { recursive: true, force: true })));
  return swept;
}

/** True while a running process is writing a new version of `target` or swapping it in. */
export async function commitInFlight(target: string): Promise<boolean> {
  const names = await fs.readdir(dirname(target)).catch(() => [] as string[]);
  const name = basename(target);
  return names.some((n) => {
    const temp = parseTempName(n);
    return temp !== null && temp.live && temp.target === name;
  });
}
