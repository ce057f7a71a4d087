import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classScores, evaluate, mostConfused } from './evaluate';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 2×2 images, 3 classes: lit pixel k (k < 3) makes the model answer class k with ~99.99%. */
function pixelModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 3, activation: 'softmax' })],
  });
  const kernel = tf.tensor2d([[10, 0, 0], [0, 10, 0], [0, 0, 10], [0, 0, 0]]);
  model.setWeights([kernel, tf.zeros([3])]);
  kernel.dispose();
  return model;
}

const image = (pixel: number) => Array.from({ length: 4 }, (_, i) => (i === pixel ? 255 : 0));
// (lit pixel, true label): predictions are 0, 1, 2, 2, 0, 2.
const cases: [number, number][] = [[0, 0], [1, 1], [2, 1], [2, 2], [0, 2], [2, 1]];
const images = Uint8Array.from(cases.flatMap(([p]) => image(p)));
const labels = Uint8Array.from(cases.map(([, l]) => l));

describe('evaluate', () => {
  it('counts a known confusion matrix, scores and mistakes across batches, without leaks', async () => {
    const model = pixelModel();
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const r = await evaluate(model, images, labels, 3, { onProgress: (done) => progress.push(done), batchSize: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect(progress).toEqual([4, 6]);

    expect(r.confusion).toEqual([[1, 0, 0], [0, 1, 2], [1, 0, 1]]);
    expect(r.acc).toBe(0.5);
    const sure = Math.exp(10) / (Math.exp(10) + 2);
    expect(r.loss).toBeCloseTo((3 * -Math.log(sure) + 3 * -Math.log(1 / (Math.exp(10) + 2))) / 6, 3);
    expect(r.mostConfused).toEqual([{ true: 1, pred: 2, count: 2 }, { true: 2, pred: 0, count: 1 }]);
    expect(r.misclassified.map(({ index, label, pred }) => [index, label, pred])).toEqual([[2, 1, 2], [4, 2, 0], [5, 1, 2]]);
    expect(r.misclassified[0]!.confidence).toBeCloseTo(sure, 5);
    expect(r.perClass[1]).toEqual({ precision: 1, recall: 1 / 3, f1: 0.5, support: 3 });
    model.dispose();
  });

  it('rejects labels outside the classes, pixels that do not fit the model and a class count it does not give', async () => {
    const model = pixelModel();
    await expect(evaluate(model, images, Uint8Array.from([0, 1, 2, 3, 0, 0]), 3)).rejects.toThrow('Label 3 at index 3');
    await expect(evaluate(model, images.subarray(1), labels, 3)).rejects.toThrow(/do not make 6 images/);
    await expect(evaluate(model, images, labels, 4)).rejects.toThrow(/not one score for each of 4 classes/);
    model.dispose();
  });

  it('scores labels that allow several classes: rows per label, right when the answer is allowed', async () => {
    // The same answers (0, 1, 2, 2, 0, 2) against two labels: "x" allows classes 0 and 2, "y" allows 1.
    const model = pixelModel();
    const targets = { labelNames: ['x', 'y'], allowed: [[0, 2], [1]] };
    const byLabel = Uint8Array.from([0, 1, 1, 0, 0, 0]);
    const r = await evaluate(model, images, byLabel, 3, { targets });
    expect(r.confusion).toEqual([[2, 0, 2], [0, 1, 1]]);
    expect(r.acc).toBeCloseTo(5 / 6);
    expect(r.misclassified.map(({ index, label, pred }) => [index, label, pred])).toEqual([[2, 1, 2]]);
    expect(r.mostConfused).toEqual([{ true: 1, pred: 2, count: 1 }]);
    // x: all 4 of its images answered 0 or 2; 5 answers were 0 or 2, one of them y's image.
    expect(r.perClass[0]).toEqual({ precision: 4 / 5, recall: 1, f1: (2 * 0.8) / 1.8, support: 4 });
    expect(r.perClass[1]).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    // −log of the allowed classes' probability: x's images are sure of an allowed class.
    const sure = Math.exp(10) / (Math.exp(10) + 2);
    const low = 1 / (Math.exp(10) + 2);
    expect(r.loss).toBeCloseTo((4 * -Math.log(sure) - Math.log(sure) - Math.log(low)) / 6, 3);
    await expect(evaluate(model, images, Uint8Array.from([0, 1, 2, 0, 0, 0]), 3, { targets })).rejects.toThrow('Label 2 at index 2');
    await expect(evaluate(model, images, byLabel, 3, { targets: { labelNames: ['x'], allowed: [[3]] } })).rejects.toThrow(/not one of the 3/);
    model.dispose();
  });

  it('gives a raw-pixel model its bytes as they are and a unit model bytes / 255', async () => {
    // The raw copy's kernel is the unit copy's / 255: fed 0–255 it scores exactly as the unit one on [0, 1].
    const unit = pixelModel();
    const raw = pixelModel();
    const kernel = tf.tensor2d([[10, 0, 0], [0, 10, 0], [0, 0, 10], [0, 0, 0]]).div(255);
    raw.setWeights([kernel, tf.zeros([3])]);
    kernel.dispose();
    const a = await evaluate(unit, images, labels, 3);
    const b = await evaluate(raw, images, labels, 3, { pixelScale: 'raw' });
    expect(b.confusion).toEqual(a.confusion);
    expect(b.loss).toBeCloseTo(a.loss, 4);
    // The same raw model fed [0, 1] sees almost nothing: logits under 0.04, near-uniform answers.
    const wrong = await evaluate(raw, images, labels, 3);
    expect(wrong.loss).toBeCloseTo(Math.log(3), 1);
    expect(Math.abs(wrong.loss - a.loss)).toBeGreaterThan(1);
    unit.dispose();
    raw.dispose();
  });
});

describe('class scores', () => {
  it('gives 0 rather than NaN for a class never predicted nor present', () => {
    expect(classScores([[2, 0], [0, 0]])[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });
  it('keeps only the top cells, largest first', () => {
    expect(mostConfused([[0, 3, 1], [5, 0, 0], [0, 0, 0]], 2)).toEqual([
      { true: 1, pred: 0, count: 5 },
      { true: 0, pred: 1, count: 3 },
    ]);
  });
});
