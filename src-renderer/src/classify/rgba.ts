/** Colour-image helpers for the photo pipeline (gray ones live in resample.ts and preprocess.ts). */
import { grayImage, type RGBAImage } from './image';
import { resize } from './resample';

/**
 * Area-average downscale of RGBA (each output pixel the mean of the source area it covers, as
 * resample.ts shrinks gray images): one separable resize per channel.
 */
export function shrinkRGBA(src: RGBAImage, width: number, height: number): RGBAImage {
  const n = src.width * src.height;
  const out = new Uint8ClampedArray(width * height * 4);
  const channel = new Float32Array(n);
  for (let c = 0; c < 4; c++) {
    for (let i = 0; i < n; i++) channel[i] = src.data[4 * i + c]!;
    const resized = resize(grayImage(src.width, src.height, channel), width, height).data;
    for (let i = 0; i < resized.length; i++) out[4 * i + c] = resized[i]!;
  }
  return { width, height, data: out };
}

/** Longest side at most `side` (area average), aspect kept; the same image when already that small. */
export function shrinkToSide(src: RGBAImage, side: number): RGBAImage {
  const scale = Math.min(1, side / Math.max(src.width, src.height));
  if (scale === 1) return src;
  return shrinkRGBA(src, Math.max(1, Math.round(src.width * scale)), Math.max(1, Math.round(src.height * scale)));
}

/** Packed RGB, alpha composited over white (a transparent cut-out's background reads as paper). */
export function toRGB(src: RGBAImage): Uint8Array {
  const out = new Uint8Array(src.width * src.height * 3);
  for (let i = 0, j = 0; i < src.data.length; i += 4, j += 3) {
    const a = src.data[i + 3]! / 255;
    for (let c = 0; c < 3; c++) out[j + c] = Math.round(src.data[i + c]! * a + 255 * (1 - a));
  }
  return out;
}
