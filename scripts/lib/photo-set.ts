// A folder of photos turned into 28×28s by the app's own pipeline (decode → prepareImage: GrabCut
// or the flat-border heuristic), cached on disk so training experiments do not segment the same
// photo twice. The cache is keyed by the photo's bytes and by the pipeline's source code
// (src-renderer/src/classify/*.ts): edit the pipeline and every photo is prepared again.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readPhotoFolder, type PhotoFolder } from '../../src-main/services/photo-folder';
import type { ClassMap } from '../../src-shared/photo-folder';
import { prepareImage } from '../../src-renderer/src/classify/prepare-image';
import { decodeImageBytes } from './node-image';
import { loadOpenCvNode } from './opencv-node';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLASSIFY_DIR = join(ROOT, 'src-renderer', 'src', 'classify');
export const PHOTO_CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'tailor-photos');
const PIXELS = 28 * 28;

/** One photo of the folder: its 28×28 as bytes (0 = background), or why the app refuses it. */
export interface PreparedSample {
  path: string;
  /** SHA-256 of the file. */
  hash: string;
  folder: string;
  strict: string[];
  lenient: string[];
  pixels: Uint8Array | null;
  problem: string | null;
}

export interface PreparedFolder {
  folder: PhotoFolder;
  samples: PreparedSample[];
}

interface CacheLine {
  hash: string;
  /** base64 of 784 bytes, or absent when refused. */
  pixels?: string;
  problem?: string;
}

/** A digest of the pipeline's code: a cache made by another version is not used. */
async function pipelineVersion(): Promise<string> {
  const names = (await readdir(CLASSIFY_DIR)).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts') && !n.includes('fixtures')).sort();
  const h = createHash('sha256');
  for (const name of names) h.update(name).update(await readFile(join(CLASSIFY_DIR, name)));
  return h.digest('hex').slice(0, 16);
}

async function readCache(file: string): Promise<Map<string, CacheLine>> {
  const out = new Map<string, CacheLine>();
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const parsed = JSON.parse(line) as CacheLine;
      out.set(parsed.hash, parsed);
    } catch {
      // a line cut short by a crash: that photo is prepared again
    }
  }
  return out;
}

/**
 * The app's pipeline on one photo file's bytes, in Node: decode (jpeg-js/pngjs into the app's
 * decodeImageFile) → prepareImage (GrabCut, or the heuristic on a flat border): the model's input
 * (28×28 in [0, 1]), or the sentence the app refuses the photo with.
 */
export async function appInput(bytes: Uint8Array, name: string): Promise<{ ok: true; input: Float32Array } | { ok: false; message: string }> {
  const decoded = await decodeImageBytes(bytes, name);
  if (!decoded.ok) return { ok: false, message: decoded.message };
  const prepared = await prepareImage(new Blob([]), name, { decode: async () => decoded, openCv: loadOpenCvNode });
  return prepared.ok ? { ok: true, input: prepared.input } : { ok: false, message: prepared.message };
}

/** The app's pipeline on one photo's bytes: the 28×28 as bytes, or the sentence it refuses with. */
async function prepareBytes(bytes: Uint8Array, name: string): Promise<Omit<CacheLine, 'hash'>> {
  const prepared = await appInput(bytes, name);
  if (!prepared.ok) return { problem: prepared.message };
  const pixels = Uint8Array.from(prepared.input, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  return { pixels: Buffer.from(pixels).toString('base64') };
}

/**
 * Every photo the folder plan keeps (mapped folders only when `map` is given; folder names are
 * the classes without one), prepared as the app prepares it, from the cache where it can.
 */
export async function preparePhotoFolder(
  dir: string,
  options: { map?: ClassMap; onProgress?: (done: number, total: number) => void } = {},
): Promise<PreparedFolder> {
  const folder = await readPhotoFolder(dir, { ...(options.map ? { map: options.map } : {}), validation: 0, test: 0 });
  if (folder.plan.error) throw new Error(`${dir}: ${folder.plan.error}`);
  await mkdir(PHOTO_CACHE_DIR, { recursive: true });
  const cacheFile = join(PHOTO_CACHE_DIR, `${await pipelineVersion()}.jsonl`);
  const cache = await readCache(cacheFile);
  const samples: PreparedSample[] = [];
  const entries = folder.plan.entries;
  for (const [i, entry] of entries.entries()) {
    const bytes = new Uint8Array(await readFile(join(dir, entry.path)));
    const hash = createHash('sha256').update(bytes).digest('hex');
    let line = cache.get(hash);
    if (!line) {
      line = { hash, ...(await prepareBytes(bytes, entry.path)) };
      cache.set(hash, line);
      await appendFile(cacheFile, `${JSON.stringify(line)}\n`);
    }
    const pixels = line.pixels ? new Uint8Array(Buffer.from(line.pixels, 'base64')) : null;
    if (pixels && pixels.length !== PIXELS) throw new Error(`cache entry for ${entry.path} has ${pixels.length} pixels`);
    samples.push({ path: entry.path, hash, folder: entry.folder, strict: entry.strict, lenient: entry.lenient, pixels, problem: line.problem ?? null });
    options.onProgress?.(i + 1, entries.length);
  }
  return { folder, samples };
}

/** SHA-256 over the photos' own SHA-256s in path order: one digest for the set a model learnt from. */
export function photoSetDigest(samples: readonly PreparedSample[]): string {
  const h = createHash('sha256');
  for (const s of [...samples].sort((a, b) => (a.path < b.path ? -1 : 1))) h.update(`${s.path}\0${s.hash}\n`);
  return h.digest('hex');
}
