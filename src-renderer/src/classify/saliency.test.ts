import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictBatch, saliency } from './saliency';
import { classAgreement, roundTrip } from './roundtrip';

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

  it('returns 784 values in [0, 1] peaking at 1, and leaks no tensor', async () => {
    await saliency(cnn, image); // first call builds the logit sub-model
    const before = tf.memory().numTensors;
    const map = await saliency(cnn, image, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(map).toBeInstanceOf(Float32Array);
    expect(map).toHaveLength(784);
    expect(Math.min(...map)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...map)).toBeCloseTo(1, 5);
  });

  it('is the smoothed |logit gradient| for a softmax model (for a linear one, a weight column)', async () => {
    const linear = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' })] });
    const kernel = (await linear.getWeights()[0]!.data()) as Float32Array;
    const expected = new Float32Array(784);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        let sum = 0, n = 0; // 3×3 mean over the pixels inside the image
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy, xx = x + dx;
          if (yy < 0 || yy > 27 || xx < 0 || xx > 27) continue;
          sum += Math.abs(kernel[(yy * 28 + xx) * 10 + 4]!);
          n++;
        }
        expected[y * 28 + x] = sum / n;
      }
    }
    const peak = Math.max(...expected);
    const map = await saliency(linear, image, 4);
    for (let i = 0; i < 784; i++) expect(map[i]).toBeCloseTo(expected[i]! / peak, 4);
    linear.dispose();
  });

  it('falls back to the output score when the model does not end in a softmax Dense layer', async () => {
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10 }), tf.layers.activation({ activation: 'softmax' })],
    });
    const before = tf.memory().numTensors;
    const map = await saliency(model, image);
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.max(...map)).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('refuses inputs of the wrong size and models that do not take 28×28', async () => {
    await expect(saliency(cnn, new Float32Array(10))).rejects.toThrow(RangeError);
    const other = tf.sequential({ layers: [tf.layers.dense({ inputShape: [100], units: 10 })] });
    await expect(saliency(other, image)).rejects.toThrow(/not a 28×28 image/);
    other.dispose();
  });

  it('predicts in batches the classes model.predict gives, and round-trip agreement counts them', async () => {
    const batch = Float32Array.from({ length: 5 * 784 }, (_, i) => ((i * 104729) % 256) / 255);
    const before = tf.memory().numTensors;
    const classes = await predictBatch(cnn, batch, 5, 2);
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
