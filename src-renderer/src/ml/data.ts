/**
 * Training data on the device. The pixels are uploaded once, as float32 on the model's pixel scale
 * ([0, 1], or 0–255 for a 'raw' model: see model-input.ts); every batch is then a `gather` of an
 * index slice, so no pixels cross host→device again.
 *
 * Targets: each label is a row of 0/1 over the model's classes, the classes that count as right
 * for it (src-shared/targets.ts) — one 1 when labels are class indices, several for a photo folder
 * mapped onto several classes (shoes → Sandal, Sneaker, Ankle boot). The rows live on the device
 * and a batch gathers them by label.
 *
 * Mixing: a second set (e.g. Fashion-MNIST under a photo set) can join every epoch with a fresh
 * seeded draw of `ratio` × the main training images, so a fine-tune does not forget its classes.
 * Its labels are class indices; validation uses the main set only.
 */
import * as tf from '@tensorflow/tfjs';
import { allowedOf, targetsProblem, type Targets } from '../../../src-shared/targets';
import { augmentBatch, augments, type Augment } from './augment';
import { balancedDraw, indicesByLabel } from './class-balance';
import { byteDivisor, type PixelScale } from './model-input';
import { permutation, randInt, streamFor, type Rng } from './random';

export { augmentBatch, type Augment } from './augment';

export interface MixSource {
  images: Uint8Array;
  /** Class indices. */
  labels: Uint8Array;
  /** Images drawn from this set per epoch, per training image of the main set (1 = as many). */
  ratio: number;
}

export interface DataOptions {
  rows: number;
  cols: number;
  /** The model's outputs. */
  classCount: number;
  /** Fraction held out for validation, chosen by the seed. */
  validationSplit: number;
  seed: number;
  /** Use only this many images (a seeded random subset); 0 = all. */
  limit?: number;
  /** The scale the model takes its pixels on (default 'unit': [0, 1]). */
  pixelScale?: PixelScale;
  /** Labels that are not class indices; absent: label = class index. */
  targets?: Targets;
  mix?: MixSource;
  /** How far each epoch evens out the labels of the main set (class-balance.ts): 0 (default) as they are, 1 equal. */
  balance?: number;
}

/** A type, not an interface, so that tf.tidy accepts it as a TensorContainer. */
export type Batch = {
  xs: tf.Tensor4D;
  /** 1 for each class that is right for the image, float32 (one-hot when labels are classes). */
  ys: tf.Tensor2D;
  labels: tf.Tensor1D;
};

/**
 * Throws when a label is not a class index (or not a label name). tfjs `oneHot` or `gather`
 * would silently turn such a label into a zero row, which trains on nothing and counts as wrong.
 */
export function validateLabels(labels: Uint8Array, classCount: number): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label >= classCount) {
      throw new RangeError(`Label ${label} at index ${i} is not a class (expected 0–${classCount - 1})`);
    }
  }
}

/** Rows of 0/1: `allowed` for the main set's labels, then (with a mix) one row per class for the mix's labels. */
function targetRows(classCount: number, allowed: number[][], mixed: boolean): Float32Array {
  const rows = [...allowed, ...(mixed ? allowedOf(classCount) : [])];
  const out = new Float32Array(rows.length * classCount);
  rows.forEach((classes, r) => classes.forEach((c) => (out[r * classCount + c] = 1)));
  return out;
}

export class TrainData {
  /** Training images per epoch: the main set's, plus the mix's draw. */
  readonly trainCount: number;
  readonly valCount: number;
  /** Labels of the main set (label names, or classes). */
  readonly labelCount: number;
  private readonly x: tf.Tensor4D;
  private readonly y: tf.Tensor1D;
  private readonly rows: tf.Tensor2D;
  /** Train and validation indices into x/y, uploaded once. */
  private readonly trainIdx: Int32Array;
  /** With class balance on: the training indices per label, drawn from anew each epoch. */
  private readonly trainByLabel: Int32Array[] | null;
  private readonly valIdx: tf.Tensor1D;
  /** Indices of the mix's images into x/y, and how many join each epoch. */
  private readonly mixIdx: Int32Array;
  private readonly mixPerEpoch: number;
  private readonly shuffleRng: Rng;
  private readonly mixRng: Rng;
  /** Images of the main set (indices below this); the mix's follow. */
  private readonly mainCount: number;
  /** Each epoch order's indices on the host, to tell mix rows from the main set's without a device read. */
  private readonly hostOrders = new WeakMap<tf.Tensor1D, Int32Array>();
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
    if (opts.balance !== undefined && !(opts.balance >= 0 && opts.balance <= 1)) {
      throw new RangeError(`Class balance must be in [0, 1], got ${opts.balance}`);
    }
    const problem = targetsProblem(opts.classCount, opts.targets?.labelNames, opts.targets?.allowed);
    if (problem) throw new RangeError(problem);
    const allowed = allowedOf(opts.classCount, opts.targets);
    this.labelCount = allowed.length;
    validateLabels(labels, this.labelCount);
    const mix = opts.mix;
    if (mix) checkMix(mix, pixels, opts.classCount);

    const order = permutation(n, streamFor(opts.seed, 'split'));
    const used = opts.limit && opts.limit > 0 ? Math.min(opts.limit, n) : n;
    const valCount = Math.floor(used * opts.validationSplit);
    if (used - valCount < 1) throw new RangeError('No images left to train on');
    const m = mix?.labels.length ?? 0;
    this.mainCount = n;
    this.mixIdx = Int32Array.from({ length: m }, (_, i) => n + i);
    this.mixPerEpoch = mix ? Math.min(m, Math.round(mix.ratio * (used - valCount))) : 0;
    this.valCount = valCount;
    this.trainCount = used - valCount + this.mixPerEpoch;
    this.trainIdx = order.slice(valCount, used);
    this.trainByLabel = opts.balance ? indicesByLabel(this.trainIdx, labels) : null;
    this.valIdx = tf.tensor1d(order.slice(0, valCount), 'int32');

    // Scale on the host while converting: one upload, no second full-size tensor on the device.
    const divisor = byteDivisor(opts.pixelScale ?? 'unit');
    const scaled = new Float32Array((n + m) * pixels);
    for (let i = 0; i < images.length; i++) scaled[i] = images[i]! / divisor;
    const offset = images.length;
    if (mix) for (let i = 0; i < mix.images.length; i++) scaled[offset + i] = mix.images[i]! / divisor;
    this.x = tf.tensor4d(scaled, [n + m, opts.rows, opts.cols, 1]);
    const all = new Int32Array(n + m);
    all.set(labels);
    if (mix) for (let i = 0; i < m; i++) all[n + i] = this.labelCount + mix.labels[i]!;
    this.y = tf.tensor1d(all, 'int32');
    this.rows = tf.tensor2d(targetRows(opts.classCount, allowed, m > 0), [this.labelCount + (m > 0 ? opts.classCount : 0), opts.classCount]);
    this.shuffleRng = streamFor(opts.seed, 'shuffle');
    this.mixRng = streamFor(opts.seed, 'mix');
  }

  /** Training indices in a fresh seeded order (with a fresh draw of the mix), on the device; the caller disposes it. */
  epochOrder(): tf.Tensor1D {
    this.assertLive();
    const order = new Int32Array(this.trainCount);
    const main = this.trainByLabel ? balancedDraw(this.trainByLabel, this.trainIdx.length, this.opts.balance!, this.shuffleRng) : this.trainIdx;
    order.set(main);
    order.set(this.drawMix(), this.trainIdx.length);
    for (let i = order.length - 1; i > 0; i--) {
      const j = randInt(this.shuffleRng, i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    const tensor = tf.tensor1d(order, 'int32');
    this.hostOrders.set(tensor, order);
    return tensor;
  }

  /** Rows [start, start+size) of `order`. Call inside tf.tidy. */
  trainBatch(order: tf.Tensor1D, start: number, size: number, augment?: { opts: Augment; rng: Rng }): Batch {
    const idx = order.slice(start, size);
    const raw = this.gatherBatch(idx);
    if (!augment || !augments(augment.opts)) return raw;
    // Photo augmentation works on [0, 1]; a 'raw' model's 0–255 go there and back.
    const divisor = byteDivisor(this.opts.pixelScale ?? 'unit');
    const unit = divisor === 1 && augment.opts.photo ? tf.div(raw.xs, 255) as tf.Tensor4D : raw.xs;
    const host = this.hostOrders.get(order);
    const plain = host && this.mixPerEpoch > 0 ? (row: number) => host[start + row]! >= this.mainCount : undefined;
    const moved = augmentBatch(unit, augment.opts, augment.rng, plain);
    return { ...raw, xs: unit === raw.xs ? moved : tf.mul(moved, 255) as tf.Tensor4D };
  }

  /** Validation rows [start, start+size). Call inside tf.tidy. */
  valBatch(start: number, size: number): Batch {
    return this.gatherBatch(this.valIdx.slice(start, size));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.x, this.y, this.rows, this.valIdx]);
  }

  /** A partial Fisher–Yates: `mixPerEpoch` distinct mix images, fresh each epoch. */
  private drawMix(): Int32Array {
    const pool = this.mixIdx;
    for (let i = 0; i < this.mixPerEpoch; i++) {
      const j = i + randInt(this.mixRng, pool.length - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    return pool.subarray(0, this.mixPerEpoch);
  }

  private gatherBatch(idx: tf.Tensor1D): Batch {
    this.assertLive();
    const labels = tf.gather(this.y, idx);
    return { xs: tf.gather(this.x, idx), labels, ys: tf.gather(this.rows, labels) };
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('TrainData was disposed');
  }
}

function checkMix(mix: MixSource, pixels: number, classCount: number): void {
  if (mix.images.length !== mix.labels.length * pixels) {
    throw new RangeError(`the mixed set's ${mix.images.length} pixels do not make ${mix.labels.length} images of ${pixels} pixels`);
  }
  if (!(mix.ratio > 0 && Number.isFinite(mix.ratio))) throw new RangeError(`the mix ratio must be above 0, got ${mix.ratio}`);
  validateLabels(mix.labels, classCount);
}
