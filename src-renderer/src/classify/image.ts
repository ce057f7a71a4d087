/**
 * The two image shapes the Classify pipeline passes around. `RGBAImage` is structurally an
 * `ImageData`, so canvas pixels go in without a copy; `GrayImage` holds one float per pixel on
 * the 0–255 scale until the last step scales it to [0, 1].
 */
export interface RGBAImage {
  width: number;
  height: number;
  /** width·height·4 bytes, row-major RGBA, not premultiplied. */
  data: Uint8ClampedArray;
}

export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

export function grayImage(width: number, height: number, data: Float32Array = new Float32Array(width * height)): GrayImage {
  if (data.length !== width * height) throw new RangeError(`gray image ${width}×${height} needs ${width * height} values`);
  return { width, height, data };
}

/** Gray (0–255, or 0–1 when `scale` is 255) → opaque RGBA, e.g. to show a step on a canvas. */
export function grayToRGBA(gray: GrayImage, scale = 1): RGBAImage {
  const { width, height, data } = gray;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) {
    const v = (data[i] ?? 0) * scale; // Uint8ClampedArray rounds and clamps
    out[4 * i] = v;
    out[4 * i + 1] = v;
    out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return { width, height, data: out };
}
