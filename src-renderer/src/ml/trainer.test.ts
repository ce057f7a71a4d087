import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hyperparameters, LayerSpec } from '../../../src-shared/types/train';
import type { EpochMetrics } from '../../../src-shared/types/run';
import { DEFAULT_PHOTO_AUGMENT } from './augment';
import { TrainData } from './data';
import { buildModel } from './layers';
import { DEFAULT_HYPERPARAMETERS } from './presets';
import { mulberry32 } from './random';
import { Trainer, type BatchProgress } from './trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIDE = 8;
/** Learnable 8×8 images: class k lights the pixels whose index ≡ k (mod 10), over noise. */
function synthetic(n: number, seed = 1) {
  const rng = mulberry32(seed);
  const images = new Uint8Array(n * SIDE * SIDE);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < SIDE * SIDE; p++) {
      images[i * SIDE * SIDE + p] = p % 10 === labels[i] ? 160 + Math.floor(rng() * 90) : Math.floor(rng() * 120);
    }
  }
  return { images, labels };
}

const LAYERS: LayerSpec[] = [
  { type: 'conv2d', filters: 4, kernel: 3, padding: 'same', activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'maxPool', size: 2 },
  { type: 'dropout', rate: 0.2 },
  { type: 'flatten' },
  { type: 'dense', units: 10, activation: 'softmax' },
];
const HYPER: Hyperparameters = {
  ...DEFAULT_HYPERPARAMETERS,
  epochs: 3,
  batchSize: 32,
  learningRate: 1e-2,
  validationSplit: 0.2,
  // The synthetic classes are not shift- or mirror-invariant: augmentation is tested for leaks only.
  augment: { shift: 0, flip: false },
  labelSmoothing: 0.1,
  schedule: 'cosine',
  seed: 3,
};
const data = synthetic(200);
const owned: { dispose(): void }[] = [];
afterEach(() => owned.splice(0).forEach((o) => o.dispose()));

function setup(hyper: Hyperparameters = HYPER, layers = LAYERS) {
  const model = buildModel(layers, { inputShape: [SIDE, SIDE, 1], seed: hyper.seed });
  const trainData = new TrainData(data.images, data.labels, {
    rows: SIDE,
    cols: SIDE,
    classCount: 10,
    validationSplit: hyper.validationSplit,
    seed: hyper.seed,
  });
  owned.push(model, trainData);
  return { model, trainData };
}

async function weightValues(model: tf.LayersModel): Promise<number[][]> {
  return Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
}

describe('Trainer', () => {
  it('learns, and repeats the same curve for the same seed', async () => {
    const hyper = { ...HYPER, epochs: 6 };
    const run = async () => {
      const { model, trainData } = setup(hyper);
      return new Trainer(model, trainData, hyper).run();
    };
    const a = await run();
    const b = await run();
    expect(a.outcome).toBe('completed');
    expect(a.history).toHaveLength(6);
    expect(a.history.map(({ ms: _, ...m }) => m)).toEqual(b.history.map(({ ms: _, ...m }) => m));
    expect(a.history[5]!.acc).toBeGreaterThan(0.5);
    expect(a.history[5]!.loss).toBeLessThan(a.history[0]!.loss);
  });

  it.each([
    ['shift/flip', { shift: 2, flip: true }, 1],
    ['photo augmentation, two learning rates', { shift: 1, flip: true, photo: DEFAULT_PHOTO_AUGMENT }, 0.3],
  ])('keeps the tensor count identical after every epoch, and frees everything at the end (%s)', async (_, augment, baseLrFactor) => {
    const { model, trainData } = setup();
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const hyper = { ...HYPER, epochs: 4, patience: 3, augment };
    await new Trainer(model, trainData, hyper, { onEpoch: () => void counts.push(tf.memory().numTensors) }, { baseLrFactor }).run();
    expect(counts).toHaveLength(4);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports batch progress without blocking every batch', async () => {
    const { model, trainData } = setup();
    const progress: BatchProgress[] = [];
    await new Trainer(model, trainData, { ...HYPER, epochs: 1 }, { onBatch: (p) => progress.push(p) }, { readEvery: 3 }).run();
    // 160 training images in batches of 32: reads after batches 3 and the last (5).
    expect(progress.map((p) => p.batch)).toEqual([3, 5]);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ epoch: 1, batches: 5, seen: 160 });
    expect(last.acc).toBeGreaterThan(0);
    expect(last.imagesPerSecond).toBeGreaterThan(0);
  });

  it('restores the best weights when early stopping ends the run', async () => {
    const { model, trainData } = setup();
    await new Trainer(model, trainData, { ...HYPER, epochs: 3 }).run();
    let best: number[][] = [];
    // From trained weights with a learning rate too small to matter, ruining the weights after
    // epoch 1 makes epoch 2 worse; patience 1 must stop there and bring epoch 1 back.
    const hyper = { ...HYPER, epochs: 5, patience: 1, learningRate: 1e-12, schedule: 'none' as const };
    const result = await new Trainer(model, trainData, hyper, {
      onEpoch: async (m: EpochMetrics) => {
        if (m.epoch !== 1) return;
        best = await weightValues(model);
        model.setWeights(model.getWeights().map((w) => tf.zerosLike(w)));
      },
    }).run();
    expect(result.outcome).toBe('early-stopped');
    expect(result.history.map((m) => m.epoch)).toEqual([1, 2]);
    expect(result.history[1]!.valAcc).toBeLessThan(result.history[0]!.valAcc!);
    expect(result.bestEpoch).toBe(1);
    expect(await weightValues(model)).toEqual(best);
  });

  it('pauses between batches, resumes, and stops keeping the weights so far', async () => {
    const { model, trainData } = setup();
    const initial = await weightValues(model);
    let calls = 0;
    const trainer = new Trainer(model, trainData, { ...HYPER, epochs: 50 }, {
      onBatch: () => {
        calls++;
        if (calls === 2) trainer.pause();
        if (calls === 4) trainer.stop();
      },
    }, { readEvery: 1 });
    const done = trainer.run();
    while (!trainer.paused || calls < 2) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30));
    const whilePaused = calls;
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toBe(whilePaused);
    trainer.resume();
    const result = await done;
    expect(result.outcome).toBe('stopped');
    expect(result.history.length).toBeLessThan(50);
    expect(await weightValues(model)).not.toEqual(initial);
  });
});
