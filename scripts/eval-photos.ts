/**
 * The shipped (or any saved) model on a folder of real photos, through the app's exact pipeline:
 *   npm run eval:photos -- ../shared/photos/validation --map ../shared/photos/classes.json [--model DIR]
 * decode (jpeg-js/pngjs into the app's decodeImageFile) → prepareImage (GrabCut, or the heuristic
 * on a clean flat border) → model, on the Node wasm backend. Prints top-1/top-3 strict and top-1
 * lenient, per class, the confusion, the refused files, the same figures for the heuristic alone
 * (the app before segmentation) and for a naive baseline (whole photo gray → 28×28 → inverted),
 * the segmentation time, and writes a contact sheet of the worst cases (photo, mask, 28×28).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import '@tensorflow/tfjs-backend-wasm';
import { readPhotoFolder } from '../src-main/services/photo-folder';
import { parseClassMap, type PhotoEntry } from '../src-shared/photo-folder';
import { FASHION_MNIST_CLASSES } from '../src-shared/types/dataset';
import type { GrayImage, RGBAImage } from '../src-renderer/src/classify/image';
import { grayImage } from '../src-renderer/src/classify/image';
import { prepareImage } from '../src-renderer/src/classify/prepare-image';
import { shrinkRGBA } from '../src-renderer/src/classify/rgba';
import { preprocess } from '../src-renderer/src/classify/preprocess';
import type { Mask } from '../src-renderer/src/classify/segment';
import { artifactsToModel } from '../src-renderer/src/ml/serialize';
import { decodeImageBytes } from './lib/node-image';
import { loadOpenCvNode } from './lib/opencv-node';
import { contactSheet, naiveInput, rightProbability, score, type Score, type Scored } from './lib/photo-eval';

const USAGE = 'Usage: npm run eval:photos -- DIR [--map classes.json] [--model DIR] [--sheet OUT.png] [--worst N]';

function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      map: { type: 'string' },
      model: { type: 'string', default: resolve(import.meta.dirname, '..', 'resources', 'model') },
      sheet: { type: 'string', default: join(tmpdir(), 'tailor-eval-photos-worst.png') },
      worst: { type: 'string', default: '24' },
    },
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  return { dir: positionals[0]!, map: values.map, model: values.model, sheet: values.sheet, worst: Number(values.worst) };
}

async function loadModel(dir: string): Promise<{ model: tf.LayersModel; classNames: string[] }> {
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
  const model = await artifactsToModel({ modelJson, weights: new Uint8Array(await readFile(join(dir, 'weights.bin'))) });
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8').catch(() => '{}')) as { classNames?: string[] };
  return { model, classNames: meta.classNames ?? [...FASHION_MNIST_CLASSES] };
}

function predict(model: tf.LayersModel, input: Float32Array): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor4d(input, [1, 28, 28, 1])) as tf.Tensor).dataSync() as Float32Array);
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function report(name: string, s: Score): void {
  console.log(`${name.padEnd(38)} top-1 strict ${pct(s.top1).padStart(6)}   top-1 lenient ${pct(s.top1Lenient).padStart(6)}   top-3 strict ${pct(s.top3).padStart(6)}`);
}

function details(s: Score, classNames: readonly string[]): void {
  console.log('\nPer class (top-1 strict):');
  for (const [folder, [right, total]] of s.perFolder) console.log(`  ${folder.padEnd(12)} ${pct(right / total).padStart(6)}  (${right}/${total})`);
  const columns = [...classNames, 'refused'];
  console.log('\nConfusion (rows: folder, columns: answer):');
  console.log(`  ${''.padEnd(12)} ${columns.map((c) => c.slice(0, 7).padStart(7)).join(' ')}`);
  for (const [folder, cells] of s.confusion) console.log(`  ${folder.padEnd(12)} ${columns.map((c) => String(cells.get(c) ?? 0).padStart(7)).join(' ')}`);
}

interface Case {
  entry: PhotoEntry;
  app: Scored;
  heuristic: Scored;
  naive: Scored;
  sheet: { small: RGBAImage; mask: Mask; input: GrayImage } | null;
  ms: number;
}

async function main(): Promise<void> {
  const args = parse();
  const map = args.map ? parseClassMap(JSON.parse(await readFile(args.map, 'utf8'))) : undefined;
  await tf.setBackend('wasm');
  const { model, classNames } = await loadModel(args.model);
  const folder = await readPhotoFolder(args.dir, { ...(map ? { map } : {}), validation: 0, test: 0 });
  if (folder.plan.error) throw new Error(folder.plan.error);
  const refused = [...folder.plan.refused];
  const cases: Case[] = [];
  for (const entry of folder.plan.entries) {
    const base = { path: entry.path, folder: entry.folder, strict: entry.strict, lenient: entry.lenient };
    const decoded = await decodeImageBytes(await readFile(join(args.dir, entry.path)), entry.path);
    if (!decoded.ok) {
      refused.push({ path: entry.path, reason: decoded.message });
      const none = { ...base, probs: null };
      cases.push({ entry, app: none, heuristic: none, naive: none, sheet: null, ms: 0 });
      continue;
    }
    const t0 = performance.now();
    // The app's own function, handed the photo already decoded so the time is the pipeline's.
    const prepared = await prepareImage(new Blob([]), entry.path, { decode: async () => decoded, openCv: loadOpenCvNode });
    const ms = performance.now() - t0;
    if (!prepared.ok) refused.push({ path: entry.path, reason: prepared.message });
    const heuristic = preprocess(decoded.image);
    const mask = prepared.photo?.mask;
    cases.push({
      entry,
      app: { ...base, probs: prepared.ok ? predict(model, prepared.input) : null },
      heuristic: { ...base, probs: heuristic.empty ? null : predict(model, heuristic.input) },
      naive: { ...base, probs: predict(model, naiveInput(decoded.image)) },
      sheet: mask
        ? { small: shrinkRGBA(decoded.image, mask.width, mask.height), mask, input: grayImage(28, 28, (prepared.ok ? prepared.input : new Float32Array(784)).map((v) => 255 * v)) }
        : null,
      ms,
    });
  }
  const app = score(cases.map((c) => c.app), classNames);
  console.log(`${args.dir}: ${app.n} photos in ${app.perFolder.size} mapped folders, model ${args.model}\n`);
  report('naive (whole photo, inverted)', score(cases.map((c) => c.naive), classNames));
  report('heuristic only (before segmentation)', score(cases.map((c) => c.heuristic), classNames));
  report('app pipeline (segmentation)', app);
  details(app, classNames);
  console.log(`\nRefused (${refused.length}):`);
  for (const r of refused) console.log(`  ${r.path}: ${r.reason}`);
  const times = cases.filter((c) => c.sheet).map((c) => c.ms).sort((a, b) => a - b);
  const at = (q: number): string => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(0);
  console.log(`\nPhoto → 28×28 (decode excluded): median ${at(0.5)} ms, 95th percentile ${at(0.95)} ms, max ${at(1)} ms`);
  const worst = cases
    .filter((c) => c.sheet)
    .sort((a, b) => rightProbability(a.app, classNames) - rightProbability(b.app, classNames))
    .slice(0, args.worst);
  const sheet = contactSheet(worst.map((c) => c.sheet!));
  // pngjs filters rows before deflating: a third of the size of the app's minimal encoder here.
  const png = new PNG({ width: sheet.width, height: sheet.height });
  png.data = Buffer.from(sheet.data.buffer, sheet.data.byteOffset, sheet.data.byteLength);
  await writeFile(args.sheet, PNG.sync.write(png));
  console.log(`Contact sheet of the ${worst.length} worst (photo | mask | 28×28): ${args.sheet}`);
  for (const [i, c] of worst.entries()) {
    const order = Array.from(c.app.probs ?? []).map((p, k) => [p, k] as const).sort((a, b) => b[0] - a[0]);
    const said = order.length ? `${classNames[order[0]![1]]} ${pct(order[0]![0])}` : 'refused';
    console.log(`  ${String(i + 1).padStart(2)}. ${c.entry.path} → ${said}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
