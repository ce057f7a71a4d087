/**
 * Where an answer should be called unsure: a model over a labelled photo folder through the app's
 * own pipeline (decode → prepareImage → model), accuracy per confidence band, and the threshold
 * `chooseThreshold` picks (the UI's UNSURE_BELOW comes from this):
 *   npx tsx scripts/photo-confidence.ts ../shared/photos/validation --map ../shared/photos/classes.json [--model DIR]
 * Falls back to the committed fixtures (e2e/fixtures/photos) when no folder is given.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readPhotoFolder } from '../src-main/services/photo-folder';
import { parseClassMap } from '../src-shared/photo-folder';
import { FASHION_MNIST_CLASSES } from '../src-shared/types/dataset';
import { prepareImage } from '../src-renderer/src/classify/prepare-image';
import { artifactsToModel } from '../src-renderer/src/ml/serialize';
import { bands, chooseThreshold, type Judged } from '../src-renderer/src/view-logic/confidence';
import { decodeImageBytes } from './lib/node-image';
import { loadOpenCvNode } from './lib/opencv-node';

const root = resolve(import.meta.dirname, '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { map: { type: 'string' }, model: { type: 'string', default: join(root, 'resources', 'model') } },
});
const dir = positionals[0] ?? join(root, 'e2e', 'fixtures', 'photos');
const mapFile = values.map ?? join(dir, 'classes.json');

await tf.setBackend('wasm');
const modelJson = JSON.parse(await readFile(join(values.model, 'model.json'), 'utf8')) as Record<string, unknown>;
const model = await artifactsToModel({ modelJson, weights: new Uint8Array(await readFile(join(values.model, 'weights.bin'))) });
const meta = JSON.parse(await readFile(join(values.model, 'meta.json'), 'utf8').catch(() => '{}')) as { classNames?: string[]; hyper?: { pixelScale?: string } };
const classNames = meta.classNames ?? [...FASHION_MNIST_CLASSES];
const scale = meta.hyper?.pixelScale === 'raw' ? 255 : 1;
const map = parseClassMap(JSON.parse(await readFile(mapFile, 'utf8')));
const folder = await readPhotoFolder(dir, { map, validation: 0, test: 0 });
if (folder.plan.error) throw new Error(folder.plan.error);

const judged: Judged[] = [];
let refused = 0;
for (const entry of folder.plan.entries) {
  const decoded = await decodeImageBytes(await readFile(join(dir, entry.path)), entry.path);
  const prepared = decoded.ok ? await prepareImage(new Blob([]), entry.path, { decode: async () => decoded, openCv: loadOpenCvNode }) : null;
  if (!prepared?.ok) {
    refused++;
    continue;
  }
  const probs = tf.tidy(() => (model.predict(tf.tensor4d(prepared.input.map((v) => v * scale), [1, 28, 28, 1])) as tf.Tensor).dataSync());
  let top = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[top]!) top = k;
  judged.push({ confidence: probs[top]!, right: entry.strict.includes(classNames[top]!) });
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
console.log(`${dir}: ${judged.length} photos answered, ${refused} refused; model ${values.model}\n`);
console.log('confidence      answers   right');
for (const b of bands(judged)) {
  if (b.n) console.log(`${pct(b.from).padStart(6)}–${pct(b.to).padEnd(6)}  ${String(b.n).padStart(7)}   ${pct(b.right / b.n).padStart(6)}`);
}
const choice = chooseThreshold(judged);
console.log(`\nUnsure below ${pct(choice.threshold)}: ${choice.below.n} answers there, right ${pct(choice.below.accuracy)}; ${choice.above.n} above, right ${pct(choice.above.accuracy)}`);
