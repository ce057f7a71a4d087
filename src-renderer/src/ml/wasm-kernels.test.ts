import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './wasm-kernels';

type Backend = 'cpu' | 'wasm';
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** Deterministic values in [-1, 1), so both backends see identical inputs. */
function random(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Runs `build` with the engine's per-kernel leak check on (its IS_TEST mode: a kernel that leaves
 * backend data behind throws). Only around our kernels: tfjs's own customGrad ops trip it.
 */
function withKernelLeakCheck<T>(build: () => T): () => T {
  return () => {
    tf.env().set('IS_TEST', true);
    try {
      return build();
    } finally {
      tf.env().set('IS_TEST', false);
    }
  };
}

/** Runs `build` on one backend and reads every output back, leaving no tensor behind. */
async function runOn(backend: Backend, build: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const result = build();
  const outputs = Array.isArray(result) ? result : [result];
  try {
    return await Promise.all(outputs.map(async (t) => Float32Array.from(await t.data())));
  } finally {
    tf.dispose(outputs);
  }
}

/** Largest absolute difference relative to the reference's largest magnitude. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / Math.max(scale, 1e-6);
}

async function expectSameOnBothBackends(build: () => tf.Tensor | tf.Tensor[], tolerance = 1e-4): Promise<void> {
  const expected = await runOn('cpu', build);
  const actual = await runOn('wasm', build);
  expect(actual.length).toBe(expected.length);
  expected.forEach((reference, i) => expect(relativeError(actual[i]!, reference)).toBeLessThanOrEqual(tolerance));
}

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const CASES: ConvCase[] = [
  { x: [1, 6, 6, 1], filter: [3, 3, 1, 4], strides: 1, pad: 'valid' },
  { x: [7, 8, 8, 1], filter: [3, 3, 1, 5], strides: 1, pad: 'same' },
  { x: [7, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [1, 10, 10, 3], filter: [3, 3, 3, 6], strides: 2, pad: 'valid' },
  { x: [7, 7, 7, 32], filter: [3, 3, 32, 8], strides: 1, pad: 'same' },
  { x: [1, 9, 9, 32], filter: [3, 3, 32, 16], strides: 2, pad: 'valid' },
  { x: [7, 8, 8, 32], filter: [3, 3, 32, 8], strides: 2, pad: 'same' },
  { x: [2, 8, 7, 3], filter: [2, 3, 3, 4], strides: [2, 1], pad: 'valid' },
  { x: [2, 8, 8, 32], filter: [5, 5, 32, 4], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { x: [2, 6, 9, 16], filter: [3, 2, 16, 4], strides: 1, pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { x: [2, 5, 5, 4], filter: [1, 1, 4, 3], strides: 2, pad: 'valid' },
  // The report CNN's second and third layers: input gradients by GEMM and col2im (input ≥ 1.25×
  // the output's pixels).
  { x: [3, 13, 13, 8], filter: [3, 3, 8, 4], strides: 1, pad: 'valid' },
  { x: [4, 5, 5, 16], filter: [3, 3, 16, 4], strides: 1, pad: 'valid' },
];

const describeCase = (c: ConvCase): string =>
  `x ${c.x.join('×')}, filter ${c.filter.join('×')}, strides ${String(c.strides)}, pad ${JSON.stringify(c.pad)}`;

function convOutputShape(c: ConvCase): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
  return info.outShape as [number, number, number, number];
}

function convAttrs(c: ConvCase): tf.NamedAttrMap {
  const attrs: tf.NamedAttrMap = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
  if (c.dimRoundingMode !== undefined) attrs.dimRoundingMode = c.dimRoundingMode;
  return attrs;
}

function filterGradient(c: ConvCase): tf.Tensor {
  const outShape = convOutputShape(c);
  return tf.tidy(() =>
    tf.engine().runKernel(
      tf.Conv2DBackpropFilter,
      { x: tf.tensor4d(random(sizeOf(c.x), 1), c.x), dy: tf.tensor4d(random(sizeOf(outShape), 2), outShape) },
      { ...convAttrs(c), filterShape: c.filter },
    ) as tf.Tensor,
  );
}

function inputGradient(c: ConvCase): tf.Tensor {
  const outShape = convOutputShape(c);
  return tf.tidy(() =>
    tf.engine().runKernel(
      tf.Conv2DBackpropInput,
      {
        dy: tf.tensor4d(random(sizeOf(outShape), 3), outShape),
        filter: tf.tensor4d(random(sizeOf(c.filter), 4), c.filter),
      },
      { ...convAttrs(c), inputShape: c.x },
    ) as tf.Tensor,
  );
}

function segmentSum(): tf.Tensor[] {
  return tf.tidy(() => {
    const data = tf.tensor3d(random(6 * 4 * 3, 5), [6, 4, 3]);
    // Id 7 is out of range for 5 segments: tfjs drops such rows, and so must the wasm kernel.
    const first = tf.unsortedSegmentSum(data, tf.tensor1d([4, 0, 4, 2, 7, 0], 'int32'), 5);
    // The same data under another row split: wasm's matMul must not see its data id twice as B.
    const second = tf.unsortedSegmentSum(tf.reshape(data, [12, 2, 3]), tf.tensor1d([1, 0, 1, 2, 0, 1, 1, 2, 2, 0, 0, 1], 'int32'), 3);
    return [first, second];
  });
}

/** conv → relu → maxpool → conv → flatten → dense → softmax cross-entropy, on raw ops. */
function smallCnnGradients(): tf.Tensor[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(random(5 * 12 * 12 * 3, 10), [5, 12, 12, 3]);
    const labels = tf.oneHot(tf.tensor1d([0, 3, 1, 3, 2], 'int32'), 4);
    const weights = [
      tf.tensor4d(random(3 * 3 * 3 * 8, 11), [3, 3, 3, 8]).mul(0.5),
      tf.tensor1d(random(8, 12)).mul(0.1),
      tf.tensor4d(random(3 * 3 * 8 * 16, 13), [3, 3, 8, 16]).mul(0.3),
      tf.tensor2d(random(2 * 2 * 16 * 4, 14), [2 * 2 * 16, 4]).mul(0.3),
      tf.tensor1d(random(4, 15)).mul(0.1),
    ];
    const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor, b3: tf.Tensor): tf.Scalar => {
      const h1 = tf.maxPool(tf.relu(tf.add<tf.Tensor4D>(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same'), b1)), 2, 2, 'valid');
      const h2 = tf.conv2d(h1, w2 as tf.Tensor4D, 2, 'valid');
      const logits = tf.add(tf.matMul(tf.reshape(h2, [5, -1]), w3 as tf.Tensor2D), b3);
      return tf.losses.softmaxCrossEntropy(labels, logits);
    };
    return tf.grads((w1, b1, w2, w3, b3) => loss(w1!, b1!, w2!, w3!, b3!))(weights);
  });
}

/** The report CNN, shrunk to keep the test fast; `batchNorm` swaps in the BN variant's layers. */
function buildModel(batchNorm: boolean): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 8, kernelSize: 3, padding: batchNorm ? 'same' : 'valid', activation: batchNorm ? 'linear' : 'relu' }));
  if (batchNorm) {
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.activation({ activation: 'relu' }));
  }
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: batchNorm ? 'same' : 'valid', activation: 'relu' }));
  if (batchNorm) model.add(tf.layers.batchNormalization());
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 16, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

/** Three Adam steps from fixed weights; returns the three losses. */
async function adamLosses(backend: Backend, batchNorm: boolean): Promise<number[]> {
  await tf.setBackend(backend);
  const model = buildModel(batchNorm);
  model.setWeights(
    model.getWeights().map((w, i) => tf.tensor(random(w.size, 100 + i), w.shape).mul(0.3)),
  );
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor4d(random(8 * 12 * 12, 7), [8, 12, 12, 1]);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 9], 'int32'), 10);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const loss = await model.trainOnBatch(xs, ys);
    losses.push(Array.isArray(loss) ? loss[0]! : loss);
  }
  tf.dispose([xs, ys]);
  model.optimizer.dispose();
  model.dispose();
  return losses;
}

describe('wasm training kernels', () => {
  beforeAll(async () => {
    // Registered before wasm becomes the backend, as the app does at startup.
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it('registers idempotently, after the backend is up too', async () => {
    const first = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(tf.getKernel(tf.Conv2DBackpropInput, 'wasm')).toBe(first);
    for (const name of [tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput, tf.UnsortedSegmentSum, tf.OneHot, tf.BatchMatMul, tf.Tile, tf.Sum, tf.Mean, tf.Slice, tf.SplitV]) {
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
    }
  });

  it.each(CASES.map((c) => [describeCase(c), c] as const))('Conv2DBackpropFilter matches cpu: %s', async (_, c) => {
    await expectSameOnBothBackends(withKernelLeakCheck(() => filterGradient(c)));
  });

  it.each(CASES.map((c) => [describeCase(c), c] as const))('Conv2DBackpropInput matches cpu: %s', async (_, c) => {
    await expectSameOnBothBackends(withKernelLeakCheck(() => inputGradient(c)));
  });

  it('UnsortedSegmentSum matches cpu, and so does the gradient of gather', async () => {
    await expectSameOnBothBackends(withKernelLeakCheck(segmentSum));
    await expectSameOnBothBackends(() =>
      tf.tidy(() => {
        const table = tf.tensor2d(random(5 * 3, 6), [5, 3]);
        const indices = tf.tensor1d([1, 4, 1, 0], 'int32');
        return tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, indices))))(table);
      }),
    );
  });

  it('OneHot matches cpu for every dtype and on/off value', async () => {
    const indices = [3, 0, 9, 1, 1];
    await expectSameOnBothBackends(
      withKernelLeakCheck(() =>
        tf.tidy(() => {
          const ids = tf.tensor1d(indices, 'int32');
          return [
            tf.oneHot(ids, 4),
            tf.oneHot(ids, 4, 1, 0, 'float32'),
            tf.oneHot(ids, 4, 0.9, 0.025, 'float32'),
            tf.oneHot(tf.tensor2d([2, 0, 1, 3], [2, 2], 'int32'), 4, 5, -2, 'int32'),
          ];
        }),
      ),
      0,
    );
  });

  it('Slice and SplitV match cpu: contiguous pieces on the heap path, the rest on wasm\'s own', async () => {
    await expectSameOnBothBackends(
      withKernelLeakCheck(() =>
        tf.tidy(() => {
          const flat = tf.tensor1d(random(93, 26));
          const grid = tf.tensor3d(random(4 * 5 * 6, 27), [4, 5, 6]);
          const ints = tf.tensor1d([5, 1, 4, 2, 3, 9, 8], 'int32');
          return [
            ...tf.split(flat, [10, 0, 41, 42]),
            ...tf.split(tf.reshape(grid, [1, 20, 6]), [7, 13], 1),
            ...tf.split(grid, [2, 4], 2),
            tf.slice(grid, [1, 0, 0], [2, 5, 6]),
            tf.slice(grid, [2, 3, 0], [1, 2, 6]),
            tf.slice(grid, [0, 1, 2], [3, 2, 3]),
            tf.cast(tf.slice(ints, 2, 4), 'float32'),
          ];
        }),
      ),
    );
  });

  it('BatchMatMul matches cpu with every transpose combination', async () => {
    await expectSameOnBothBackends(
      withKernelLeakCheck(() =>
        tf.tidy(() => {
          const a = tf.tensor2d(random(6 * 4, 20), [6, 4]);
          const b = tf.tensor2d(random(6 * 5, 21), [6, 5]);
          const c = tf.tensor2d(random(5 * 4, 22), [5, 4]);
          const batched = tf.tensor3d(random(3 * 4 * 6, 23), [3, 4, 6]);
          return [
            tf.matMul(a, b, true, false),
            tf.matMul(a, c, false, true),
            tf.matMul(b, a, true, false),
            tf.matMul(c, b, true, true),
            tf.matMul(batched, tf.tensor3d(random(5 * 6, 24), [1, 5, 6]), false, true),
            tf.matMul(batched, tf.tensor3d(random(3 * 4 * 2, 25), [3, 4, 2]), true, false),
          ];
        }),
      ),
    );
  });

  it('Tile matches cpu, on the broadcasting path and on wasm\'s own', async () => {
    await expectSameOnBothBackends(
      withKernelLeakCheck(() =>
        tf.tidy(() => [
          tf.tile(tf.tensor4d(random(8, 30), [1, 1, 1, 8]), [5, 3, 2, 1]),
          tf.tile(tf.tensor3d(random(2 * 3 * 4, 31), [2, 3, 4]), [3, 1, 2]),
          tf.tile(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [2, 2]),
          // Four tiled axes of size > 1 need 8 dimensions: wasm's own kernel takes it.
          tf.tile(tf.tensor4d(random(16, 32), [2, 2, 2, 2]), [2, 3, 1, 2]).reshape([4, 6, 2, 4]),
          tf.tile(tf.tensor4d(random(16, 33), [2, 2, 2, 2]), [2, 3, 2, 2]),
          tf.tile(tf.tensor1d([true, false], 'bool'), [3]).cast('float32'),
        ]),
      ),
      0,
    );
  });

  it.each([
    ['Sum', tf.sum],
    ['Mean', tf.mean],
  ] as const)('%s matches cpu over leading and other axes', async (_, reduce) => {
    await expectSameOnBothBackends(
      withKernelLeakCheck(() =>
        tf.tidy(() => {
          const x = tf.tensor4d(random(6 * 5 * 4 * 3, 40), [6, 5, 4, 3]);
          return [
            reduce(x, [0, 1, 2]),
            reduce(x, [2, 0, 1], true),
            reduce(x, 0),
            // The same data under another row split (see the segment-sum test).
            reduce(tf.reshape(x, [30, 12]), 0),
            reduce(x, [1, 2]),
            reduce(x, -1),
            reduce(x),
            reduce(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0).cast('float32'),
          ];
        }),
      ),
    );
  });

  it('gives a whole small CNN the same gradients as cpu', async () => {
    await expectSameOnBothBackends(smallCnnGradients);
  });

  it.each([
    ['plain', false],
    ['batch-norm', true],
  ] as const)('gives the %s CNN the same losses as cpu over three Adam steps', async (_, batchNorm) => {
    const expected = await adamLosses('cpu', batchNorm);
    const actual = await adamLosses('wasm', batchNorm);
    expected.forEach((loss, i) => expect(actual[i]).toBeCloseTo(loss, 5));
    // The steps must actually train, or equal losses would prove nothing about the gradients.
    expect(expected[2]).toBeLessThan(expected[0]!);
  });

  it('leaves no tensor behind, call after call', async () => {
    await tf.setBackend('wasm');
    const run = (): void => {
      for (const c of [CASES[1]!, CASES[4]!, CASES[8]!]) {
        tf.dispose([filterGradient(c), inputGradient(c)]);
      }
      tf.dispose(segmentSum());
      tf.dispose(smallCnnGradients());
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before);
  });
});
