import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../wasm-kernels';
import { FlatAdamOptimizer } from './flat-adam';

/** Three updates of a few variables of different shapes by `optimizer`; returns their values and the kernels run. */
async function train(optimizer: tf.Optimizer): Promise<{ values: number[][]; kernels: number }> {
  const vars = [
    tf.variable(tf.randomUniform([3, 3, 2, 4], -1, 1, 'float32', 1)),
    tf.variable(tf.randomUniform([4], -1, 1, 'float32', 2)),
    tf.variable(tf.randomUniform([5, 3], -1, 1, 'float32', 3)),
  ];
  const loss = () =>
    tf.addN(vars.map((v, i) => tf.sum(tf.mul(tf.square(tf.sub(v, 0.1 * (i + 1))), tf.abs(v))))) as tf.Scalar;
  optimizer.minimize(loss, false, vars);
  const before = tf.memory().numTensors;
  let kernels = 0;
  for (let step = 0; step < 2; step++) {
    const info = await tf.profile(() => {
      optimizer.minimize(loss, false, vars);
      return [];
    });
    kernels = info.kernels.length;
  }
  expect(tf.memory().numTensors).toBe(before);
  const values = await Promise.all(vars.map(async (v) => Array.from(await v.data())));
  optimizer.dispose();
  tf.dispose(vars);
  return { values, kernels };
}

describe('FlatAdamOptimizer', () => {
  it.each(['cpu', 'wasm'])("gives tfjs's Adam updates with fewer kernels, leak-free (%s)", async (backend) => {
    registerWasmTrainingKernels();
    await tf.setBackend(backend);
    const reference = await train(tf.train.adam(0.01));
    const flat = await train(new FlatAdamOptimizer(0.01, 0.9, 0.999));
    flat.values.forEach((v, i) => v.forEach((x, j) => expect(x).toBeCloseTo(reference.values[i]![j]!, 6)));
    expect(flat.kernels).toBeLessThan(reference.kernels);
  });

  it("is one fused kernel on wasm, with tfjs's Adam numbers bit for bit", async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    const reference = await train(tf.train.adam(0.01));
    const flat = await train(new FlatAdamOptimizer(0.01, 0.9, 0.999));
    expect(flat.values).toEqual(reference.values);
    // The gradient itself (≈ 25 kernels), two concats, the fused step, the split and β updates.
    expect(flat.kernels).toBeLessThan(reference.kernels - 30);
  });

  it('frees its moments on dispose', async () => {
    await tf.setBackend('cpu');
    const v = tf.variable(tf.ones([3]));
    const before = tf.memory().numTensors;
    const optimizer = new FlatAdamOptimizer(0.1, 0.9, 0.999);
    optimizer.minimize(() => tf.sum(tf.square(v)), false, [v]);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    v.dispose();
  });
});
