// Benchmarks that need a browser, run by scripts/bench.ts in Chromium: Tailor's training loop vs a
// plain model.fit of the same model on the same backend (side by side, same run), single-image
// prediction latency, and the cold dataset load to ready-to-train tensors.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
// Patches the WebGPU/WebGL prototypes before any backend starts (benchGpuStep counts through it).
import { startCounting, stopCounting, type GpuCounts } from './gpu-counters';
import { presetStep, profileStep } from './kernel-profile';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { buildModel } from '../../src-renderer/src/ml/layers';
import { TrainData } from '../../src-renderer/src/ml/data';
import { Trainer } from '../../src-renderer/src/ml/trainer';
import { categoricalCrossentropy, makeOptimizer } from '../../src-renderer/src/ml/optim';
import { getPreset, type PresetId } from '../../src-renderer/src/ml/presets';
import { registerWasmTrainingKernels } from '../../src-renderer/src/ml/wasm-kernels';
import { registerFastGradients } from '../../src-renderer/src/ml/gradients';
import { startWasmWithThreads } from '../../src-renderer/src/ml/kernels/wasm-threads';
import { createHttpBridge } from '../bridge/http-bridge';
import type { DatasetPayload } from '../../src-shared/types/dataset';

setWasmPaths('./');
// ?threads=N fixes the wasm thread count (the peer bench compares 1 and 2 against Keras).
const threadsParam = Number(new URLSearchParams(location.search).get('threads') ?? 0);
const wasmThreads = threadsParam > 0 ? threadsParam : navigator.hardwareConcurrency;
if (crossOriginIsolated) setThreadsCount(wasmThreads);
registerWasmTrainingKernels();
registerFastGradients();

let cached: DatasetPayload | null = null;

async function dataset(): Promise<DatasetPayload> {
  if (cached) return cached;
  const r = await createHttpBridge().datasets.load('fashion-mnist');
  if (!r.ok) throw new Error(r.error.message);
  return (cached = r.value);
}

async function use(backend: string): Promise<void> {
  const start = () => tf.setBackend(backend);
  // As the app's worker does: without this, tfjs 4.22 runs one thread on a 2-core machine.
  const ok = backend === 'wasm' && crossOriginIsolated ? await startWasmWithThreads(wasmThreads, start) : await start();
  if (!ok) throw new Error(`${backend} did not start`);
  await tf.ready();
}

/** Cold load: bytes from main (over the test transport) → one upload → a batch read back. */
export async function benchLoad(): Promise<{ fetchMs: number; tensorsMs: number; totalMs: number; images: number }> {
  await use('wasm');
  cached = null;
  const t0 = performance.now();
  const d = await dataset();
  const t1 = performance.now();
  const data = new TrainData(d.train.images, d.train.labels, { rows: 28, cols: 28, classCount: 10, validationSplit: 0.1, seed: 1 });
  const test = tf.tensor4d(d.test.images, [d.test.count, 28, 28, 1], 'int32');
  const batch = data.valBatch(0, 1);
  await batch.xs.data();
  const t2 = performance.now();
  tf.dispose([batch.xs, batch.ys, batch.labels, test]);
  data.dispose();
  return { fetchMs: t1 - t0, tensorsMs: t2 - t1, totalMs: t2 - t0, images: d.train.count + d.test.count };
}

/** Tailor's loop: one upload, batches gathered on the device, metrics read back asynchronously. */
async function timeTailor(d: DatasetPayload, presetId: PresetId, batches: number, batchSize: number): Promise<number> {
  const n = batches * batchSize;
  const hyper = { ...getPreset(presetId).hyper, batchSize, epochs: 1, validationSplit: 0, limit: n, patience: 0 };
  const data = new TrainData(d.train.images, d.train.labels, { rows: 28, cols: 28, classCount: 10, validationSplit: 0, seed: 1, limit: n });
  const model = buildModel(getPreset(presetId).layers, { seed: 1 });
  const t0 = performance.now();
  await new Trainer(model, data, hyper).run();
  const ms = performance.now() - t0;
  model.dispose();
  data.dispose();
  return ms;
}

/** The reference: a plain compile + fit of the same model on the same images. */
async function timeFit(d: DatasetPayload, presetId: PresetId, batches: number, batchSize: number): Promise<number> {
  const n = batches * batchSize;
  const hyper = { ...getPreset(presetId).hyper, batchSize };
  const model = buildModel(getPreset(presetId).layers, { seed: 1 });
  model.compile({ optimizer: makeOptimizer(hyper), loss: (y: tf.Tensor, p: tf.Tensor) => categoricalCrossentropy(y as tf.Tensor2D, p as tf.Tensor2D), metrics: ['accuracy'] });
  const xs = tf.tidy(() => tf.div(tf.tensor4d(d.train.images.subarray(0, n * 784), [n, 28, 28, 1], 'float32'), 255));
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(d.train.labels.subarray(0, n)), 'int32'), 10));
  const t0 = performance.now();
  await model.fit(xs, ys, { batchSize, epochs: 1, shuffle: true, verbose: 0 });
  const ms = performance.now() - t0;
  model.dispose();
  tf.dispose([xs, ys]);
  return ms;
}

/**
 * images/s of `batches` batches with Tailor's loop and with model.fit, each timed over a whole run
 * after a one-batch warm-up run of its own (kernel and shader compilation excluded). The two are
 * interleaved `repeats` times and the best of each kept, so first-use costs on a backend (heap
 * growth, texture pools) and a busy machine do not fall on one side only.
 */
export async function benchTrain(backend: string, presetId: PresetId, batches: number, batchSize: number, repeats = 1) {
  await use(backend);
  const d = await dataset();
  await timeTailor(d, presetId, 1, batchSize);
  await timeFit(d, presetId, 1, batchSize);
  let tailorMs = Infinity;
  let fitMs = Infinity;
  for (let r = 0; r < repeats; r++) {
    tailorMs = Math.min(tailorMs, await timeTailor(d, presetId, batches, batchSize));
    fitMs = Math.min(fitMs, await timeFit(d, presetId, batches, batchSize));
  }
  const images = batches * batchSize;
  return { backend, presetId, tailor: (images / tailorMs) * 1000, fit: (images / fitMs) * 1000, numTensors: tf.memory().numTensors };
}

/** images/s of Tailor's loop alone, best of `repeats` runs of `batches` batches after a warm-up run. */
export async function benchTailor(backend: string, presetId: PresetId, batches: number, batchSize: number, repeats = 1) {
  await use(backend);
  const d = await dataset();
  await timeTailor(d, presetId, 1, batchSize);
  let ms = Infinity;
  for (let r = 0; r < repeats; r++) ms = Math.min(ms, await timeTailor(d, presetId, batches, batchSize));
  return { imagesPerSecond: ((batches * batchSize) / ms) * 1000, numTensors: tf.memory().numTensors };
}

/** GFLOP/s of the backend's largest-throughput kernel: an n×n by n×n float32 matMul (XNNPACK on wasm), best of 5. */
export async function benchMatmulPeak(backend: string, n = 1024) {
  await use(backend);
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    if (i >= 2) best = Math.min(best, performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  const threads = backend === 'wasm' && crossOriginIsolated ? getThreadsCount() : 1;
  return { gflops: (2 * n ** 3) / best / 1e6, threads };
}

/** What one run of Tailor's loop over `batches` batches asks of the GPU (model and data made before counting). */
async function countTailor(d: DatasetPayload, presetId: PresetId, batches: number, batchSize: number): Promise<GpuCounts> {
  const n = batches * batchSize;
  const hyper = { ...getPreset(presetId).hyper, batchSize, epochs: 1, validationSplit: 0, limit: n, patience: 0 };
  const data = new TrainData(d.train.images, d.train.labels, { rows: 28, cols: 28, classCount: 10, validationSplit: 0, seed: 1, limit: n });
  const model = buildModel(getPreset(presetId).layers, { seed: 1 });
  startCounting();
  // With a progress listener, as in the app: metrics are read back every 4th batch.
  await new Trainer(model, data, hyper, { onBatch: () => undefined }).run();
  const counted = stopCounting();
  model.dispose();
  data.dispose();
  return counted;
}

/**
 * GPU work per training step of Tailor's loop: a run of 2·`steps` batches minus a run of
 * `steps` (after a warm-up run that compiles the shaders), divided by `steps`, so what a run
 * pays once (the epoch's index upload, the last read-back) is left out.
 */
export async function benchGpuStep(backend: string, presetId: PresetId, batchSize: number, steps = 4) {
  await use(backend);
  const d = await dataset();
  await countTailor(d, presetId, 2, batchSize);
  const short = await countTailor(d, presetId, steps, batchSize);
  const long = await countTailor(d, presetId, 2 * steps, batchSize);
  const perStep = Object.fromEntries(
    (Object.keys(long) as (keyof GpuCounts)[]).map((k) => [k, (long[k] - short[k]) / steps]),
  ) as unknown as GpuCounts;
  return { ...perStep, numTensors: tf.memory().numTensors };
}

/** Self time per kernel of one training step (the Trainer's: forward, loss, gradients, optimizer update), after two warm-up steps. */
export async function benchProfile(presetId: PresetId, batchSize: number, top = 15) {
  await use('wasm');
  const { step, dispose } = presetStep(presetId, batchSize);
  await step();
  await step();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await step();
    best = Math.min(best, performance.now() - t0);
  }
  const profile = await profileStep(step);
  dispose();
  return { bestMs: best, threads: crossOriginIsolated ? getThreadsCount() : 1, ...profile, kernels: profile.kernels.slice(0, top) };
}

/** Milliseconds for one 28×28 prediction read back to the host, median of `runs`. */
export async function benchPredict(backend: string, runs = 40): Promise<{ backend: string; medianMs: number; p90Ms: number }> {
  await use(backend);
  const model = buildModel(getPreset('best').layers, { seed: 1 });
  const input = new Float32Array(784).fill(0.3);
  const once = async () => {
    const t = performance.now();
    const out = tf.tidy(() => model.predict(tf.tensor4d(input, [1, 28, 28, 1])) as tf.Tensor);
    await out.data();
    out.dispose();
    return performance.now() - t;
  };
  for (let i = 0; i < 5; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  model.dispose();
  return { backend, medianMs: times[Math.floor(runs / 2)]!, p90Ms: times[Math.floor(runs * 0.9)]! };
}

Object.assign(window, { benchLoad, benchTrain, benchTailor, benchMatmulPeak, benchGpuStep, benchProfile, benchPredict });
