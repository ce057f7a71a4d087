/**
 * Issue 11.5: what a fine-tune on a user's own photos reaches, on ../shared/photos — learn from
 * train/, measure on validation/ (nothing else is looked at):
 *   npx tsx scripts/measure-own-photos.ts                      # the three measurements below
 *   npx tsx scripts/measure-own-photos.ts --case own --from scratch --epochs 30   # one experiment
 * (a) the ten folders as ten classes of their own, fine-tuned from the shipped model, and the same
 *     network from scratch; (b) the seven mapped folders onto Fashion-MNIST's classes (strict
 *     lists of classes.json), fine-tuned with Fashion-MNIST mixed in, and its Fashion-MNIST test
 *     accuracy; (c) the wall time of each, with progress lines throughout.
 * Photos go through the app's pipeline once and are cached (scripts/lib/photo-set.ts).
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { parseClassMap } from '../src-shared/photo-folder';
import { FASHION_MNIST_CLASSES } from '../src-shared/types/dataset';
import { evaluate } from '../src-renderer/src/ml/evaluate';
import { registerWasmTrainingKernels } from '../src-renderer/src/ml/wasm-kernels';
import { registerThreadedWasm } from './node-wasm-threads';
import { loadSplit } from './lib/fashion-mnist';
import { photoData, type Naming, type PhotoData } from './lib/photo-dataset';
import { preparePhotoFolder } from './lib/photo-set';
import { printPhotoReport, scorePhotos } from './lib/photo-report';
import { fineTuneRun, MAPPED_SETTINGS, OWN_SCRATCH_SETTINGS, OWN_SETTINGS, type RunSettings } from './lib/photo-run';

const ROOT = resolve(import.meta.dirname, '..');

function parse() {
  const { values } = parseArgs({
    options: {
      photos: { type: 'string', default: join(ROOT, '..', 'shared', 'photos') },
      case: { type: 'string' },
      from: { type: 'string' },
      epochs: { type: 'string' },
      lr: { type: 'string' },
      batch: { type: 'string' },
      mix: { type: 'string' },
      freeze: { type: 'string' },
      'base-lr': { type: 'string' },
      augment: { type: 'string' },
      lenient: { type: 'boolean', default: false },
      seed: { type: 'string' },
      threads: { type: 'string' },
      smoothing: { type: 'string' },
      balance: { type: 'string' },
    },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const overrides: Partial<RunSettings> = Object.fromEntries(
    Object.entries({
      from: values.from === undefined ? undefined : values.from === 'scratch' ? null : resolve(values.from),
      epochs: num(values.epochs),
      learningRate: num(values.lr),
      batchSize: num(values.batch),
      mixRatio: num(values.mix),
      freezeLayers: num(values.freeze),
      baseLrFactor: num(values['base-lr']),
      augment: values.augment as RunSettings['augment'] | undefined,
      seed: num(values.seed),
      labelSmoothing: num(values.smoothing),
      balance: num(values.balance),
    }).filter(([, v]) => v !== undefined),
  );
  return { photos: values.photos, only: values.case, lenient: values.lenient, overrides, threads: Number(values.threads ?? availableParallelism()) };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

interface Measured {
  name: string;
  top1: number;
  top1Flip: number;
  top3: number;
  lenient?: number;
  fashionMnist?: number;
  minutes: number;
}

async function measure(name: string, train: PhotoData, valDir: string, naming: Naming, settings: RunSettings): Promise<Measured> {
  console.log(`\n== ${name}: ${train.labels.length} training photos; ${JSON.stringify(settings)}`);
  const fm = settings.mixRatio > 0 ? await loadSplit('train') : null;
  const { model, ms } = await fineTuneRun(train, settings, fm ? { images: fm.images, labels: fm.labels } : null);
  const r = await scorePhotos(model, valDir, naming, train.labelNames);
  printPhotoReport(valDir, r);
  const out: Measured = { name, top1: r.top1, top1Flip: r.top1Flip, top3: r.top3, minutes: ms / 60_000 };
  if (naming.kind === 'mapped') out.lenient = r.top1Lenient;
  if (fm) {
    const test = await loadSplit('test');
    out.fashionMnist = (await evaluate(model, test.images, test.labels, 10)).acc;
    console.log(`Fashion-MNIST test accuracy ${pct(out.fashionMnist)}`);
  }
  model.dispose();
  return out;
}

async function main(): Promise<void> {
  const args = parse();
  registerThreadedWasm(args.threads);
  registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('The wasm backend did not start.');
  const map = parseClassMap(JSON.parse(await readFile(join(args.photos, 'classes.json'), 'utf8')));
  const progress = (what: string) => (done: number, total: number) => {
    if (done % 500 === 0 || done === total) console.log(`  ${what}: ${done}/${total} photos prepared`);
  };
  const trainDir = await preparePhotoFolder(join(args.photos, 'train'), { onProgress: progress('train') });
  const valDir = join(args.photos, 'validation');
  await preparePhotoFolder(valDir, { onProgress: progress('validation') });
  const shipped = join(ROOT, 'resources', 'model');
  const results: Measured[] = [];

  if (!args.only || args.only === 'own') {
    const train = photoData(trainDir, { kind: 'own' });
    const base = { ...OWN_SETTINGS, from: shipped, ...args.overrides };
    results.push(await measure(`own classes (${train.labelNames.length}), ${base.from ? 'fine-tuned from the shipped model' : 'from scratch'}`, train, valDir, { kind: 'own' }, base));
    if (!args.only) results.push(await measure('own classes, from scratch', train, valDir, { kind: 'own' }, { ...OWN_SCRATCH_SETTINGS }));
  }
  if (!args.only || args.only === 'mapped') {
    const naming: Naming = { kind: 'mapped', map, classNames: FASHION_MNIST_CLASSES, lenient: args.lenient };
    const train = photoData(trainDir, naming);
    const settings = { ...MAPPED_SETTINGS, from: shipped, ...args.overrides };
    results.push(await measure(`mapped folders (${train.labelNames.length}) onto Fashion-MNIST, ${settings.from ? 'fine-tuned' : 'from scratch'}${args.lenient ? ', lenient lists' : ''}`, train, valDir, naming, settings));
  }

  console.log('\n| run | top-1 | top-1, flip-averaged | top-3 | top-1 lenient | Fashion-MNIST test | wall time |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const opt = (x?: number): string => (x === undefined ? '–' : pct(x));
    console.log(`| ${r.name} | ${pct(r.top1)} | ${pct(r.top1Flip)} | ${pct(r.top3)} | ${opt(r.lenient)} | ${opt(r.fashionMnist)} | ${r.minutes.toFixed(1)} min |`);
  }
}


main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
