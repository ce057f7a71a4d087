/**
 * Headless training with the app's own ml/ code, in Node on the wasm (or cpu) backend:
 *   npm run train -- --preset best --epochs 8 --out resources/model
 * Reads Fashion-MNIST, trains, evaluates on the 10k test images and writes model.json,
 * weights.bin and meta.json (a ModelMeta) into --out, printing one line per epoch.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { writeFolderAtomic } from '../src-main/services/atomic';
import { md5Hex } from '../src-main/services/dataset-cache';
import { decompressIdx, readIdxFile } from '../src-main/services/idx';
import { FASHION_MNIST_CLASSES, PART_NAMES, type PartName } from '../src-shared/types/dataset';
import type { ModelMeta } from '../src-shared/types/model';
import type { Hyperparameters } from '../src-shared/types/train';
import { TrainData } from '../src-renderer/src/ml/data';
import { evaluate } from '../src-renderer/src/ml/evaluate';
import { buildModel, summarize } from '../src-renderer/src/ml/layers';
import { getPreset, isPresetId, PRESETS } from '../src-renderer/src/ml/presets';
import { artifactsToModel, modelToArtifacts } from '../src-renderer/src/ml/serialize';
import { Trainer } from '../src-renderer/src/ml/trainer';
import { registerWasmTrainingKernels } from '../src-renderer/src/ml/wasm-kernels';
import { registerThreadedWasm } from './node-wasm-threads';

const DATA_DIR = '/usr/share/datasets/fashion-mnist';
const FILES: Record<PartName, string> = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};
const SHIPPED_DIR = resolve(import.meta.dirname, '..', 'resources', 'model');

const USAGE = `Usage: npm run train -- --preset <${PRESETS.map((p) => p.id).join('|')}> --out DIR
  [--epochs N] [--batch N] [--seed N] [--limit N] [--patience N] [--backend wasm|cpu] [--threads N (wasm; default: all cores)]
  [--data DIR] [--name NAME] [--lr RATE] [--init DIR (continue from a model saved by this script)]`;

function parse() {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string' },
      out: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      seed: { type: 'string' },
      limit: { type: 'string' },
      patience: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      threads: { type: 'string' },
      data: { type: 'string', default: DATA_DIR },
      name: { type: 'string' },
      lr: { type: 'string' },
      init: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.preset || !isPresetId(values.preset) || !values.out) throw new Error(USAGE);
  if (values.backend !== 'wasm' && values.backend !== 'cpu') throw new Error('--backend must be wasm or cpu');
  const preset = getPreset(values.preset);
  const int = (flag: string, v: string | undefined, fallback: number, min: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer ≥ ${min}`);
    return n;
  };
  const hyper: Hyperparameters = {
    ...preset.hyper,
    epochs: int('epochs', values.epochs, preset.hyper.epochs, 1),
    batchSize: int('batch', values.batch, preset.hyper.batchSize, 1),
    seed: int('seed', values.seed, preset.hyper.seed, 0),
    limit: int('limit', values.limit, preset.hyper.limit, 0),
    patience: int('patience', values.patience, preset.hyper.patience, 0),
  };
  if (values.lr !== undefined) {
    const lr = Number(values.lr);
    if (!(lr > 0 && lr <= 10)) throw new Error('--lr must be a number in (0, 10]');
    hyper.learningRate = lr;
  }
  const init = values.init === undefined ? null : resolve(values.init);
  const threads = int('threads', values.threads, availableParallelism(), 1);
  return { preset, hyper, out: resolve(values.out), backend: values.backend, dataDir: values.data, name: values.name, init, threads };
}

/** MD5 of the decompressed file: what the app's datasets:load reports, however the file is packed. */
async function rawMd5(path: string): Promise<string> {
  return md5Hex(await decompressIdx(await readFile(path), path));
}

async function loadSplit(dataDir: string, images: PartName, labels: PartName) {
  const [x, y] = await Promise.all([
    readIdxFile(join(dataDir, FILES[images]), { expect: 'images' }),
    readIdxFile(join(dataDir, FILES[labels]), { expect: 'labels', classCount: 10 }),
  ]);
  if (x.count !== y.count) throw new Error(`${FILES[images]} and ${FILES[labels]} differ in count`);
  return { images: x.data, labels: y.data, rows: x.rows, cols: x.cols };
}

/** Loads the weights of a model saved by this script into `model` (built from the same preset). */
async function loadInit(dir: string, presetId: string, model: tf.LayersModel): Promise<ModelMeta> {
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as ModelMeta;
  if (meta.preset !== presetId) throw new Error(`--init ${dir} holds a ${meta.preset} model, not ${presetId}`);
  const weights = await readFile(join(dir, 'weights.bin'));
  const loaded = await artifactsToModel({
    modelJson: JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>,
    weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
  });
  model.setWeights(loaded.getWeights());
  loaded.dispose();
  console.log(`continuing from ${dir} (${meta.history.length} epochs, test acc ${((meta.testMetrics?.acc ?? 0) * 100).toFixed(2)}%)`);
  return meta;
}

async function main(): Promise<void> {
  const { preset, hyper, out, backend, dataDir, name, init, threads } = parse();
  if (backend === 'wasm') {
    // tfjs runs Node's wasm single-threaded; this starts its threaded build (XNNPACK on `threads`).
    registerThreadedWasm(threads);
    registerWasmTrainingKernels();
  }
  if (!(await tf.setBackend(backend))) throw new Error(`Backend ${backend} is not available`);
  await tf.ready();
  const backendLabel = backend === 'wasm' ? `wasm, ${getThreadsCount()} thread${getThreadsCount() > 1 ? 's' : ''}` : backend;

  const checksums = Object.fromEntries(
    await Promise.all(PART_NAMES.map(async (p) => [p, await rawMd5(join(dataDir, FILES[p]))] as const)),
  ) as Record<PartName, string>;
  const train = await loadSplit(dataDir, 'trainImages', 'trainLabels');
  const test = await loadSplit(dataDir, 'testImages', 'testLabels');
  const summary = summarize(preset.layers, [train.rows, train.cols, 1]);
  console.log(
    `${preset.name} (${summary.total.toLocaleString('en')} params) on ${backendLabel}; ` +
      `epochs ${hyper.epochs}, batch ${hyper.batchSize}, ${hyper.optimizer} ${hyper.learningRate}, seed ${hyper.seed}`,
  );

  const data = new TrainData(train.images, train.labels, {
    rows: train.rows,
    cols: train.cols,
    classCount: 10,
    validationSplit: hyper.validationSplit,
    seed: hyper.seed,
    limit: hyper.limit,
    pixelScale: hyper.pixelScale,
  });
  const model = buildModel(preset.layers, { inputShape: [train.rows, train.cols, 1], seed: hyper.seed });
  // --init: continue from a model this script saved (same preset), e.g. a short fine-tune at a
  // low learning rate; its history and training time carry over into the new meta.json.
  const before = init ? await loadInit(init, preset.id, model) : null;
  let lastReport = 0;
  const trainer = new Trainer(model, data, hyper, {
    onBatch: (b) => {
      // A progress line every 30 s so a long log shows the run is alive and how fast it goes.
      if (performance.now() - lastReport < 30_000) return;
      lastReport = performance.now();
      console.log(
        `  epoch ${b.epoch} batch ${b.batch}/${b.batches} loss ${b.loss.toFixed(4)} acc ${b.acc.toFixed(4)} ` +
          `${Math.round(b.imagesPerSecond)} img/s`,
      );
    },
    onEpoch: (m) => {
      const val = m.valAcc === null ? '' : ` val_loss ${m.valLoss!.toFixed(4)} val_acc ${m.valAcc.toFixed(4)}`;
      console.log(
        `epoch ${m.epoch}/${hyper.epochs} loss ${m.loss.toFixed(4)} acc ${m.acc.toFixed(4)}${val} ` +
          `lr ${m.lr.toExponential(2)} ${(m.ms / 1000).toFixed(1)} s`,
      );
    },
  });
  process.once('SIGINT', () => {
    console.log('Stopping after this batch; the model so far will be saved.');
    trainer.stop();
  });
  const result = await trainer.run();
  data.dispose();
  console.log(
    `${result.outcome} after ${result.history.length} epochs in ${(result.trainingMs / 60_000).toFixed(1)} min, ` +
      `${Math.round(result.imagesPerSecond)} img/s`,
  );

  const evaluation = await evaluate(model, test.images, test.labels, 10, { pixelScale: hyper.pixelScale });
  console.log(`test loss ${evaluation.loss.toFixed(4)} test acc ${(evaluation.acc * 100).toFixed(2)}%`);
  const builtIn = out === SHIPPED_DIR;
  const meta: ModelMeta = {
    id: builtIn ? 'builtin' : basename(out),
    name: name ?? (builtIn ? `${preset.name} (shipped)` : preset.name),
    preset: preset.id,
    layers: preset.layers,
    hyper,
    history: [...(before?.history ?? []), ...result.history.map((e) => ({ ...e, epoch: e.epoch + (before?.history.length ?? 0) }))],
    testMetrics: { loss: evaluation.loss, acc: evaluation.acc, confusion: evaluation.confusion },
    backend,
    trainingMs: Math.round(result.trainingMs + (before?.trainingMs ?? 0)),
    createdAt: new Date().toISOString(),
    dataset: { id: 'fashion-mnist', name: 'Fashion-MNIST', checksums },
    classNames: [...FASHION_MNIST_CLASSES],
    inputShape: [train.rows, train.cols, 1],
    params: model.countParams(),
    ...(builtIn ? { builtIn: true } : {}),
  };
  const files = await modelToArtifacts(model);
  // The app's crash-safe folder write: a crash leaves the old model or the new one, never half.
  await writeFolderAtomic(out, {
    'model.json': JSON.stringify(files.modelJson),
    'weights.bin': files.weights,
    'meta.json': `${JSON.stringify(meta, null, 2)}\n`,
  });
  console.log(`wrote ${out} (weights ${(files.weights.byteLength / 1e6).toFixed(2)} MB)`);
  model.dispose();
}

main().then(
  // The threaded wasm build's pthread workers would keep the process alive.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
