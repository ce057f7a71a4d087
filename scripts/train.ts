/**
 * Headless training with the app's own ml/ code, in Node on the wasm (or cpu) backend:
 *   npm run train -- --preset best --epochs 8 --out DIR
 *   npm run train -- --preset best --photos ../shared/photos/train --map ../shared/photos/classes.json --photo-augment --out DIR
 *   npm run train -- --init resources/model --photos DIR --own-classes --epochs 10 --lr 2e-3 --out DIR
 * Learns from Fashion-MNIST, from a folder-per-class photo set mapped onto its classes (each folder
 * allowing the classes classes.json lists; Fashion-MNIST mixed into every epoch), or from photos
 * whose folders are classes of their own; --init starts from a saved model (its output layer kept
 * when the classes are its own, else new). Scores on Fashion-MNIST's test set (and, with
 * --val-photos, on other photos), and writes model.json, weights.bin and meta.json into --out.
 */
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { ModelMeta } from '../src-shared/types/model';
import type { Hyperparameters } from '../src-shared/types/train';
import { DEFAULT_PHOTO_AUGMENT } from '../src-renderer/src/ml/augment';
import { TrainData } from '../src-renderer/src/ml/data';
import { evaluate } from '../src-renderer/src/ml/evaluate';
import { summarize } from '../src-renderer/src/ml/layers';
import { getPreset, isPresetId, PRESETS } from '../src-renderer/src/ml/presets';
import { modelToArtifacts } from '../src-renderer/src/ml/serialize';
import { Trainer } from '../src-renderer/src/ml/trainer';
import { registerWasmTrainingKernels } from '../src-renderer/src/ml/wasm-kernels';
import { registerThreadedWasm } from './node-wasm-threads';
import { DATA_DIR } from './lib/fashion-mnist';
import { startingModel, writeModelDir, type Start } from './lib/model-dir';
import { printPhotoReport, scorePhotos } from './lib/photo-report';
import { loadSources, type Sources } from './lib/train-sources';

const SHIPPED_DIR = resolve(import.meta.dirname, '..', 'resources', 'model');

const USAGE = `Usage: npm run train -- --preset <${PRESETS.map((p) => p.id).join('|')}> --out DIR
  [--epochs N] [--batch N] [--seed N] [--limit N] [--patience N] [--lr RATE] [--smoothing E] [--val-split F]
  [--backend wasm|cpu] [--threads N (wasm; default: all cores)] [--data DIR] [--name NAME]
  [--init DIR (start from a saved model: fine-tune)] [--freeze N] [--base-lr FACTOR]
  [--photos DIR (one folder per class) --map classes.json [--lenient] [--mix R] [--photo-repeat N] | --own-classes]
  [--photo-augment] [--val-photos DIR (report on these photos at the end)]`;

function parse() {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'best' },
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
      smoothing: { type: 'string' },
      'val-split': { type: 'string' },
      init: { type: 'string' },
      freeze: { type: 'string' },
      'base-lr': { type: 'string' },
      photos: { type: 'string' },
      map: { type: 'string' },
      lenient: { type: 'boolean', default: false },
      mix: { type: 'string' },
      'photo-repeat': { type: 'string' },
      'own-classes': { type: 'boolean', default: false },
      'photo-augment': { type: 'boolean', default: false },
      'val-photos': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!isPresetId(values.preset) || !values.out) throw new Error(USAGE);
  if (values.backend !== 'wasm' && values.backend !== 'cpu') throw new Error('--backend must be wasm or cpu');
  const preset = getPreset(values.preset);
  const num = (flag: string, v: string | undefined, fallback: number, ok: (n: number) => boolean, what: string): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!ok(n)) throw new Error(`--${flag} must be ${what}`);
    return n;
  };
  const int = (flag: string, v: string | undefined, fallback: number, min: number) => num(flag, v, fallback, (n) => Number.isInteger(n) && n >= min, `an integer ≥ ${min}`);
  const hyper: Hyperparameters = {
    ...preset.hyper,
    epochs: int('epochs', values.epochs, preset.hyper.epochs, 1),
    batchSize: int('batch', values.batch, preset.hyper.batchSize, 1),
    seed: int('seed', values.seed, preset.hyper.seed, 0),
    limit: int('limit', values.limit, preset.hyper.limit, 0),
    patience: int('patience', values.patience, preset.hyper.patience, 0),
    learningRate: num('lr', values.lr, preset.hyper.learningRate, (n) => n > 0 && n <= 10, 'a number in (0, 10]'),
    labelSmoothing: num('smoothing', values.smoothing, preset.hyper.labelSmoothing, (n) => n >= 0 && n <= 0.5, 'in [0, 0.5]'),
    // Photos: every one trains (validation/ measures them); a hold-out only when asked for.
    validationSplit: num('val-split', values['val-split'], values.photos ? 0 : preset.hyper.validationSplit, (n) => n >= 0 && n < 0.5, 'in [0, 0.5)'),
  };
  if (values['photo-augment']) hyper.augment = { ...hyper.augment, photo: DEFAULT_PHOTO_AUGMENT };
  if (values['own-classes'] && (values.map || values.mix)) throw new Error('--own-classes takes the folders as classes: no --map or --mix');
  if (values['val-photos'] && !values.map && !values['own-classes']) throw new Error('--val-photos needs --map classes.json or --own-classes');
  return {
    preset,
    hyper,
    out: resolve(values.out),
    backend: values.backend,
    name: values.name,
    init: values.init === undefined ? null : resolve(values.init),
    freeze: int('freeze', values.freeze, 0, 0),
    baseLrFactor: num('base-lr', values['base-lr'], 1, (n) => n > 0 && n <= 10, 'a number in (0, 10]'),
    threads: int('threads', values.threads, availableParallelism(), 1),
    valPhotos: values['val-photos'] ?? null,
    sources: {
      dataDir: values.data,
      photos: values.photos ?? null,
      map: values.map ?? null,
      lenient: values.lenient,
      ownClasses: values['own-classes'],
      mix: values.mix === undefined ? null : num('mix', values.mix, 1, (n) => n > 0, 'a number above 0'),
      photoRepeat: int('photo-repeat', values['photo-repeat'], 1, 1),
    },
  };
}

type Args = ReturnType<typeof parse>;

async function train(args: Args, sources: Sources, start: Start) {
  const { hyper } = args;
  const data = new TrainData(sources.main.images, sources.main.labels, {
    rows: sources.main.rows,
    cols: sources.main.cols,
    classCount: sources.classNames.length,
    validationSplit: hyper.validationSplit,
    seed: hyper.seed,
    limit: hyper.limit,
    pixelScale: hyper.pixelScale,
    ...(sources.main.targets ? { targets: sources.main.targets } : {}),
    ...(sources.mix ? { mix: sources.mix } : {}),
  });
  let lastReport = 0;
  const trainer = new Trainer(
    start.model,
    data,
    hyper,
    {
      onBatch: (b) => {
        // A progress line every 30 s so a long log shows the run is alive and how fast it goes.
        if (performance.now() - lastReport < 30_000) return;
        lastReport = performance.now();
        console.log(`  epoch ${b.epoch} batch ${b.batch}/${b.batches} loss ${b.loss.toFixed(4)} acc ${b.acc.toFixed(4)} ${Math.round(b.imagesPerSecond)} img/s`);
      },
      onEpoch: (m) => {
        const val = m.valAcc === null ? '' : ` val_loss ${m.valLoss!.toFixed(4)} val_acc ${m.valAcc.toFixed(4)}`;
        console.log(`epoch ${m.epoch}/${hyper.epochs} loss ${m.loss.toFixed(4)} acc ${m.acc.toFixed(4)}${val} lr ${m.lr.toExponential(2)} ${(m.ms / 1000).toFixed(1)} s`);
      },
    },
    { baseLrFactor: start.base ? args.baseLrFactor : 1 },
  );
  process.once('SIGINT', () => {
    console.log('Stopping after this batch; the model so far will be saved.');
    trainer.stop();
  });
  console.log(`${data.trainCount.toLocaleString('en')} images per epoch (${sources.main.labels.length.toLocaleString('en')} ${sources.photos ? 'photos' : 'images'}${sources.mix ? ' + a Fashion-MNIST draw' : ''}), ${data.valCount} held out`);
  try {
    return await trainer.run();
  } finally {
    data.dispose();
  }
}

async function main(): Promise<void> {
  const args = parse();
  const { preset, hyper, out } = args;
  if (args.backend === 'wasm') {
    // tfjs runs Node's wasm single-threaded; this starts its threaded build (XNNPACK on `threads`).
    registerThreadedWasm(args.threads);
    registerWasmTrainingKernels();
  }
  if (!(await tf.setBackend(args.backend))) throw new Error(`Backend ${args.backend} is not available`);
  await tf.ready();
  const threads = getThreadsCount();
  const backendLabel = args.backend === 'wasm' ? `wasm, ${threads} thread${threads > 1 ? 's' : ''}` : args.backend;

  const sources = await loadSources(args.sources);
  const start = await startingModel({ from: args.init, layers: preset.layers, classNames: sources.classNames, seed: hyper.seed, freeze: args.freeze });
  const summary = summarize(start.layers, [sources.main.rows, sources.main.cols, 1]);
  console.log(
    `${start.base?.name ?? preset.name} (${summary.total.toLocaleString('en')} params) on ${backendLabel}; ` +
      `epochs ${hyper.epochs}, batch ${hyper.batchSize}, ${hyper.optimizer} ${hyper.learningRate}, seed ${hyper.seed}`,
  );
  const result = await train(args, sources, start);
  const { model } = start;
  console.log(`${result.outcome} after ${result.history.length} epochs in ${(result.trainingMs / 60_000).toFixed(1)} min, ${Math.round(result.imagesPerSecond)} img/s`);

  const evaluation = sources.test ? await evaluate(model, sources.test.images, sources.test.labels, 10, { pixelScale: hyper.pixelScale }) : null;
  if (evaluation) console.log(`test loss ${evaluation.loss.toFixed(4)} test acc ${(evaluation.acc * 100).toFixed(2)}%`);
  if (args.valPhotos) {
    if (!sources.naming) throw new Error('unreachable: parse() requires --map or --own-classes with --val-photos');
    const labelNames = sources.photos?.labelNames ?? Object.keys(sources.naming.kind === 'mapped' ? sources.naming.map.strict : {});
    printPhotoReport(args.valPhotos, await scorePhotos(model, args.valPhotos, sources.naming, labelNames));
  }
  const builtIn = out === SHIPPED_DIR;
  const before = start.base;
  const meta: ModelMeta = {
    id: builtIn ? 'builtin' : basename(out),
    name: args.name ?? (builtIn ? `${preset.name} (shipped)` : (before?.name ?? preset.name)),
    preset: before?.preset ?? preset.id,
    layers: start.layers,
    hyper,
    // A fine-tune (--init) carries the saved model's history and training time over.
    history: [...(before?.history ?? []), ...result.history.map((e) => ({ ...e, epoch: e.epoch + (before?.history.length ?? 0) }))],
    testMetrics: evaluation ? { loss: evaluation.loss, acc: evaluation.acc, confusion: evaluation.confusion } : null,
    backend: args.backend,
    trainingMs: Math.round(result.trainingMs + (before?.trainingMs ?? 0)),
    createdAt: new Date().toISOString(),
    dataset: sources.dataset,
    classNames: sources.classNames,
    inputShape: [sources.main.rows, sources.main.cols, 1],
    params: model.countParams(),
    ...(sources.photoSet ? { photoSet: sources.photoSet } : {}),
    ...(builtIn ? { builtIn: true } : {}),
  };
  // Layers frozen for the run (--freeze) are saved trainable, their weights in layer order.
  for (const layer of model.layers) layer.trainable = true;
  const files = await modelToArtifacts(model);
  await writeModelDir(out, files, meta);
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
