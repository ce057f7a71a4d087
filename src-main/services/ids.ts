import { isAbsolute, relative, resolve } from 'node:path';
import { ID_PATTERN } from '../../src-shared/schemas/common';
import { TailorError } from './errors';

// Ids are what the renderer sends instead of paths; main resolves them inside its own folders.
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** True for a name that is a valid id (e.g. a folder in a store that is one of its entries). */
export function isId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id) && !RESERVED.test(id);
}

export function checkId(id: unknown, what = 'id'): string {
  if (!isId(id)) throw new TailorError('invalid-argument', `${what} must be 1–64 lowercase letters, digits, '-' or '_'`);
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
