import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src-shared/types/train';
import { registerFastGradients } from './gradients';
import { convReluPool } from './kernels/conv-relu-pool';
import { buildModel } from './layers';
import { getPreset } from './presets';
import { fusablePair, trainingForward, trainingStages } from './training-forward';
import { registerWasmTrainingKernels } from './wasm-kernels';

/** Deterministic values in [-1, 1). */
function values(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 4294967296) * 2 - 1;
  });
}
const tensor = (shape: number[], seed: number) => tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape, 'float32');

async function onBackend<T>(backend: string, run: () => Promise<T>): Promise<T> {
  await tf.setBackend(backend);
  return run();
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1e-6, ...expected.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  expect(worst).toBeLessThanOrEqual(tolerance);
}

const conv = (filters: number, padding: 'valid' | 'same', extra: Partial<LayerSpec> = {}): LayerSpec =>
  ({ type: 'conv2d', filters, kernel: 3, padding, activation: 'relu', ...extra }) as LayerSpec;
const pool: LayerSpec = { type: 'maxPool', size: 2 };
const HEAD: LayerSpec[] = [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }];

/** The output and every weight's gradient of a weighted sum of the training forward. */
async function forwardAndGrads(layers: LayerSpec[], inputShape: [number, number, number], batch: number): Promise<Float32Array[]> {
  const model = buildModel(layers, { seed: 5, inputShape });
  const xs = tensor([batch, ...inputShape], 7);
  const weights = tensor([batch, 10], 9);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(trainingForward(model, xs), weights)) as tf.Scalar);
  const out = [await value.data(), ...(await Promise.all(model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]!.data())))];
  tf.dispose([xs, weights, value, ...Object.values(grads)]);
  model.dispose();
  return out.map((a) => Float32Array.from(a as Float32Array));
}

/** trainingForward gives exactly model.apply's output on an [8, 8, 1] batch; disposes the model. */
async function expectModelApply(model: tf.LayersModel): Promise<void> {
  const xs = tensor([2, 8, 8, 1], 4);
  const [got, want] = [trainingForward(model, xs), model.apply(xs, { training: true }) as tf.Tensor];
  expectClose((await got.data()) as Float32Array, (await want.data()) as Float32Array, 0);
  tf.dispose([got, want, xs]);
  model.dispose();
}

describe('fused conv + ReLU + 2×2 max pooling stages in the training forward', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
    registerFastGradients();
  });

  it.each([
    ['valid padding, 1 channel, odd map', [5, 11, 9, 1], [3, 3, 1, 8], 'valid'],
    ['same padding, 3 channels', [3, 8, 8, 3], [3, 3, 3, 12], 'same'],
    ['5×5 filter, same padding, odd map', [2, 9, 7, 2], [5, 5, 2, 4], 'same'],
  ] as const)('computes relu(conv + bias) pooled as cpu does: %s', async (_, xShape, filterShape, padding) => {
    const build = () => [tensor([...xShape], 1) as tf.Tensor4D, tensor([...filterShape], 2) as tf.Tensor4D, tensor([filterShape[3]], 3) as tf.Tensor1D] as const;
    const expected = await onBackend('cpu', () => {
      const [x, w, b] = build();
      return tf.maxPool(tf.relu(tf.add(tf.conv2d(x, w, 1, padding), b)) as tf.Tensor4D, 2, 2, 'valid').data();
    });
    const actual = await onBackend('wasm', () => {
      const [x, w, b] = build();
      return convReluPool(x, w, b, padding).data();
    });
    expectClose(actual as Float32Array, expected as Float32Array);
  });

  it.each([
    ['the report network (valid: 26×26 and 11×11 pooled, the odd last row and column unused)', [conv(8, 'valid'), pool, conv(8, 'valid'), pool, ...HEAD], [28, 28, 1], 2],
    ['same padding, 3 input channels, then 12 (the GEMM gradients)', [conv(4, 'same'), pool, conv(12, 'same'), pool, ...HEAD], [10, 10, 3], 2],
    ['a stage after an unfused layer, odd map', [conv(4, 'same', { stride: 2 }), conv(8, 'valid'), pool, ...HEAD], [15, 15, 1], 1],
    ['same padding, 1 channel (the border windows take the general path)', [conv(8, 'same'), pool, ...HEAD], [11, 11, 1], 1],
  ] as const)('gives the same output and weight gradients on wasm (fused) as cpu (unfused): %s', async (_, layers, inputShape, fused) => {
    const expected = await onBackend('cpu', () => forwardAndGrads([...layers], [...inputShape], 6));
    await tf.setBackend('wasm');
    const stages = trainingStages(buildModel([...layers], { seed: 5, inputShape: [...inputShape] }));
    expect(stages.filter((s) => 'conv' in s)).toHaveLength(fused);
    const actual = await forwardAndGrads([...layers], [...inputShape], 6);
    expect(actual.length).toBe(expected.length);
    actual.forEach((a, i) => expectClose(a, expected[i]!));
  });

  it('fuses a stride-1 ReLU conv with 4k filters directly followed by a 2×2/2 pooling, nothing else', () => {
    const first = (layers: LayerSpec[]) => {
      const model = buildModel([...layers, ...HEAD], { seed: 1, inputShape: [12, 12, 1] });
      return fusablePair(model.layers[0]!, model.layers[1]);
    };
    expect(first([conv(8, 'valid'), pool])).toBe('valid');
    expect(first([conv(8, 'same'), pool])).toBe('same');
    expect(first([conv(8, 'valid', { stride: 2 }), pool])).toBeNull();
    expect(first([conv(8, 'valid', { activation: 'sigmoid' } as Partial<LayerSpec>), pool])).toBeNull();
    expect(first([conv(6, 'valid'), pool])).toBeNull();
    expect(first([conv(8, 'valid'), { type: 'maxPool', size: 3 }])).toBeNull();
    expect(first([conv(8, 'valid'), { type: 'batchNorm' }, pool])).toBeNull();
  });

  it('fuses both conv stages of the report network and the first of Tailor best', () => {
    const fusedCount = (id: 'report-fixed' | 'best') => trainingStages(buildModel(getPreset(id).layers, { seed: 1 })).filter((s) => 'conv' in s).length;
    expect(fusedCount('report-fixed')).toBe(2);
    expect(fusedCount('best')).toBe(2);
  });

  it('leaves a functional model (which may branch) to model.apply', async () => {
    await tf.setBackend('wasm');
    const input = tf.input({ shape: [8, 8, 1] });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(a) as tf.SymbolicTensor;
    const skip = tf.layers.globalAveragePooling2d({}).apply(a) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([tf.layers.flatten().apply(pooled) as tf.SymbolicTensor, skip]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10, activation: 'softmax' }).apply(joined) as tf.SymbolicTensor });
    expect(trainingStages(model).some((s) => 'conv' in s)).toBe(false);
    await expectModelApply(model);
  });

  it('is model.apply where the backend has no fused kernel (cpu)', async () => {
    await tf.setBackend('cpu');
    await expectModelApply(buildModel([conv(4, 'valid'), pool, ...HEAD], { seed: 2, inputShape: [8, 8, 1] }));
  });

  it('leaves no tensor behind across training steps', async () => {
    await tf.setBackend('wasm');
    const model = buildModel([conv(8, 'valid'), pool, ...HEAD], { seed: 3, inputShape: [12, 12, 1] });
    const optimizer = tf.train.adam(1e-3);
    const xs = tensor([4, 12, 12, 1], 6);
    const step = () => tf.dispose(optimizer.minimize(() => tf.mean(trainingForward(model, xs)) as tf.Scalar, true) ?? []);
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(xs);
    optimizer.dispose();
    model.dispose();
  });
});
