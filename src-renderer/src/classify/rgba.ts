/** Colour-image helpers for the photo pipeline (gray ones live in resample.ts and preprocess.ts). */
import type { RGBAImage } from './image';

/** Box-filter (area-average) downscale of RGBA, each output pixel the mean of the source it covers. */
export function shrinkRGBA(src: RGBAImage, width: number, height: number): RGBAImage {
  const out = new Uint8ClampedArray(width * height * 4);
  const sx = src.width / width;
  const sy = src.height / height;
  const acc = new Float64Array(4);
  for (let y = 0; y < height; y++) {
    const y0 = y * sy;
    const y1 = y0 + sy;
    for (let x = 0; x < width; x++) {
      const x0 = x * sx;
      const x1 = x0 + sx;
      acc.fill(0);
      let total = 0;
      for (let j = Math.floor(y0); j < Math.min(src.height, Math.ceil(y1)); j++) {
        const wy = Math.min(y1, j + 1) - Math.max(y0, j);
        for (let i = Math.floor(x0); i < Math.min(src.width, Math.ceil(x1)); i++) {
          const w = wy * (Math.min(x1, i + 1) - Math.max(x0, i));
          const p = 4 * (j * src.width + i);
          for (let c = 0; c < 4; c++) acc[c]! += w * src.data[p + c]!;
          total += w;
        }
      }
      for (let c = 0; c < 4; c++) out[4 * (y * width + x) + c] = acc[c]! / total;
    }
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
