import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerName } from '../../../src-shared/types/train';
import { allowedCrossentropy, categoricalCrossentropy, learningRateAt, makeOptimizer, setLearningRate } from './optim';
import { DEFAULT_HYPERPARAMETERS } from './presets';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const HYPER = DEFAULT_HYPERPARAMETERS;

describe('learningRateAt', () => {
  const h = { ...HYPER, epochs: 10, learningRate: 1, decay: 0 };
  it('follows the cosine from the full rate to zero', () => {
    const cosine = { ...h, schedule: 'cosine' as const };
    expect(learningRateAt(cosine, 0, 100)).toBe(1);
    expect(learningRateAt(cosine, 500, 100)).toBeCloseTo(0.5);
    expect(learningRateAt(cosine, 1000, 100)).toBeCloseTo(0);
  });
  it('halves every third of the run with the step schedule', () => {
    const step = { ...h, schedule: 'step' as const };
    expect([0, 399, 400, 800].map((s) => learningRateAt(step, s, 100))).toEqual([1, 1, 0.5, 0.25]);
  });
  it("applies Keras' decay", () => {
    expect(learningRateAt({ ...h, schedule: 'none', decay: 1e-2 }, 100, 10)).toBeCloseTo(0.5);
  });
});

describe('categoricalCrossentropy', () => {
  it("normalises predictions like Keras, so a sigmoid output gives a finite loss", async () => {
    const loss = categoricalCrossentropy(tf.tensor2d([[1, 0]]), tf.tensor2d([[0.5, 0.5]]));
    expect(await loss.data()).toEqual(new Float32Array([Math.fround(Math.log(2))]));
    const sigmoid = categoricalCrossentropy(tf.tensor2d([[0, 1]]), tf.tensor2d([[0.9, 0.9]]));
    expect((await sigmoid.data())[0]).toBeCloseTo(Math.log(2), 5);
  });
});

describe('setLearningRate', () => {
  it.each(['adam', 'rmsprop', 'sgd'] as OptimizerName[])('changes the step size of %s', async (name) => {
    // One step on loss = x from x = 0: the first update is proportional to the learning rate.
    const firstStep = async (lr: number) => {
      const x = tf.variable(tf.scalar(0));
      const optimizer = makeOptimizer({ ...HYPER, optimizer: name, learningRate: 1 });
      setLearningRate(optimizer, lr);
      optimizer.minimize(() => x.clone() as tf.Scalar);
      const moved = (await x.data())[0]!;
      optimizer.dispose();
      x.dispose();
      return moved;
    };
    const small = await firstStep(0.01);
    expect(small).toBeLessThan(0);
    expect(await firstStep(0.02)).toBeCloseTo(2 * small, 5);
  });
});

describe('allowedCrossentropy', () => {
  const preds = () => tf.tensor2d([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]);
  it('is Keras’ cross-entropy (with label smoothing too) when one class is right', async () => {
    const oneHot = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
    for (const eps of [0, 0.1]) {
      const smoothed = tf.add(tf.mul(oneHot, 1 - eps), eps / 3) as tf.Tensor2D;
      const keras = await categoricalCrossentropy(smoothed, preds()).data();
      const ours = await allowedCrossentropy(oneHot, preds(), eps).data();
      expect(ours[0]).toBeCloseTo(keras[0]!, 6);
    }
  });
  it('is −log of the probability summed over the allowed classes', async () => {
    const allowed = tf.tensor2d([[0, 1, 1], [0, 1, 1]]);
    const loss = await allowedCrossentropy(allowed, preds()).data();
    expect(loss[0]).toBeCloseTo(-(Math.log(0.3) + Math.log(0.9)) / 2, 6);
    // Smoothing still spreads a little over every class: the loss grows, and stays finite.
    const smoothed = (await allowedCrossentropy(allowed, preds(), 0.1).data())[0]!;
    expect(smoothed).toBeGreaterThan(loss[0]!);
    expect(Number.isFinite(smoothed)).toBe(true);
  });
});
