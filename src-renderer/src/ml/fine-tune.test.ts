import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hyperparameters, LayerSpec } from '../../../src-shared/types/train';
import { TrainData } from './data';
import { freezeLeading, keepsHead, modelFromBase, withOutputUnits } from './fine-tune';
import { buildModel } from './layers';
import { DEFAULT_HYPERPARAMETERS } from './presets';
import { mulberry32 } from './random';
import { modelToArtifacts } from './serialize';
import type { ModelFiles } from '../../../src-shared/types/model';
import { Trainer } from './trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIDE = 8;
const LAYERS: LayerSpec[] = [
  { type: 'conv2d', filters: 3, kernel: 3, padding: 'same', activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'maxPool', size: 2 },
  { type: 'conv2d', filters: 4, kernel: 3, padding: 'same', activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'flatten' },
  { type: 'dense', units: 5, activation: 'softmax' },
];
const HYPER: Hyperparameters = { ...DEFAULT_HYPERPARAMETERS, epochs: 2, batchSize: 16, validationSplit: 0, learningRate: 1e-2, seed: 4 };

function images(n: number, classes: number) {
  const rng = mulberry32(3);
  const x = new Uint8Array(n * SIDE * SIDE);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % classes;
    for (let p = 0; p < SIDE * SIDE; p++) x[i * SIDE * SIDE + p] = p % classes === y[i] ? 200 : Math.floor(rng() * 80);
  }
  return { x, y };
}

const owned: tf.LayersModel[] = [];
afterEach(() => owned.splice(0).forEach((m) => m.dispose()));

async function saved(): Promise<{ files: ModelFiles; weights: Float32Array[] }> {
  const m = buildModel(LAYERS, { seed: 11, inputShape: [SIDE, SIDE, 1], classes: 5 });
  // Move the batch-norm statistics off their initial values, as a trained model's are.
  m.setWeights(m.getWeights().map((w, i) => (m.weights[i]!.originalName.includes('moving') ? tf.fill(w.shape, 0.5 + i / 10) : w)));
  const weights = await Promise.all(m.getWeights().map(async (w) => (await w.data()) as Float32Array));
  const files = await modelToArtifacts(m);
  m.dispose();
  return { files, weights };
}

const values = (m: tf.LayersModel) => Promise.all(m.getWeights().map(async (w) => Array.from(await w.data())));

describe('modelFromBase', () => {
  it('keeps the saved model whole when the classes are its own', async () => {
    const { files, weights } = await saved();
    const model = await modelFromBase(files, { keepHead: true, classes: 5, seed: 1 });
    owned.push(model);
    expect((await values(model)).map((w) => w)).toEqual(weights.map((w) => Array.from(w)));
    await expect(modelFromBase(files, { keepHead: true, classes: 3, seed: 1 })).rejects.toThrow(/gives 5 outputs, not one for each of 3/);
  });

  it('replaces the output layer for other classes, copying every other weight, the new one seeded', async () => {
    const { files, weights } = await saved();
    const before = tf.memory().numTensors;
    const a = await modelFromBase(files, { keepHead: false, classes: 3, seed: 1 });
    const b = await modelFromBase(files, { keepHead: false, classes: 3, seed: 1 });
    const c = await modelFromBase(files, { keepHead: false, classes: 3, seed: 2 });
    owned.push(a, b, c);
    expect(a.outputs[0]!.shape).toEqual([null, 3]);
    const [wa, wb, wc] = await Promise.all([values(a), values(b), values(c)]);
    const head = a.layers[a.layers.length - 1]!;
    expect(head.getClassName()).toBe('Dense');
    const names = a.weights.map((w) => w.originalName);
    const kernel = names.indexOf(`${head.name}/kernel`);
    const bias = names.indexOf(`${head.name}/bias`);
    // Everything but the head's kernel and bias is the saved model's, batch-norm statistics included.
    names.forEach((_, i) => i !== kernel && i !== bias && expect(wa[i]).toEqual(Array.from(weights[i]!)));
    expect(a.getWeights()[kernel]!.shape).toEqual([4 * 4 * 4, 3]);
    expect(wa[kernel]).toEqual(wb[kernel]);
    expect(wa[kernel]).not.toEqual(wc[kernel]);
    expect(wa[bias]).toEqual([0, 0, 0]);
    // Two live models' worth of tensors, no more: the saved copy loaded on the way is gone.
    const perModel = a.weights.length;
    expect(tf.memory().numTensors - before).toBe(3 * perModel);
  });

  it('says so when the output layer is not Dense', () => {
    const topology = { class_name: 'Sequential', config: { layers: [{ class_name: 'Flatten', config: { name: 'f' } }] } };
    expect(() => withOutputUnits(topology, 3, 1)).toThrow(/does not end in a Dense layer/);
  });

  it('keeps the head only for the same classes in the same order', () => {
    expect(keepsHead(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(keepsHead(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(keepsHead(['a', 'b'], ['a', 'b', 'c'])).toBe(false);
  });
});

describe('freezing and a lower rate for the kept layers', () => {
  const trainOn = async (model: tf.LayersModel, hyper: Hyperparameters, baseLrFactor = 1, n = 64) => {
    const { x, y } = images(n, 3);
    const data = new TrainData(x, y, { rows: SIDE, cols: SIDE, classCount: 3, validationSplit: 0, seed: 1 });
    await new Trainer(model, data, hyper, {}, { baseLrFactor }).run();
    data.dispose();
  };

  it('freezes the first layers that hold weights: their weights and batch-norm statistics do not move', async () => {
    const { files } = await saved();
    const model = await modelFromBase(files, { keepHead: false, classes: 3, seed: 1 });
    owned.push(model);
    expect(freezeLeading(model, 2)).toEqual(['conv2d_1', 'batch_normalization_1']);
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual([
      'conv2d_2/kernel',
      'conv2d_2/bias',
      'batch_normalization_2/gamma',
      'batch_normalization_2/beta',
      'dense_1/kernel',
      'dense_1/bias',
    ]);
    const before = await values(model);
    const tensors = tf.memory().numTensors;
    await trainOn(model, HYPER);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await values(model);
    const frozen = model.weights.map((w, i) => [w.originalName, i] as const).filter(([name]) => /_1\//.test(name) && !name.startsWith('dense'));
    expect(frozen.map(([name]) => name)).toEqual([
      'conv2d_1/kernel',
      'conv2d_1/bias',
      'batch_normalization_1/gamma',
      'batch_normalization_1/beta',
      'batch_normalization_1/moving_mean',
      'batch_normalization_1/moving_variance',
    ]);
    for (const [, i] of frozen) expect(after[i]).toEqual(before[i]);
    // The unfrozen batch norm keeps learning its statistics.
    const moving2 = model.weights.findIndex((w) => w.originalName === 'batch_normalization_2/moving_mean');
    expect(after[moving2]).not.toEqual(before[moving2]);
  });

  it('trains the kept layers at baseLrFactor × the rate: one Adam step moves them that much less', async () => {
    const { files } = await saved();
    const step = { ...HYPER, epochs: 1, batchSize: 64, schedule: 'none' as const, learningRate: 1e-2 };
    const moves = async (factor: number) => {
      const model = await modelFromBase(files, { keepHead: false, classes: 3, seed: 1 });
      owned.push(model);
      const before = await values(model);
      await trainOn(model, step, factor);
      const after = await values(model);
      // Adam's first step moves each weight by lr·g/(|g|+ε): the rate itself, wherever g is not 0.
      const largest = (i: number) => Math.max(...after[i]!.map((v, k) => Math.abs(v - before[i]![k]!)));
      const index = (name: string) => model.weights.findIndex((w) => w.originalName === name);
      return { base: largest(index('conv2d_2/kernel')), head: largest(index('dense_1/kernel')) };
    };
    const full = await moves(1);
    const slow = await moves(0.1);
    expect(full.base).toBeCloseTo(1e-2, 4);
    expect(full.head).toBeCloseTo(1e-2, 4);
    expect(slow.base).toBeCloseTo(1e-3, 5);
    expect(slow.head).toBeCloseTo(1e-2, 4);
  });
});
