// The files of one model folder (model.json, weights.bin, meta.json) and small helpers of the
// model store: reading parts with a 'corrupt' answer for a missing one, naming folders.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { ModelMeta } from '../../src-shared/types/model';
import { TailorError, fsError } from './errors';
import { parseJsonObject } from './json';
import { parseStoredMeta } from './model-meta';
import type { TopologyIo } from './model-topology';

export function modelFiles(modelJson: Record<string, unknown>, weights: Uint8Array, meta: Omit<ModelMeta, 'builtIn'>) {
  return { 'weights.bin': weights, 'meta.json': JSON.stringify(meta, null, 2), 'model.json': JSON.stringify(modelJson) };
}

export async function readPart(dir: string, name: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(join(dir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TailorError('corrupt', `${name} is missing`);
    throw err;
  }
}

export async function statPart(dir: string, name: string) {
  try {
    return await fs.stat(join(dir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TailorError('corrupt', `${name} is missing`);
    throw err;
  }
}

export async function readMeta(dir: string, id: string, builtIn: boolean, io: TopologyIo): Promise<ModelMeta> {
  return parseStoredMeta(parseJsonObject(await readPart(dir, 'meta.json'), 'meta.json'), id, builtIn, io);
}

/** A damaged model's name and date, when its meta.json still gives them, for the list. */
export async function readRawMeta(dir: string): Promise<Partial<Pick<ModelMeta, 'name' | 'createdAt'>>> {
  const json = parseJsonObject(await readPart(dir, 'meta.json'), 'meta.json');
  const text = (v: unknown) => (typeof v === 'string' && v.length <= 120 ? v : undefined);
  const name = text(json.name);
  const createdAt = text(json.createdAt);
  return { ...(name ? { name } : {}), ...(createdAt ? { createdAt } : {}) };
}

/** model.json, or the one .json file that is not meta.json (tfjs exports name it freely). */
export function modelJsonName(names: string[]): string {
  if (names.includes('model.json')) return 'model.json';
  const candidates = names.filter((n) => n.toLowerCase().endsWith('.json') && n !== 'meta.json');
  if (candidates.length === 1 && candidates[0]) return candidates[0];
  throw new TailorError('invalid-argument', candidates.length ? 'Choose one model.json at a time' : 'No model.json among the chosen files');
}

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return slug || 'model';
}

export async function isDirectory(path: string): Promise<boolean> {
  return fs.stat(path).then((s) => s.isDirectory(), () => false);
}

/** `<parent>/<base>`, or `<base>-2`, `-3`... when taken. */
export async function freeFolder(parent: string, base: string): Promise<string> {
  for (let i = 1; ; i++) {
    const path = join(parent, i === 1 ? base : `${base}-${i}`);
    try {
      await fs.lstat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return path;
      throw fsError(err, 'Exporting the model');
    }
  }
}
