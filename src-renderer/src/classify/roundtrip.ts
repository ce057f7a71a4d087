/**
 * The round trip that proves preprocessing right: dataset image → rendered as a product photo
 * (`renderAsProduct`) → `preprocess` → compared with the original, pixel by pixel and, given a
 * trained model, by the class it gets:
 *
 *   const trip = roundTrip(testImages.data, 1000);
 *   expect(await classAgreement(model, trip)).toBeGreaterThanOrEqual(0.95);
 */
import type * as tf from '@tensorflow/tfjs';
import { preprocess, type PreprocessOptions } from './preprocess';
import { renderAsProduct } from './render';
import { predictBatch } from '../ml/saliency';

const PIXELS = 784;

export interface RoundTrip {
  count: number;
  /** count·784 originals scaled by 1/255, as the model is trained on them. */
  originals: Float32Array;
  /** count·784 preprocessed renderings. */
  processed: Float32Array;
  /** Mean absolute pixel error over all images, in [0, 1] units. */
  mae: number;
  /** Pearson correlation of each pair. */
  correlations: Float32Array;
  meanCorrelation: number;
}

function correlation(a: Float32Array, b: Float32Array): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= a.length;
  mb /= b.length;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** Round-trips the first `count` 28×28 images of `images` (n·784 bytes, as in an IDX file). */
export function roundTrip(images: Uint8Array, count: number, size = 280, options: PreprocessOptions = {}): RoundTrip {
  if (images.length < count * PIXELS) throw new RangeError(`${count} images need ${count * PIXELS} bytes`);
  const originals = new Float32Array(count * PIXELS);
  const processed = new Float32Array(count * PIXELS);
  const correlations = new Float32Array(count);
  let absErr = 0;
  for (let i = 0; i < count; i++) {
    const original = images.subarray(i * PIXELS, (i + 1) * PIXELS);
    const a = originals.subarray(i * PIXELS, (i + 1) * PIXELS);
    for (let p = 0; p < PIXELS; p++) a[p] = original[p]! / 255;
    const b = preprocess(renderAsProduct(original, size), options).input;
    processed.set(b, i * PIXELS);
    for (let p = 0; p < PIXELS; p++) absErr += Math.abs(a[p]! - b[p]!);
    correlations[i] = correlation(a, b);
  }
  const meanCorrelation = correlations.reduce((s, c) => s + c, 0) / Math.max(1, count);
  return { count, originals, processed, mae: absErr / Math.max(1, count * PIXELS), correlations, meanCorrelation };
}

/** Fraction of images the model puts in the same class before and after the round trip. */
export async function classAgreement(model: tf.LayersModel, trip: RoundTrip): Promise<number> {
  const before = await predictBatch(model, trip.originals, trip.count);
  const after = await predictBatch(model, trip.processed, trip.count);
  let same = 0;
  for (let i = 0; i < trip.count; i++) if (before[i] === after[i]) same++;
  return same / Math.max(1, trip.count);
}
