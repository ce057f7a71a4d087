import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainData, augmentBatch, validateLabels } from './data';
import { mulberry32 } from './random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** n images of 4×4 whose every pixel holds the image's index, labels index % 10. */
function numbered(n: number) {
  const images = new Uint8Array(n * 16);
  for (let i = 0; i < n; i++) images.fill(i, i * 16, (i + 1) * 16);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  return { images, labels };
}
const opts = { rows: 4, cols: 4, classCount: 10, validationSplit: 0.2, seed: 5 };

describe('validateLabels', () => {
  it('rejects labels that oneHot would silently turn into zero rows', () => {
    expect(() => validateLabels(Uint8Array.from([0, 9, 10]), 10)).toThrow('Label 10 at index 2');
    expect(() => validateLabels(Uint8Array.from([255]), 10)).toThrow(RangeError);
    expect(() => validateLabels(Uint8Array.from([0, 9]), 10)).not.toThrow();
  });
});

describe('TrainData', () => {
  const { images, labels } = numbered(100);
  let data: TrainData;
  beforeAll(() => {
    data = new TrainData(images, labels, opts);
  });
  afterAll(() => data.dispose());

  async function ids(batch: { xs: tf.Tensor4D; ys: tf.Tensor2D; labels: tf.Tensor1D }) {
    const [x, y, l] = await Promise.all([batch.xs.data(), batch.ys.array(), batch.labels.data()]);
    const n = batch.xs.shape[0];
    return Array.from({ length: n }, (_, i) => ({ id: Math.round(x[i * 16]! * 255), label: l[i]!, oneHot: y[i]! }));
  }

  it('uploads pixels on the model’s scale: bytes / 255 for unit, bytes as they are for raw', async () => {
    const raw = new TrainData(images, labels, { ...opts, pixelScale: 'raw' });
    const pairs = tf.tidy(() => {
      const order = tf.tensor1d(Int32Array.from({ length: 10 }, (_, i) => i), 'int32');
      return [data.valBatch(0, 20).xs, raw.valBatch(0, 20).xs, data.trainBatch(order, 0, 10).xs, raw.trainBatch(order, 0, 10).xs];
    });
    const [unitVal, rawVal, unitTrain, rawTrain] = await Promise.all(pairs.map((t) => t.data()));
    expect(Math.max(...rawVal!)).toBeGreaterThan(1);
    expect(Array.from(rawVal!)).toEqual(Array.from(unitVal!, (v) => Math.round(v * 255)));
    expect(Array.from(rawTrain!)).toEqual(Array.from(unitTrain!, (v) => Math.round(v * 255)));
    expect(Math.max(...unitVal!, ...unitTrain!)).toBeLessThanOrEqual(1);
    tf.dispose(pairs);
    raw.dispose();
  });

  it('splits train and validation disjointly, all images used, by the seed', async () => {
    expect([data.trainCount, data.valCount]).toEqual([80, 20]);
    const order = data.epochOrder();
    const train = tf.tidy(() => data.trainBatch(order, 0, 80));
    const val = tf.tidy(() => data.valBatch(0, 20));
    const trainIds = (await ids(train)).map((r) => r.id);
    const valIds = (await ids(val)).map((r) => r.id);
    expect(new Set([...trainIds, ...valIds]).size).toBe(100);

    const again = new TrainData(images, labels, opts);
    const val2 = tf.tidy(() => again.valBatch(0, 20));
    expect((await ids(val2)).map((r) => r.id)).toEqual(valIds);
    again.dispose();
    tf.dispose([order, train, val, val2]);
  });

  it('gathers pixels, labels and one-hot rows that belong together', async () => {
    const order = data.epochOrder();
    const batch = tf.tidy(() => data.trainBatch(order, 8, 16));
    for (const row of await ids(batch)) {
      expect(row.label).toBe(row.id % 10);
      expect(row.oneHot).toEqual(Array.from({ length: 10 }, (_, c) => (c === row.label ? 1 : 0)));
    }
    tf.dispose([order, batch]);
  });

  it('reshuffles every epoch', async () => {
    const a = data.epochOrder();
    const b = data.epochOrder();
    expect(Array.from(await a.data())).not.toEqual(Array.from(await b.data()));
    tf.dispose([a, b]);
  });

  it('uses a seeded subset with limit', () => {
    const small = new TrainData(images, labels, { ...opts, limit: 50 });
    expect([small.trainCount, small.valCount]).toEqual([40, 10]);
    small.dispose();
  });

  it('leaves no tensor behind after a batch in tidy', () => {
    const order = data.epochOrder();
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      data.trainBatch(order, 0, 32, { opts: { shift: 1, flip: true }, rng: mulberry32(1) });
    });
    expect(tf.memory().numTensors).toBe(before);
    order.dispose();
  });

  it('refuses mismatched inputs', () => {
    expect(() => new TrainData(new Uint8Array(15), Uint8Array.from([0]), opts)).toThrow(/do not make 1 images/);
    expect(() => new TrainData(images, labels, { ...opts, validationSplit: 1 })).toThrow(/Validation split/);
  });
});

describe('TrainData with several classes per label and a mixed set', () => {
  // Main set: 20 images labelled 0–3, label l allowing classes {l, l+4}; mix: 30 images of classes 0–9.
  const main = numbered(20);
  const mainLabels = Uint8Array.from({ length: 20 }, (_, i) => i % 4);
  const targets = { labelNames: ['a', 'b', 'c', 'd'], allowed: [[0, 4], [1, 5], [2, 6], [3, 7]] };
  const mixImages = new Uint8Array(30 * 16);
  for (let i = 0; i < 30; i++) mixImages.fill(100 + i, i * 16, (i + 1) * 16);
  const mixLabels = Uint8Array.from({ length: 30 }, (_, i) => i % 10);
  const mixed = () =>
    new TrainData(main.images, mainLabels, { ...opts, validationSplit: 0.25, targets, mix: { images: mixImages, labels: mixLabels, ratio: 1.5 } });

  it('gathers each image’s allowed classes as its target row', async () => {
    const d = new TrainData(main.images, mainLabels, { ...opts, validationSplit: 0, targets });
    const order = d.epochOrder();
    const batch = tf.tidy(() => d.trainBatch(order, 0, 20));
    const [x, y] = await Promise.all([batch.xs.data(), batch.ys.array()]);
    for (let i = 0; i < 20; i++) {
      const id = Math.round(x[i * 16]! * 255);
      expect(y[i]).toEqual(Array.from({ length: 10 }, (_, c) => (c === id % 4 || c === (id % 4) + 4 ? 1 : 0)));
    }
    tf.dispose([order, batch]);
    d.dispose();
  });

  it('refuses labels beyond the label names and targets that do not fit the classes', () => {
    expect(() => new TrainData(main.images, Uint8Array.from({ length: 20 }, () => 4), { ...opts, targets })).toThrow(/Label 4/);
    expect(() => new TrainData(main.images, mainLabels, { ...opts, targets: { labelNames: ['a'], allowed: [[10]] } })).toThrow(/not one of the 10/);
  });

  it('adds a fresh seeded draw of the mix to every epoch, one-hot targets, and validates on the main set only', async () => {
    const d = mixed();
    expect([d.valCount, d.trainCount]).toEqual([5, 15 + 23]);
    const epochs: number[][] = [];
    for (let e = 0; e < 2; e++) {
      const order = d.epochOrder();
      const batch = tf.tidy(() => d.trainBatch(order, 0, d.trainCount));
      const [x, y] = await Promise.all([batch.xs.data(), batch.ys.array()]);
      const ids = Array.from({ length: d.trainCount }, (_, i) => Math.round(x[i * 16]! * 255));
      const fromMix = ids.filter((id) => id >= 100);
      expect(fromMix).toHaveLength(23);
      expect(new Set(fromMix).size).toBe(23);
      ids.forEach((id, i) => {
        if (id >= 100) expect(y[i]).toEqual(Array.from({ length: 10 }, (_, c) => (c === (id - 100) % 10 ? 1 : 0)));
        else expect(y[i]!.filter((v) => v === 1)).toHaveLength(2);
      });
      epochs.push(fromMix.sort((a, b) => a - b));
      tf.dispose([order, batch]);
    }
    expect(epochs[0]).not.toEqual(epochs[1]);
    const val = tf.tidy(() => d.valBatch(0, 5));
    expect(Array.from(await val.xs.data()).every((v) => v < 100 / 255)).toBe(true);
    tf.dispose(val);
    // The same seed draws the same mix.
    const again = mixed();
    const a = again.epochOrder();
    const b = tf.tidy(() => again.trainBatch(a, 0, again.trainCount).xs);
    const ids = Array.from(await b.data()).filter((_, i) => i % 16 === 0).map((v) => Math.round(v * 255));
    expect(ids.filter((id) => id >= 100).sort((p, q) => p - q)).toEqual(epochs[0]);
    tf.dispose([a, b]);
    again.dispose();
    d.dispose();
  });

  it('bends only the main set’s images with photo augmentation: mixed-in images get the shift and flip alone', async () => {
    const d = mixed();
    const photo = { scale: 0.3, aspect: 0.2, rotate: 20, contrast: 0.3, gamma: 0.6, blur: 1, edge: 0.5 };
    const order = d.epochOrder();
    const batch = tf.tidy(() => d.trainBatch(order, 0, d.trainCount, { opts: { shift: 0, flip: false, photo }, rng: mulberry32(3) }));
    const [x, y] = await Promise.all([batch.xs.data(), batch.ys.array()]);
    let mixRows = 0;
    let bentMain = 0;
    for (let i = 0; i < d.trainCount; i++) {
      const row = Array.from(x.subarray(i * 16, (i + 1) * 16));
      const fromMix = y[i]!.filter((v) => v === 1).length === 1;
      if (fromMix) {
        mixRows++;
        // Untouched: still one flat level, one of the mix's (100–129)/255.
        expect(Math.max(...row) - Math.min(...row)).toBeLessThan(1e-6);
        expect(row[0]! * 255).toBeGreaterThan(99.5);
      } else if (Math.max(...row) - Math.min(...row) > 1e-3) bentMain++;
    }
    expect(mixRows).toBe(23);
    expect(bentMain).toBeGreaterThan(10);
    tf.dispose([order, batch]);
    d.dispose();
  });

  it('refuses a mix of another image size, with labels beyond the classes, or without a ratio', () => {
    const base = { images: mixImages, labels: mixLabels, ratio: 1 };
    expect(() => new TrainData(main.images, mainLabels, { ...opts, targets, mix: { ...base, images: mixImages.subarray(1) } })).toThrow(/mixed set/);
    expect(() => new TrainData(main.images, mainLabels, { ...opts, targets, mix: { ...base, labels: Uint8Array.from(mixLabels, () => 10) } })).toThrow(/Label 10/);
    expect(() => new TrainData(main.images, mainLabels, { ...opts, targets, mix: { ...base, ratio: 0 } })).toThrow(/ratio/);
  });
});

describe('augmentBatch', () => {
  // A 5×5 image with one lit pixel at row 1, column 3.
  const image = tf.tidy(() => tf.tensor4d(Array.from({ length: 25 }, (_, i) => (i === 8 ? 1 : 0)), [1, 5, 5, 1]));
  const lit = async (t: tf.Tensor) => {
    const v = await t.data();
    t.dispose();
    return Array.from(v).flatMap((x, i) => (x === 0 ? [] : [[Math.floor(i / 5), i % 5, x]]));
  };

  it('shifts by whole pixels and mirrors exactly, never blurring', async () => {
    const seen = new Set<string>();
    const rng = mulberry32(3);
    for (let k = 0; k < 40; k++) {
      const pixels = await lit(tf.tidy(() => augmentBatch(image, { shift: 1, flip: true }, rng)));
      expect(pixels).toHaveLength(1);
      const [r, c, v] = pixels[0]!;
      expect(v).toBe(1);
      // The pixel moves by at most 1 row, and to within 1 column of itself or its mirror (column 1).
      expect(Math.abs(r! - 1)).toBeLessThanOrEqual(1);
      expect(Math.min(Math.abs(c! - 3), Math.abs(c! - 1))).toBeLessThanOrEqual(1);
      seen.add(`${r},${c}`);
    }
    // Both mirrored (columns 0–2) and unmirrored positions (2–4) occur.
    expect([...seen].some((p) => p.endsWith(',0'))).toBe(true);
    expect([...seen].some((p) => p.endsWith(',4'))).toBe(true);
  });

  it('is the identity with no shift and no flip', async () => {
    expect(await lit(tf.tidy(() => augmentBatch(image, { shift: 0, flip: false }, mulberry32(1))))).toEqual([[1, 3, 1]]);
  });
});
