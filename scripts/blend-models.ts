/**
 * Weight-space averaging of a fine-tuned model with the model it started from (WiSE-FT, Wortsman
 * et al., "Robust fine-tuning of zero-shot models", CVPR 2022): every weight (and batch-norm
 * statistic) becomes (1 − alpha)·start + alpha·tuned. A fine-tune on photos gains photos and loses
 * some Fashion-MNIST; the average keeps most of both, at no training cost.
 *   npx tsx scripts/blend-models.ts --start resources/model --tuned DIR --alpha 0.6 --out DIR \
 *     [--val-photos ../shared/photos/validation --map ../shared/photos/classes.json]
 * Scores the result on Fashion-MNIST's test set (and the photos), and writes it as `npm run train`
 * does, with the tuned model's meta.json (its photoSet records alpha).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseClassMap } from '../src-shared/photo-folder';
import { FASHION_MNIST_CLASSES } from '../src-shared/types/dataset';
import type { ModelMeta } from '../src-shared/types/model';
import { evaluate } from '../src-renderer/src/ml/evaluate';
import { artifactsToModel, modelToArtifacts } from '../src-renderer/src/ml/serialize';
import { loadSplit } from './lib/fashion-mnist';
import { readModelDir, writeModelDir } from './lib/model-dir';
import { printPhotoReport, scorePhotos } from './lib/photo-report';
import { readFile } from 'node:fs/promises';

const USAGE = 'Usage: npx tsx scripts/blend-models.ts --start DIR --tuned DIR --alpha A --out DIR [--val-photos DIR --map classes.json]';
const SHIPPED_DIR = resolve(import.meta.dirname, '..', 'resources', 'model');

function parse() {
  const { values } = parseArgs({
    options: {
      start: { type: 'string' },
      tuned: { type: 'string' },
      alpha: { type: 'string' },
      out: { type: 'string' },
      'val-photos': { type: 'string' },
      map: { type: 'string' },
    },
  });
  const alpha = Number(values.alpha);
  if (!values.start || !values.tuned || !values.out || !(alpha >= 0 && alpha <= 1)) throw new Error(USAGE);
  if (values['val-photos'] && !values.map) throw new Error('--val-photos needs --map');
  return { start: values.start, tuned: values.tuned, alpha, out: resolve(values.out), valPhotos: values['val-photos'], map: values.map };
}

/** The tuned model with every weight moved back towards the start: (1 − alpha)·start + alpha·tuned. */
async function blend(startDir: string, tunedDir: string, alpha: number): Promise<{ model: tf.LayersModel; meta: ModelMeta }> {
  const start = await readModelDir(startDir);
  const tuned = await readModelDir(tunedDir);
  if (JSON.stringify(start.meta.classNames) !== JSON.stringify(tuned.meta.classNames)) throw new Error('the two models have different classes');
  const a = await artifactsToModel(start.files);
  const model = await artifactsToModel(tuned.files);
  // Layer by layer: a model's flat weight list puts frozen layers' weights last.
  if (a.layers.length !== model.layers.length) throw new Error('the two models have different networks');
  model.layers.forEach((layer, l) => {
    const wa = a.layers[l]!.getWeights();
    const wb = layer.getWeights();
    if (wa.length !== wb.length || wa.some((w, i) => w.shape.join() !== wb[i]!.shape.join())) throw new Error('the two models have different networks');
    const mixed = wa.map((w, i) => tf.tidy(() => tf.add(tf.mul(w, 1 - alpha), tf.mul(wb[i]!, alpha))));
    layer.setWeights(mixed);
    tf.dispose(mixed);
  });
  a.dispose();
  // A run that froze layers saved them as untrainable (and their weights last): saved models are
  // stored trainable, with their weights in layer order.
  for (const layer of model.layers) layer.trainable = true;
  return { model, meta: tuned.meta };
}

async function main(): Promise<void> {
  const args = parse();
  if (!(await tf.setBackend('wasm'))) throw new Error('The wasm backend did not start.');
  const { model, meta } = await blend(args.start, args.tuned, args.alpha);
  const test = await loadSplit('test');
  const ev = await evaluate(model, test.images, test.labels, 10, { pixelScale: meta.hyper.pixelScale });
  console.log(`alpha ${args.alpha}: Fashion-MNIST test acc ${(ev.acc * 100).toFixed(2)}% (loss ${ev.loss.toFixed(4)})`);
  if (args.valPhotos && args.map) {
    const map = parseClassMap(JSON.parse(await readFile(args.map, 'utf8')));
    const r = await scorePhotos(model, args.valPhotos, { kind: 'mapped', map, classNames: FASHION_MNIST_CLASSES }, Object.keys(map.strict));
    printPhotoReport(args.valPhotos, r);
  }
  const builtIn = args.out === SHIPPED_DIR;
  const out: ModelMeta = {
    ...meta,
    id: builtIn ? 'builtin' : meta.id,
    testMetrics: { loss: ev.loss, acc: ev.acc, confusion: ev.confusion },
    createdAt: new Date().toISOString(),
    ...(meta.photoSet ? { photoSet: { ...meta.photoSet, blend: args.alpha } } : {}),
    ...(builtIn ? { builtIn: true } : {}),
  };
  const files = await modelToArtifacts(model);
  await writeModelDir(args.out, files, out);
  console.log(`wrote ${args.out}`);
  model.dispose();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
