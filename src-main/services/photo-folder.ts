/**
 * Reads a folder of photos from disk for src-shared/photo-folder.ts to lay out: walks it (links
 * are never followed out of it), hashes every photo (duplicates are refused by content), checks
 * each can be read as an image, and reads its classes.json. Plain Node, no Electron: the app's
 * import, `npm run train` and `npm run eval:photos` all use it.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_FILE_BYTES, MAX_PIXELS, MAX_SIDE } from '../../src-renderer/src/classify/decode';
import { sniff } from '../../src-renderer/src/classify/sniff';
import {
  CLASS_MAP_FILE,
  MAX_PHOTO_FILES,
  isPhotoName,
  parseClassMap,
  planPhotoFolder,
  type ClassMap,
  type FoundFile,
  type PhotoFolderPlan,
  type PlanOptions,
} from '../../src-shared/photo-folder';
import { isPathInside } from './ids';

/** Says why a photo cannot be used, or null when it can. */
export type InspectPhoto = (bytes: Uint8Array, name: string) => Promise<string | null> | string | null;

/** Header check (as the app does before decoding): a known image kind whose size can be read and is within limits. */
export const inspectHeader: InspectPhoto = (bytes) => {
  const head = sniff(bytes);
  if (head.kind === 'svg' || head.kind === 'unknown') return 'not an image Tailor can read (PNG, JPEG, WebP, GIF or BMP)';
  if (head.width === null || head.height === null) return 'unreadable: the image is damaged';
  if (head.width * head.height > MAX_PIXELS || head.width > MAX_SIDE || head.height > MAX_SIDE) return `too large (${head.width}×${head.height})`;
  return null;
};

export interface ReadPhotoFolderOptions extends PlanOptions {
  /** Decides whether each photo is usable; defaults to `inspectHeader` (scripts pass a full decode). */
  inspect?: InspectPhoto;
  /** Walk no deeper than this (split/class/file is 3). */
  maxDepth?: number;
}

export interface PhotoFolder {
  root: string;
  /** The map used: the one given, else the folder's classes.json, else none (folder names are classes). */
  map: ClassMap | null;
  plan: PhotoFolderPlan;
}

interface Walk {
  files: FoundFile[];
  tooMany: boolean;
}

/** Every file under `root` as a relative path, links checked, empty folders as 'name/'. Stops past MAX_PHOTO_FILES. */
export async function walkPhotoFolder(root: string, maxDepth = 4): Promise<Walk> {
  const realRoot = await realpath(root);
  const files: FoundFile[] = [];
  const visit = async (dir: string, rel: string, depth: number): Promise<boolean> => {
    const names = (await readdir(dir)).sort();
    if (names.length === 0 && rel) files.push({ path: `${rel}/` });
    for (const name of names) {
      if (files.length > MAX_PHOTO_FILES) return false;
      const path = rel ? `${rel}/${name}` : name;
      const full = join(dir, name);
      const info = await lstat(full);
      if (info.isSymbolicLink()) {
        const target = await realpath(full).catch(() => null);
        if (!target) files.push({ path, problem: 'a broken link' });
        else if (!isPathInside(target, realRoot)) files.push({ path, problem: 'a link that leads outside the folder' });
        else if ((await stat(full)).isDirectory()) files.push({ path, problem: 'a linked folder: links to folders are not followed' });
        else files.push({ path });
      } else if (info.isDirectory()) {
        if (depth >= maxDepth) files.push({ path: `${path}/`, problem: 'in a nested folder: only one level of class folders is read' });
        else if (!(await visit(full, path, depth + 1))) return false;
      } else if (info.isFile()) files.push({ path });
      else files.push({ path, problem: 'not a regular file' });
    }
    return true;
  };
  const complete = await visit(realRoot, '', 1);
  return { files, tooMany: !complete || files.length > MAX_PHOTO_FILES };
}

/** Reads, hashes and inspects one walked file (photos only; the plan refuses the rest by name). */
async function examine(root: string, file: FoundFile, inspect: InspectPhoto): Promise<FoundFile> {
  if (file.problem || file.path.endsWith('/') || !isPhotoName(file.path)) return file;
  const full = join(root, ...file.path.split('/'));
  try {
    const size = (await stat(full)).size;
    if (size === 0) return { ...file, problem: 'an empty file' };
    if (size > MAX_FILE_BYTES) return { ...file, problem: `too large (${Math.ceil(size / 2 ** 20)} MB): the limit is 50 MB` };
    const bytes = await readFile(full);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const problem = await inspect(bytes, file.path);
    return problem ? { ...file, hash, problem } : { ...file, hash };
  } catch (err) {
    return { ...file, problem: `could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping their order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function readMap(root: string): Promise<ClassMap | null> {
  let text: string;
  try {
    text = await readFile(join(root, CLASS_MAP_FILE), 'utf8');
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${CLASS_MAP_FILE} is not valid JSON`);
  }
  return parseClassMap(json);
}

export async function readPhotoFolder(root: string, options: ReadPhotoFolderOptions = {}): Promise<PhotoFolder> {
  const map = options.map ?? (await readMap(root));
  const walk = await walkPhotoFolder(root, options.maxDepth);
  const planOptions: PlanOptions = { ...options, ...(map ? { map } : {}) };
  if (walk.tooMany) return { root, map, plan: planPhotoFolder(walk.files, planOptions) };
  const files = await pool(walk.files, 4, (f) => examine(root, f, options.inspect ?? inspectHeader));
  return { root, map, plan: planPhotoFolder(files, planOptions) };
}
