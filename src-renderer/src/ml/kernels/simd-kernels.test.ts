import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerFastGradients } from '../gradients';
import { registerWasmTrainingKernels } from '../wasm-kernels';
import { broadcast2d, mergePermutation } from './simd-kernels';

/** Deterministic values in [-1, 1), rounded to `levels` steps so that windows hold ties. */
function values(size: number, seed: number, levels = 0): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const v = (state / 4294967296) * 2 - 1;
    out[i] = levels > 0 ? Math.round(v * levels) / levels : v;
  }
  return out;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const tensor = (shape: number[], seed: number, levels = 0) => tf.tensor(values(sizeOf(shape), seed, levels), shape, 'float32');

/** Runs `build` on cpu and on wasm (with our kernels) and compares every output. */
async function expectSameAsCpu(build: () => tf.Tensor | tf.Tensor[], tolerance = 1e-5): Promise<void> {
  const results: Float32Array[][] = [];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const out = build();
    const list = Array.isArray(out) ? out : [out];
    results.push(await Promise.all(list.map(async (t) => Float32Array.from(await t.data()))));
    tf.dispose(list);
  }
  const [expected, actual] = results as [Float32Array[], Float32Array[]];
  expect(actual.length).toBe(expected.length);
  expected.forEach((ref, i) => {
    const got = actual[i]!;
    expect(got.length).toBe(ref.length);
    const scale = Math.max(1e-6, ...ref.map(Math.abs));
    let worst = 0;
    for (let j = 0; j < ref.length; j++) worst = Math.max(worst, Math.abs(got[j]! - ref[j]!) / scale);
    expect(worst).toBeLessThanOrEqual(tolerance);
  });
}

/** The gradient of max pooling through tf.grad, which runs the MaxPoolGrad kernel. */
function maxPoolGradient(xShape: [number, number, number, number], size: number | [number, number], stride: number | [number, number], pad: 'valid' | 'same' | number, levels: number) {
  return () =>
    tf.tidy(() => {
      const x = tensor(xShape, 7, levels) as tf.Tensor4D;
      const pooled = tf.maxPool(x, size, stride, pad);
      const dy = tensor(pooled.shape, 11);
      return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, size, stride, pad), dy)))(x);
    });
}

describe('SIMD kernels on the wasm backend', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    registerFastGradients();
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it("ReLU's gradient is dy where x > 0 (zeros and negatives give 0), fused on wasm and composed on cpu", async () => {
    const shape = [3, 5, 5, 7];
    const xs = values(sizeOf(shape), 3, 2); // many exact zeros
    const dys = values(sizeOf(shape), 4);
    const build = () =>
      tf.tidy(() => {
        const dy = tf.tensor(dys, shape);
        return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), dy)))(tf.tensor(xs, shape));
      });
    await expectSameAsCpu(build, 0);
    await tf.setBackend('wasm');
    const got = await build().data();
    got.forEach((v, i) => expect(v).toBe(xs[i]! > 0 ? dys[i]! : 0));
  });

  it('the input gradient of a convolution (flipped filter) and Identity match cpu', async () => {
    await expectSameAsCpu(() =>
      tf.tidy(() => {
        const x = tensor([2, 7, 7, 5], 1) as tf.Tensor4D;
        const w = tensor([3, 2, 5, 6], 2) as tf.Tensor4D;
        const dy = tensor([2, 5, 6, 6], 3);
        const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, w, 1, 'valid'), dy)))(x);
        return [dx, tf.clone(x)];
      }),
    );
  });

  it.each([
    ['2×2 stride 2, even map, 32 channels', [3, 8, 8, 32], 2, 2, 'valid', 0],
    ['2×2 stride 2, odd map (last row/column unused), 6 channels', [2, 11, 11, 6], 2, 2, 'valid', 0],
    ['ties: first maximum in scan order wins', [2, 6, 6, 5], 2, 2, 'valid', 2],
    ['3×3 stride 1, overlapping windows add up, same padding', [2, 7, 7, 4], 3, 1, 'same', 3],
    ['3×3 stride 2, same padding, 1 channel', [1, 9, 9, 1], 3, 2, 'same', 0],
    ['2×3 stride [1, 2], explicit padding 1', [2, 6, 7, 9], [2, 3], [1, 2], 1, 4],
  ] as const)('MaxPoolGrad matches cpu: %s', async (_, shape, size, stride, pad, levels) => {
    await expectSameAsCpu(maxPoolGradient([...shape], size as number, stride as number, pad, levels));
  });

  it.each([
    ['Add', tf.add],
    ['Sub', tf.sub],
    ['Multiply', tf.mul],
    ['RealDiv', tf.div],
  ] as const)('%s matches cpu for every broadcast, on either side, in one pass or through wasm', async (_, op) => {
    await expectSameAsCpu(() => [
      op(tensor([4, 5, 5, 12], 1), tensor([12], 2)), // a per-channel vector (bias)
      op(tensor([7], 3), tensor([6, 7], 4)),
      op(tensor([1, 1, 1, 9], 5), tensor([2, 3, 3, 9], 6)),
      op(tensor([3, 10], 5), tensor([1, 10], 6)),
      op(tensor([64, 10], 7), tensor([64, 1], 8)), // a per-row column (a softmax's sums)
      op(tensor([5, 1], 7), tensor([5, 6], 8)),
      op(tensor([3, 4], 9), tensor([3, 4], 10)), // same shapes
      op(tensor([1, 4], 11), tensor([1, 4], 12)),
      op(tensor([93], 13), tensor([], 14)), // a scalar
      op(tensor([], 15), tensor([2, 3, 5], 16)),
      op(tensor([3, 4, 5], 7), tensor([4, 1], 8)), // not 2-D: wasm's own kernel
      op(tensor([0, 4], 7), tensor([4], 8)), // empty
    ]);
  });

  it('sees a broadcast as a matrix of whole operands, rows, columns or scalars', () => {
    expect(broadcast2d([4, 5, 5, 12], [12])).toEqual({ outShape: [4, 5, 5, 12], rows: 100, cols: 12, a: { rowStride: 12, colStride: 1 }, b: { rowStride: 0, colStride: 1 } });
    expect(broadcast2d([64, 10], [64, 1])).toEqual({ outShape: [64, 10], rows: 64, cols: 10, a: { rowStride: 10, colStride: 1 }, b: { rowStride: 1, colStride: 0 } });
    expect(broadcast2d([], [3, 4])).toEqual({ outShape: [3, 4], rows: 1, cols: 12, a: { rowStride: 0, colStride: 0 }, b: { rowStride: 0, colStride: 1 } });
    expect(broadcast2d([3, 4], [3, 4])).toMatchObject({ rows: 1, cols: 12 });
    expect(broadcast2d([3, 4, 5], [4, 1])).toBeNull();
  });

  it('Sum and Mean over leading axes match cpu, keepDims or not', async () => {
    await expectSameAsCpu(() => [
      tf.sum(tensor([6, 5, 5, 37], 1), [0, 1, 2]),
      tf.mean(tensor([6, 5, 5, 8], 2), [0, 1, 2], true),
      tf.sum(tensor([300, 3], 3), 0),
      tf.mean(tensor([4, 5, 6], 4), [0, 1]),
      tf.sum(tensor([4, 5, 6], 5), [1, 2]),
      tf.sum(tensor([4, 5], 6)),
    ]);
  });

  it('Transpose matches cpu on the SIMD patterns and the rest', async () => {
    await expectSameAsCpu(() => [
      tf.transpose(tensor([5, 6, 7, 9], 1), [3, 1, 2, 0]),
      tf.transpose(tensor([8, 3, 3, 4], 2), [3, 1, 2, 0]),
      tf.transpose(tensor([5, 3, 4, 6], 3), [1, 2, 0, 3]),
      tf.transpose(tensor([9, 13], 4)),
      tf.transpose(tensor([1, 9, 1, 13], 5), [3, 2, 1, 0]),
      tf.transpose(tensor([2, 3, 4, 5], 6), [0, 2, 3, 1]),
    ]);
  });

  it('merges adjacent axes of a permutation and drops size-1 axes', () => {
    expect(mergePermutation([64, 13, 13, 32], [3, 1, 2, 0])).toEqual({ shape: [64, 169, 32], perm: [2, 1, 0] });
    expect(mergePermutation([64, 11, 11, 64], [1, 2, 0, 3])).toEqual({ shape: [64, 121, 64], perm: [1, 0, 2] });
    expect(mergePermutation([1, 9, 1, 13], [3, 2, 1, 0])).toEqual({ shape: [9, 13], perm: [1, 0] });
    expect(mergePermutation([2, 3, 4], [0, 1, 2])).toEqual({ shape: [24], perm: [0] });
    expect(mergePermutation([2, 3, 4, 5], [0, 2, 3, 1])).toEqual({ shape: [2, 3, 20], perm: [0, 2, 1] });
  });

  it('leaves no tensor behind', async () => {
    await tf.setBackend('wasm');
    const run = () =>
      tf.tidy(() => {
        maxPoolGradient([2, 8, 8, 8], 2, 2, 'valid', 0)();
        tf.add(tensor([2, 4, 4, 8], 1), tensor([8], 2));
        tf.sum(tensor([2, 4, 4, 8], 3), [0, 1, 2]);
        tf.transpose(tensor([2, 4, 4, 8], 4), [3, 1, 2, 0]);
      });
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before);
  });
});
