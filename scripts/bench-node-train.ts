/**
 * Tailor's Node path (what `npm run train` runs): the app's Trainer on tfjs's wasm backend with
 * Tailor's kernels. The peer bench runs it as a child process per measurement, since a process
 * starts the wasm backend once, with one thread count:
 *   npx tsx scripts/bench-node-train.ts --threads 2 --preset report-fixed --batch 128 --images 3072
 * prints {"imagesPerSecond", "matmulGflops", "threads"} as JSON.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { readIdxFile } from '../src-main/services/idx';
import { TrainData } from '../src-renderer/src/ml/data';
import { buildModel } from '../src-renderer/src/ml/layers';
import { getPreset, type PresetId } from '../src-renderer/src/ml/presets';
import { Trainer } from '../src-renderer/src/ml/trainer';
import { registerWasmTrainingKernels } from '../src-renderer/src/ml/wasm-kernels';
import { registerThreadedWasm } from './node-wasm-threads';

const DATA_DIR = '/usr/share/datasets/fashion-mnist';

let train: { images: Uint8Array; labels: Uint8Array } | null = null;

async function ready(): Promise<{ images: Uint8Array; labels: Uint8Array }> {
  if (tf.getBackend() !== 'wasm') {
    registerWasmTrainingKernels();
    if (!(await tf.setBackend('wasm'))) throw new Error('The wasm backend did not start.');
  }
  if (train) return train;
  const [x, y] = await Promise.all([
    readIdxFile(join(DATA_DIR, 'train-images-idx3-ubyte.gz'), { expect: 'images' }),
    readIdxFile(join(DATA_DIR, 'train-labels-idx1-ubyte.gz'), { expect: 'labels', classCount: 10 }),
  ]);
  return (train = { images: x.data, labels: y.data });
}

/** Wall and process-CPU milliseconds of one run (CPU time is what a busy shared machine cannot steal). */
async function timeTrainer(presetId: PresetId, images: number, batchSize: number): Promise<{ ms: number; cpuMs: number }> {
  const d = await ready();
  const preset = getPreset(presetId);
  const hyper = { ...preset.hyper, batchSize, epochs: 1, validationSplit: 0, limit: 0, patience: 0 };
  const data = new TrainData(d.images.subarray(0, images * 784), d.labels.subarray(0, images), {
    rows: 28,
    cols: 28,
    classCount: 10,
    validationSplit: 0,
    seed: 1,
  });
  const model = buildModel(preset.layers, { seed: 1 });
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await new Trainer(model, data, hyper).run();
    const cpu = process.cpuUsage(cpu0);
    return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    model.dispose();
    data.dispose();
  }
}

/**
 * images/s of `images` images in batches of `batchSize`, best of `repeats` after a one-batch
 * warm-up; and images per CPU-second of the process (all its threads), best of the same runs.
 */
export async function benchNodeTrain(
  presetId: PresetId,
  batchSize: number,
  images: number,
  repeats: number,
): Promise<{ imagesPerSecond: number; imagesPerCpuSecond: number }> {
  await timeTrainer(presetId, batchSize, batchSize);
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < repeats; r++) {
    const { ms, cpuMs } = await timeTrainer(presetId, images, batchSize);
    best = Math.min(best, ms);
    bestCpu = Math.min(bestCpu, cpuMs);
  }
  return { imagesPerSecond: (images / best) * 1000, imagesPerCpuSecond: (images / bestCpu) * 1000 };
}

/** GFLOP/s of a 1024² float32 matMul on wasm in Node (one thread), best of 5 after 2 warm-ups. */
export async function nodeMatmulPeak(n = 1024): Promise<number> {
  await ready();
  const [a, b] = [tf.randomUniform([n, n]), tf.randomUniform([n, n])];
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    if (i >= 2) best = Math.min(best, performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / best / 1e6;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { threads: { type: 'string', default: '1' }, preset: { type: 'string' }, batch: { type: 'string' }, images: { type: 'string' } },
  });
  registerThreadedWasm(Number(values.threads));
  const speed = await benchNodeTrain(values.preset as PresetId, Number(values.batch), Number(values.images), 1);
  const matmulGflops = await nodeMatmulPeak();
  console.log(JSON.stringify({ ...speed, matmulGflops, threads: getThreadsCount() }));
  // The threaded build's pthread workers would keep the process alive.
  process.exit(0);
}
