/**
 * How long a photo takes from decoded pixels to the 28×28 (GrabCut at SEGMENT_SIDE, the mask, the
 * input), in Node on the app's own code:  npx tsx scripts/bench-segment.ts [--photos N]
 * (`npm run bench` runs it over 40 photos before the Chromium part).
 * Photos: ../shared/photos/validation (400×533 phone photos) when present, else the committed
 * fixtures. Each photo runs `prepareImage` (decode excluded) and GrabCut alone, interleaved,
 * after a warm-up. Wall time and this process's CPU time are both printed: on a machine shared
 * with other work the CPU time is the one that says what the code costs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RGBAImage } from '../src-renderer/src/classify/image';
import { prepareImage } from '../src-renderer/src/classify/prepare-image';
import { segmentGarment } from '../src-renderer/src/classify/segment';
import { decodeImageBytes } from './lib/node-image';
import { loadOpenCvNode } from './lib/opencv-node';

const ROOT = resolve(import.meta.dirname, '..');
const SHARED = resolve(ROOT, '..', 'shared', 'photos', 'validation');
const FIXTURES = join(ROOT, 'e2e', 'fixtures', 'photos');

function photoPaths(limit: number): string[] {
  const dir = existsSync(SHARED) ? SHARED : FIXTURES;
  const folders = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const lists = folders.map((f) => readdirSync(join(dir, f)).sort().map((name) => join(dir, f, name)));
  const out: string[] = [];
  for (let i = 0; out.length < limit && lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length && out.length < limit) out.push(l[i]!);
  return out;
}

interface Timing {
  wall: number[];
  cpu: number[];
}

async function timed(t: Timing, fn: () => unknown): Promise<void> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await fn();
  t.wall.push(performance.now() - w0);
  const c = process.cpuUsage(c0);
  t.cpu.push((c.user + c.system) / 1000);
}

function summary(name: string, t: Timing): string {
  const q = (xs: number[], p: number): string => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(0).padStart(4);
  };
  return `${name.padEnd(34)} median ${q(t.cpu, 0.5)} ms CPU (${q(t.wall, 0.5)} wall)   95th pct ${q(t.cpu, 0.95)} ms CPU (${q(t.wall, 0.95)} wall)`;
}

/** Prints the per-photo cost of the photo pipeline over `limit` photos (also part of `npm run bench`). */
export async function benchSegment(limit: number): Promise<void> {
  const photos: { name: string; image: RGBAImage }[] = [];
  for (const path of photoPaths(limit)) {
    const decoded = await decodeImageBytes(readFileSync(path), path);
    if (decoded.ok) photos.push({ name: path, image: decoded.image });
  }
  const t0 = performance.now();
  const cv = await loadOpenCvNode();
  console.log(`OpenCV.js loaded in ${(performance.now() - t0).toFixed(0)} ms; ${photos.length} photos, e.g. ${photos[0]!.image.width}×${photos[0]!.image.height}`);
  const openCv = async () => cv;
  for (const p of photos.slice(0, 3)) await prepareImage(new Blob([]), p.name, { decode: async () => ({ ok: true, image: p.image }), openCv });
  const pipeline: Timing = { wall: [], cpu: [] };
  const grabcut: Timing = { wall: [], cpu: [] };
  for (const p of photos) {
    await timed(pipeline, () => prepareImage(new Blob([]), p.name, { decode: async () => ({ ok: true, image: p.image }), openCv }));
    await timed(grabcut, () => segmentGarment(cv, p.image));
  }
  console.log('\nReal photos, decoded pixels → 28×28 in Node, one thread (target ≤ 100 ms per 400×533 photo)');
  console.log(summary('photo → 28×28 (prepareImage)', pipeline));
  console.log(summary('  of which GrabCut (segmentGarment)', grabcut));
  console.log(`load average while measuring: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (${process.platform}, one thread)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { photos: { type: 'string', default: '40' } } });
  benchSegment(Number(values.photos)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
