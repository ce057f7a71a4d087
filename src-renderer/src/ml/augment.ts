/**
 * Augmentation on the device, drawn per image from the run's seeded stream. Two kinds:
 *
 * - shift/flip alone (the presets): whole-pixel moves and mirrors by one `cropAndResize` with
 *   nearest sampling, so pixels are copied exactly;
 * - photo-like (`augment.photo`): what the photo pipeline does to a garment that Fashion-MNIST's
 *   product shots never show — a crop a little larger or smaller, wider or narrower, a garment
 *   lying slightly askew (one bilinear `transform` does shift, mirror, scale, aspect and rotation
 *   together), other contrast and gamma of the garment's levels (background stays 0), a softer
 *   picture (3×3 Gaussian), and a mask that cut one pixel too much or too little (min/max pooling
 *   of the mask on the 28×28).
 *
 * Every op used (Transform, MaxPool, Conv2D, Pow, element-wise) is a native kernel on wasm,
 * webgpu and webgl, and none needs a gradient: augmentation happens before the tape.
 */
import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters, PhotoAugment } from '../../../src-shared/types/train';
import { randInt, type Rng } from './random';

export type Augment = Hyperparameters['augment'];

/** What `--photo-augment` and the UI's "photo augmentation" switch turn on: measured on ../shared/photos (see scripts/measure-own-photos.ts). */
export const DEFAULT_PHOTO_AUGMENT: PhotoAugment = {
  scale: 0.15,
  aspect: 0.15,
  rotate: 10,
  contrast: 0.3,
  gamma: 0.4,
  blur: 0.3,
  edge: 0.3,
};

/** A pixel above this is garment (the pipeline leaves the background exactly 0). */
const GARMENT = 0.02;

export function augments(opts: Augment): boolean {
  return opts.shift > 0 || opts.flip || opts.photo !== undefined;
}

/**
 * The augmented batch. Call inside tf.tidy. With photo augmentation, rows for which `plain(row)`
 * is true (a mixed-in Fashion-MNIST image under a photo set) only get the shift and flip: the
 * photo-like changes are for photos, and bending the dataset's own images costs its test accuracy.
 */
export function augmentBatch(xs: tf.Tensor4D, opts: Augment, rng: Rng, plain?: (row: number) => boolean): tf.Tensor4D {
  return opts.photo ? photoAugment(xs, opts, opts.photo, rng, plain) : shiftFlip(xs, opts, rng);
}

/**
 * Shifts each image by up to `shift` pixels in x and y (filling with black) and mirrors half
 * of them: one cropAndResize whose boxes are the image's own frame moved by whole pixels
 * (reversed in x to mirror), so nearest sampling copies pixels exactly.
 */
function shiftFlip(xs: tf.Tensor4D, opts: Augment, rng: Rng): tf.Tensor4D {
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

/** Uniform in [-r, r]. */
const spread = (rng: Rng, r: number): number => (2 * rng() - 1) * r;

/** Per-image factors drawn on the host, one row each. */
interface Draws {
  /** 8 numbers per image: tf.image.transform's output → input map. */
  transforms: Float32Array;
  contrast: Float32Array;
  gamma: Float32Array;
  blur: Float32Array;
  dilate: Float32Array;
  erode: Float32Array;
}

/** Output pixel → input pixel for a garment moved by (tx, ty), mirrored, scaled by (sx, sy) and turned by θ about the centre. */
export function inverseAffine(w: number, h: number, m: { tx: number; ty: number; flip: boolean; sx: number; sy: number; theta: number }): number[] {
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const f = m.flip ? -1 : 1;
  const cos = Math.cos(m.theta);
  const sin = Math.sin(m.theta);
  // q = c + F·S⁻¹·R(−θ)·(p − c − t)
  const a0 = (f * cos) / m.sx;
  const a1 = (f * sin) / m.sx;
  const b0 = -sin / m.sy;
  const b1 = cos / m.sy;
  const px = cx + m.tx;
  const py = cy + m.ty;
  return [a0, a1, cx - (a0 * px + a1 * py), b0, b1, cy - (b0 * px + b1 * py), 0, 0];
}

function draw(b: number, w: number, h: number, opts: Augment, photo: PhotoAugment, rng: Rng, plain?: (row: number) => boolean): Draws {
  const d: Draws = {
    transforms: new Float32Array(b * 8),
    contrast: new Float32Array(b),
    gamma: new Float32Array(b),
    blur: new Float32Array(b),
    dilate: new Float32Array(b),
    erode: new Float32Array(b),
  };
  for (let i = 0; i < b; i++) {
    // Every draw is made whatever the options, so turning one on does not reshuffle the others.
    const size = 1 + spread(rng, photo.scale);
    const aspect = Math.sqrt(1 + spread(rng, photo.aspect));
    const move = { tx: spread(rng, opts.shift), ty: spread(rng, opts.shift), flip: rng() < 0.5 && opts.flip };
    const theta = (spread(rng, photo.rotate) * Math.PI) / 180;
    d.transforms.set(inverseAffine(w, h, { ...move, sx: size * aspect, sy: size / aspect, theta }), i * 8);
    d.contrast[i] = 1 + spread(rng, photo.contrast);
    d.gamma[i] = Math.exp(spread(rng, photo.gamma));
    const blurred = rng() < photo.blur;
    const strength = 0.3 + 0.7 * rng();
    d.blur[i] = blurred ? strength : 0;
    const edge = rng();
    const edgeStrength = 0.5 + 0.5 * rng();
    d.dilate[i] = edge < photo.edge / 2 ? edgeStrength : 0;
    d.erode[i] = edge >= photo.edge / 2 && edge < photo.edge ? edgeStrength : 0;
    if (plain?.(i)) {
      d.transforms.set(inverseAffine(w, h, { ...move, sx: 1, sy: 1, theta: 0 }), i * 8);
      d.contrast[i] = 1;
      d.gamma[i] = 1;
      d.blur[i] = d.dilate[i] = d.erode[i] = 0;
    }
  }
  return d;
}

/**
 * tf.image.transform, bilinear, black outside. tfjs 4.22's cpu kernel returns after the first
 * image of a batch (its `return` sits inside the batch loop) and leaves the others black, so on
 * cpu each image gets a call of its own; wasm, webgl and webgpu take the batch at once.
 */
function warp(xs: tf.Tensor4D, transforms: Float32Array): tf.Tensor4D {
  const [b, h, w] = xs.shape;
  if (tf.getBackend() !== 'cpu' || b === 1) return tf.image.transform(xs, tf.tensor2d(transforms, [b, 8]), 'bilinear', 'constant', 0, [h, w]);
  const one = (i: number): tf.Tensor4D =>
    tf.image.transform(tf.slice(xs, [i, 0, 0, 0], [1, h, w, xs.shape[3]]), tf.tensor2d(transforms.subarray(i * 8, i * 8 + 8), [1, 8]), 'bilinear', 'constant', 0, [h, w]);
  return tf.concat(Array.from({ length: b }, (_, i) => one(i)));
}

const perImage = (v: Float32Array): tf.Tensor4D => tf.tensor4d(v, [v.length, 1, 1, 1]);

/** 3×3 binomial filter (≈ Gaussian σ 0.85), as a conv2d kernel. */
function gaussian3(): tf.Tensor4D {
  return tf.tensor4d([1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16), [3, 3, 1, 1]);
}

function photoAugment(xs: tf.Tensor4D, opts: Augment, photo: PhotoAugment, rng: Rng, plain?: (row: number) => boolean): tf.Tensor4D {
  const [b, h, w] = xs.shape;
  const d = draw(b, w, h, opts, photo, rng, plain);
  const moved = warp(xs, d.transforms);
  const mask = tf.cast(tf.greater(moved, GARMENT), 'float32') as tf.Tensor4D;

  // Levels: gamma, then contrast about the garment's mean level, on garment pixels only (the
  // background stays exactly as it was: 0, or a faint trace below GARMENT).
  const toned = tf.pow(tf.clipByValue(moved, 0, 1), perImage(d.gamma));
  const area = tf.maximum(tf.sum(mask, [1, 2, 3], true), 1);
  const mean = tf.div(tf.sum(tf.mul(toned, mask), [1, 2, 3], true), area);
  const contrasted = tf.clipByValue(tf.add(mean, tf.mul(tf.sub(toned, mean), perImage(d.contrast))), 0, 1);
  const levels = tf.add(moved, tf.mul(tf.sub(contrasted, moved), mask)) as tf.Tensor4D;

  // The mask's edge: dilation fills the ring around the garment with its neighbours' levels,
  // erosion blacks out the garment's outer ring.
  const ring = tf.mul(tf.sub(1, mask), tf.maxPool(levels, 3, 1, 'same'));
  const inner = tf.sub(1, tf.maxPool(tf.sub(1, mask) as tf.Tensor4D, 3, 1, 'same'));
  const outerRing = tf.mul(levels, tf.sub(1, inner));
  const edged = tf.sub(tf.add(levels, tf.mul(ring, perImage(d.dilate))), tf.mul(outerRing, perImage(d.erode))) as tf.Tensor4D;

  const soft = tf.conv2d(edged, gaussian3(), 1, 'same');
  return tf.add(edged, tf.mul(tf.sub(soft, edged), perImage(d.blur))) as tf.Tensor4D;
}
