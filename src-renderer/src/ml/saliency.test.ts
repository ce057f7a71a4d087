import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictBatch, saliency } from './saliency';
import { classAgreement, roundTrip } from '../classify/roundtrip';

function tinyCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 2, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

const image = Float32Array.from({ length: 784 }, (_, i) => ((i * 7919) % 255) / 255);

describe('saliency', () => {
  let cnn: tf.LayersModel;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    cnn = tinyCnn();
  });
  afterAll(() => cnn.dispose());

  /** Softmax over one dense layer whose class-4 weights are 1 on rows and columns 8–11, all else 0. */
  function blockModel(): tf.LayersModel {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    const kernel = new Float32Array(784 * 10);
    for (let y = 8; y < 12; y++) for (let x = 8; x < 12; x++) kernel[(y * 28 + x) * 10 + 4] = 1;
    model.layers[1]!.setWeights([tf.tensor2d(kernel, [784, 10]), tf.zeros([10])]);
    return model;
  }
  const gray = new Float32Array(784).fill(0.5);

  it('marks where hiding the picture lowers the class score, and nowhere else', async () => {
    const model = blockModel();
    await saliency(model, gray); // warm-up: later calls must not leave tensors behind
    const before = tf.memory().numTensors;
    const map = await saliency(model, gray); // the predicted class: 4
    expect(tf.memory().numTensors).toBe(before);
    expect(map).toBeInstanceOf(Float32Array);
    expect(map).toHaveLength(784);
    expect(Math.min(...map)).toBe(0);
    expect(Math.max(...map)).toBeCloseTo(1, 5);
    const at = (y: number, x: number): number => map[y * 28 + x]!;
    expect(at(9, 9)).toBeGreaterThan(0.5); // inside the block
    expect(at(7, 7)).toBeGreaterThan(0); // in a square that overlaps it
    expect(at(3, 3)).toBe(0); // no square over (3, 3) reaches the block
    expect(at(20, 20)).toBe(0);
    expect(Array.from(await saliency(model, gray, 4, { batchSize: 7 }))).toEqual(Array.from(map));
    model.dispose();
  });

  it('gives the event loop a turn between chunks, so a live prediction need not wait for the whole map', async () => {
    const model = blockModel();
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const chunked = await saliency(model, gray, 4, { batchSize: 22 }); // 170 images: 8 chunks
    running = false;
    expect(turns).toBeGreaterThanOrEqual(7);
    expect(Array.from(chunked)).toEqual(Array.from(await saliency(model, gray, 4, { batchSize: 256 })));
    model.dispose();
  });

  it('scores the class it is asked about: hiding the block only raises class 3', async () => {
    const model = blockModel();
    expect(Array.from(await saliency(model, gray, 3)).every((v) => v === 0)).toBe(true);
    model.dispose();
  });

  it('runs on a CNN and leaks no tensor', async () => {
    await saliency(cnn, image);
    const before = tf.memory().numTensors;
    const map = await saliency(cnn, image, 3, { patch: 3, stride: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(map).toHaveLength(784);
    expect(Math.max(...map)).toBeLessThanOrEqual(1);
  });

  it('refuses inputs of the wrong size, models that do not take 28×28 and impossible squares', async () => {
    await expect(saliency(cnn, new Float32Array(10))).rejects.toThrow(RangeError);
    const other = tf.sequential({ layers: [tf.layers.dense({ inputShape: [100], units: 10 })] });
    await expect(saliency(other, image)).rejects.toThrow(/not images of a fixed/);
    other.dispose();
    await expect(saliency(cnn, image, 0, { patch: 0 })).rejects.toThrow(/cannot occlude/);
    await expect(saliency(cnn, image, 0, { stride: 1.5 })).rejects.toThrow(/cannot occlude/);
  });

  it('feeds a raw-pixel model 0–255 and resizes 28×28 pictures for a model of another size', async () => {
    // The raw copy's first kernel is the unit copy's / 255: fed 0–255 it computes what the unit copy does on [0, 1].
    const unit = tinyCnn();
    const raw = tinyCnn();
    raw.layers[0]!.setWeights(unit.layers[0]!.getWeights().map((w, i) => (i === 0 ? tf.div(w, 255) : w.clone())));
    const map = await saliency(unit, image, 3);
    const rawMap = await saliency(raw, image, 3, { pixelScale: 'raw' });
    map.forEach((v, i) => expect(rawMap[i]).toBeCloseTo(v, 3));
    expect(Array.from(await saliency(raw, image, 3))).not.toEqual(Array.from(map)); // the wrong scale
    expect(await predictBatch(raw, image, 1, { pixelScale: 'raw' })).toEqual(await predictBatch(unit, image, 1));
    // A 32×32 model: the picture is resized before it reaches the model, the map stays 28×28.
    const big = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [32, 32, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    const before = tf.memory().numTensors;
    const bigMap = await saliency(big, image, 1);
    expect(bigMap).toHaveLength(784);
    expect(tf.memory().numTensors).toBe(before);
    [unit, raw, big].forEach((m) => m.dispose());
  });

  it('predicts in batches the classes model.predict gives, and round-trip agreement counts them', async () => {
    const batch = Float32Array.from({ length: 5 * 784 }, (_, i) => ((i * 104729) % 256) / 255);
    const before = tf.memory().numTensors;
    const classes = await predictBatch(cnn, batch, 5, { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const direct = tf.tidy(() => (cnn.predict(tf.tensor4d(batch, [5, 28, 28, 1])) as tf.Tensor).argMax(-1));
    expect(Array.from(classes)).toEqual(Array.from(await direct.data()));
    direct.dispose();

    const bytes = Uint8Array.from(batch, (v) => Math.round(v * 255));
    const trip = roundTrip(bytes, 5);
    expect(await classAgreement(cnn, { ...trip, processed: trip.originals })).toBe(1);
    // Swap in an image of another class for the first one: 4 of 5 agree.
    const originalClasses = await predictBatch(cnn, trip.originals, 5);
    const other = originalClasses.findIndex((c) => c !== originalClasses[0]);
    expect(other).toBeGreaterThan(0);
    const swapped = trip.originals.slice();
    swapped.copyWithin(0, other * 784, (other + 1) * 784);
    expect(await classAgreement(cnn, { ...trip, processed: swapped })).toBe(0.8);
  });
});
