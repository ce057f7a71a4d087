/**
 * A dataset image shown as the product photo it came from: dark garment on a white background
 * with margins, smoothly enlarged. Used for the sample pictures and to test that `preprocess`
 * undoes exactly this (the round trip).
 */
import { grayImage, type RGBAImage } from './image';
import { INPUT_SIDE } from './preprocess';
import { resize } from './resample';

/** `gray28`: 784 bytes, light object on black. `margin`: fraction of `size` left white on each side. */
export function renderAsProduct(gray28: Uint8Array, size = 280, margin = 0.1): RGBAImage {
  if (gray28.length !== INPUT_SIDE * INPUT_SIDE) throw new RangeError(`expected ${INPUT_SIDE * INPUT_SIDE} pixels, got ${gray28.length}`);
  const pad = Math.round(size * margin);
  const inner = size - 2 * pad;
  if (inner < 1) throw new RangeError(`size ${size} leaves no room inside a ${margin} margin`);
  const big = resize(grayImage(INPUT_SIDE, INPUT_SIDE, Float32Array.from(gray28)), inner, inner);
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let y = 0; y < inner; y++) {
    for (let x = 0; x < inner; x++) {
      const o = 4 * ((y + pad) * size + x + pad);
      const v = 255 - big.data[y * inner + x]!;
      data[o] = v;
      data[o + 1] = v;
      data[o + 2] = v;
    }
  }
  return { width: size, height: size, data };
}
