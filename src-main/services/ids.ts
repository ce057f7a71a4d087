import { isAbsolute, relative, resolve } from 'node:path';
import { TailorError } from './errors';

// Ids are what the renderer sends instead of paths; main resolves them inside its own folders.
const ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

export function checkId(id: unknown, what = 'id'): string {
  if (typeof id !== 'string' || !ID_RE.test(id) || RESERVED.test(id)) {
    throw new TailorError('invalid-argument', `${what} must be 1–64 lowercase letters, digits, '-' or '_'`);
  }
  return id;
}

/** True when `child` is `parent` or inside it (after resolving `..`). */
export function isPathInside(child: string, parent: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Resolves an id to a folder inside `root`, refusing anything that escapes it. */
export function pathForId(root: string, id: string, what = 'id'): string {
  const path = resolve(root, checkId(id, what));
  if (!isPathInside(path, root)) throw new TailorError('forbidden', `${what} points outside the store`);
  return path;
}
