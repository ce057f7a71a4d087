/**
 * Training data on the device. The pixels are uploaded once, as float32 on the model's pixel scale
 * ([0, 1], or 0–255 for a 'raw' model: see model-input.ts); every batch
 * is then a `gather` of an index slice, so no pixels cross host→device again. Labels live on
 * the device as int32 and become one-hot rows inside the caller's tidy.
 */
import * as tf from '@tensorflow/tfjs';
import { byteDivisor, type PixelScale } from './model-input';
import { permutation, randInt, streamFor, type Rng } from './random';

export interface DataOptions {
  rows: number;
  cols: number;
  classCount: number;
  /** Fraction held out for validation, chosen by the seed. */
  validationSplit: number;
  seed: number;
  /** Use only this many images (a seeded random subset); 0 = all. */
  limit?: number;
  /** The scale the model takes its pixels on (default 'unit': [0, 1]). */
  pixelScale?: PixelScale;
}

export interface Augment {
  /** Largest shift in pixels, in each direction, drawn per image. 0 = none. */
  shift: number;
  /** Mirror left–right with probability ½. */
  flip: boolean;
}

/** A type, not an interface, so that tf.tidy accepts it as a TensorContainer. */
export type Batch = {
  xs: tf.Tensor4D;
  /** One-hot, float32. */
  ys: tf.Tensor2D;
  labels: tf.Tensor1D;
};

/**
 * Throws when a label is not a class index. tfjs `oneHot` would silently turn such a label
 * into an all-zero row, which trains on nothing and counts as wrong.
 */
export function validateLabels(labels: Uint8Array, classCount: number): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label >= classCount) {
      throw new RangeError(`Label ${label} at index ${i} is not a class (expected 0–${classCount - 1})`);
    }
  }
}

export class TrainData {
  readonly trainCount: number;
  readonly valCount: number;
  private readonly x: tf.Tensor4D;
  private readonly y: tf.Tensor1D;
  /** Train and validation indices into x/y, uploaded once. */
  private readonly trainIdx: Int32Array;
  private readonly valIdx: tf.Tensor1D;
  private readonly shuffleRng: Rng;
  private disposed = false;

  constructor(
    images: Uint8Array,
    labels: Uint8Array,
    private readonly opts: DataOptions,
  ) {
    const pixels = opts.rows * opts.cols;
    const n = labels.length;
    if (images.length !== n * pixels) {
      throw new RangeError(`${images.length} pixels do not make ${n} images of ${opts.rows}×${opts.cols}`);
    }
    if (!(opts.validationSplit >= 0 && opts.validationSplit < 1)) {
      throw new RangeError(`Validation split must be in [0, 1), got ${opts.validationSplit}`);
    }
    validateLabels(labels, opts.classCount);

    const order = permutation(n, streamFor(opts.seed, 'split'));
    const used = opts.limit && opts.limit > 0 ? Math.min(opts.limit, n) : n;
    const valCount = Math.floor(used * opts.validationSplit);
    if (used - valCount < 1) throw new RangeError('No images left to train on');
    this.valCount = valCount;
    this.trainCount = used - valCount;
    this.trainIdx = order.slice(valCount, used);
    this.valIdx = tf.tensor1d(order.slice(0, valCount), 'int32');

    // Scale on the host while converting: one upload, no second full-size tensor on the device.
    const divisor = byteDivisor(opts.pixelScale ?? 'unit');
    const scaled = new Float32Array(images.length);
    for (let i = 0; i < images.length; i++) scaled[i] = images[i]! / divisor;
    this.x = tf.tensor4d(scaled, [n, opts.rows, opts.cols, 1]);
    this.y = tf.tensor1d(Int32Array.from(labels), 'int32');
    this.shuffleRng = streamFor(opts.seed, 'shuffle');
  }

  /** Training indices in a fresh seeded order, on the device; the caller disposes it. */
  epochOrder(): tf.Tensor1D {
    this.assertLive();
    const order = Int32Array.from(this.trainIdx);
    for (let i = order.length - 1; i > 0; i--) {
      const j = randInt(this.shuffleRng, i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    return tf.tensor1d(order, 'int32');
  }

  /** Rows [start, start+size) of `order`. Call inside tf.tidy. */
  trainBatch(order: tf.Tensor1D, start: number, size: number, augment?: { opts: Augment; rng: Rng }): Batch {
    const idx = order.slice(start, size);
    const raw = this.gatherBatch(idx);
    const xs = augment && (augment.opts.shift > 0 || augment.opts.flip)
      ? augmentBatch(raw.xs, augment.opts, augment.rng)
      : raw.xs;
    return { ...raw, xs };
  }

  /** Validation rows [start, start+size). Call inside tf.tidy. */
  valBatch(start: number, size: number): Batch {
    return this.gatherBatch(this.valIdx.slice(start, size));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.x, this.y, this.valIdx]);
  }

  private gatherBatch(idx: tf.Tensor1D): Batch {
    this.assertLive();
    const labels = tf.gather(this.y, idx);
    return {
      xs: tf.gather(this.x, idx),
      labels,
      ys: tf.oneHot(labels, this.opts.classCount).toFloat() as tf.Tensor2D,
    };
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('TrainData was disposed');
  }
}

/**
 * Shifts each image by up to `shift` pixels in x and y (filling with black) and mirrors half
 * of them, on the device: one cropAndResize whose boxes are the image's own frame moved by
 * whole pixels (reversed in x to mirror), so nearest sampling copies pixels exactly.
 * Call inside tf.tidy.
 */
export function augmentBatch(xs: tf.Tensor4D, opts: Augment, rng: Rng): tf.Tensor4D {
  const [b, h, w] = xs.shape;
  const boxes = new Float32Array(b * 4);
  const ny = h - 1;
  const nx = w - 1;
  for (let i = 0; i < b; i++) {
    const dy = opts.shift > 0 ? randInt(rng, 2 * opts.shift + 1) - opts.shift : 0;
    const dx = opts.shift > 0 ? randInt(rng, 2 * opts.shift + 1) - opts.shift : 0;
    const flip = opts.flip && rng() < 0.5;
    // Output pixel y reads input row y - dy: the box runs from -dy to ny - dy (normalised).
    const x1 = -dx / nx;
    const x2 = (nx - dx) / nx;
    boxes.set([-dy / ny, flip ? x2 : x1, (ny - dy) / ny, flip ? x1 : x2], i * 4);
  }
  const boxIndex = tf.range(0, b, 1, 'int32') as tf.Tensor1D;
  return tf.image.cropAndResize(xs, tf.tensor2d(boxes, [b, 4]), boxIndex, [h, w], 'nearest', 0);
}
