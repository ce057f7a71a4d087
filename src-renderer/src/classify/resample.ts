/**
 * Separable resampling of gray images with an exact scale and a sub-pixel offset, so an object
 * keeps its aspect ratio even when its short side is not a whole number of output pixels.
 * Shrinking averages the exact area each output pixel covers (fractional edges included), the
 * way a photo is reduced without aliasing; enlarging is bilinear. Output pixels that fall partly
 * outside the source are that much darker (the frame is black).
 */
import { grayImage, type GrayImage } from './image';

/** For each output index, the input indices it reads and their weights. */
interface Taps {
  start: Int32Array; // m + 1 offsets into index/weight
  index: Int32Array;
  weight: Float32Array;
}

/** Output pixel i shows source interval [(i - offset) / scale, (i + 1 - offset) / scale]. */
function taps(n: number, m: number, scale: number, offset: number): Taps {
  const start = new Int32Array(m + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < m; i++) {
    const lo = (i - offset) / scale;
    const hi = (i + 1 - offset) / scale;
    if (scale <= 1) {
      for (let j = Math.max(0, Math.floor(lo)); j < Math.min(n, Math.ceil(hi)); j++) {
        const cover = Math.min(hi, j + 1) - Math.max(lo, j);
        if (cover > 1e-9) {
          index.push(j);
          weight.push(cover * scale);
        }
      }
    } else {
      // Bilinear between pixel centres, clamped at the edges, faded where the pixel leaves the source.
      const inside = Math.max(0, Math.min(hi, n) - Math.max(lo, 0)) * scale;
      const x = Math.min(n - 1, Math.max(0, (lo + hi) / 2 - 0.5));
      const j = Math.floor(x);
      const f = x - j;
      if (inside > 1e-9) {
        index.push(j, Math.min(j + 1, n - 1));
        weight.push((1 - f) * inside, f * inside);
      }
    }
    start[i + 1] = index.length;
  }
  return { start, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}

export interface Placement {
  /** Output pixels per source pixel, per axis. Default: stretch the source over the output. */
  scaleX?: number;
  scaleY?: number;
  /** Where the source's left/top edge lands, in output pixels (fractions allowed). */
  offsetX?: number;
  offsetY?: number;
}

/** Resamples `src` into a width×height image: area-averaging on shrinking axes, bilinear on growing ones. */
export function resize(src: GrayImage, width: number, height: number, place: Placement = {}): GrayImage {
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`cannot resize to ${width}×${height}`);
  }
  const tx = taps(src.width, width, place.scaleX ?? width / src.width, place.offsetX ?? 0);
  const ty = taps(src.height, height, place.scaleY ?? height / src.height, place.offsetY ?? 0);
  // Horizontal pass: src.height rows of `width`.
  const mid = new Float32Array(width * src.height);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = tx.start[x]!; k < tx.start[x + 1]!; k++) acc += src.data[row + tx.index[k]!]! * tx.weight[k]!;
      mid[y * width + x] = acc;
    }
  }
  // Vertical pass.
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let k = ty.start[y]!; k < ty.start[y + 1]!; k++) {
      const w = ty.weight[k]!;
      const row = ty.index[k]! * width;
      for (let x = 0; x < width; x++) out[y * width + x]! += mid[row + x]! * w;
    }
  }
  return grayImage(width, height, out);
}
