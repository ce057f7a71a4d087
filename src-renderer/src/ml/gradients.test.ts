import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerFastGradients } from './gradients';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Gradients of a weighted sum of tf.batchNorm's output with respect to all five inputs. */
async function batchNormGrads(): Promise<number[][]> {
  const x = tf.randomUniform([2, 3, 3, 4], -1, 1, 'float32', 1);
  const mean = tf.randomUniform([4], -0.5, 0.5, 'float32', 2);
  const variance = tf.randomUniform([4], 0.5, 2, 'float32', 3);
  const offset = tf.randomUniform([4], -1, 1, 'float32', 4);
  const scale = tf.randomUniform([4], 0.5, 1.5, 'float32', 5);
  const w = tf.randomUniform([2, 3, 3, 4], -1, 1, 'float32', 6);
  const grads = tf.grads((a, m, v, o, s) =>
    tf.sum(tf.mul(tf.batchNorm(a as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3), w)),
  )([x, mean, variance, offset, scale]);
  const values = await Promise.all(grads.map(async (g) => Array.from(await g.data())));
  tf.dispose([...grads, x, mean, variance, offset, scale, w]);
  return values;
}

describe('registerFastGradients', () => {
  it("gives tfjs-core's batch-norm gradients for every input, without leaks", async () => {
    const reference = await batchNormGrads();
    registerFastGradients();
    const before = tf.memory().numTensors;
    const fast = await batchNormGrads();
    expect(tf.memory().numTensors).toBe(before);
    expect(fast).toHaveLength(5);
    fast.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(reference[i]![j]!, 5)));
  });
});
