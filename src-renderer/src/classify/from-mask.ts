/**
 * A garment mask and its photo → the 28×28 the model sees, made as Fashion-MNIST was made from a
 * product shot: trimmed to the garment, longest side fitted to 28 px, negated (background exactly
 * 0, the garment its inverted luminance), contrast stretched, sharpened as much as it is softer
 * than the dataset, centred.
 */
import { grayImage, type GrayImage, type RGBAImage } from './image';
import { centre, crop, fitInto, INPUT_SIDE, scaleTo01, toGray, type Box } from './preprocess';
import { autoSharpen } from './sharpen';
import type { Mask } from './segment';

export interface MaskInputOptions {
  /**
   * The darkest garment pixel after the stretch, as a fraction of the brightest: a pale garment
   * keeps its silhouette instead of fading into the black background.
   */
  floor?: number;
  /** Percentile of the garment's inverted luminance mapped to 255 (the rest clip). */
  high?: number;
  /** Percentile mapped to `floor`. */
  low?: number;
  sharpen?: boolean;
}

export interface MaskInput {
  /** 784 values in [0, 1]; all zero when the mask is empty. */
  input: Float32Array;
  empty: boolean;
  /** The mask's bounding box on the mask grid; null when empty. */
  box: Box | null;
  /** 28×28 on the 0–255 scale (what the model sees, for the UI). */
  image: GrayImage;
}

export function maskBox(mask: Mask): Box | null {
  const { width, height, data } = mask;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!data[y * width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** The value at `p` (0–1) of a 256-bin histogram of `values`. */
function percentile(values: number[], p: number): number {
  const hist = new Uint32Array(256);
  for (const v of values) hist[Math.max(0, Math.min(255, Math.round(v)))]!++;
  const target = p * (values.length - 1);
  let seen = 0;
  for (let i = 0; i < 256; i++) if ((seen += hist[i]!) > target) return i;
  return 255;
}

/**
 * Negates the photo under the mask: background 0; garment 255 − luminance, stretched so its
 * `low`…`high` percentiles span floor·255…255.
 */
export function negateUnderMask(gray: GrayImage, mask: Mask, options: MaskInputOptions = {}): GrayImage {
  const { floor = 0.25, low = 0.02, high = 0.98 } = options;
  const out = new Float32Array(gray.data.length);
  const inked: number[] = [];
  for (let i = 0; i < out.length; i++) if (mask.data[i]) inked.push(255 - gray.data[i]!);
  if (inked.length === 0) return grayImage(gray.width, gray.height, out);
  const lo = percentile(inked, low);
  const hi = Math.max(lo + 1, percentile(inked, high));
  for (let i = 0; i < out.length; i++) {
    if (!mask.data[i]) continue;
    const t = Math.min(1, Math.max(0, (255 - gray.data[i]! - lo) / (hi - lo)));
    out[i] = 255 * (floor + (1 - floor) * t);
  }
  return grayImage(gray.width, gray.height, out);
}

/** `small` is the photo the mask covers pixel for pixel. */
export function inputFromMask(small: RGBAImage, mask: Mask, options: MaskInputOptions = {}): MaskInput {
  if (small.width !== mask.width || small.height !== mask.height) throw new RangeError('the mask and the photo differ in size');
  const box = maskBox(mask);
  if (!box) {
    const image = grayImage(INPUT_SIDE, INPUT_SIDE);
    return { input: new Float32Array(INPUT_SIDE * INPUT_SIDE), empty: true, box: null, image };
  }
  const ink = negateUnderMask(toGray(small, 255), mask, options);
  const fitted = fitInto(crop(ink, box));
  const sharpened = options.sharpen === false ? fitted : autoSharpen(fitted).image;
  const image = centre(sharpened);
  return { input: scaleTo01(image), empty: false, box, image };
}
