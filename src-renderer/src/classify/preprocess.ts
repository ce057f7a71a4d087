/**
 * Any picture → the 28×28 input a Fashion-MNIST model expects, by redoing the steps the dataset
 * was made with: gray, light object on black, cropped to the object, longest side 28 px with
 * the aspect ratio kept, centred, sharpened (only as much as a soft picture needs) and contrast
 * stretched (every test image peaks at 254 or 255).
 * Each step is a small pure function so tests can pin it and the UI can show what the model sees.
 */
import { grayImage, type GrayImage, type RGBAImage } from './image';
import { resize } from './resample';
import { autoSharpen, sharpen } from './sharpen';

export const INPUT_SIDE = 28;

export interface Background {
  kind: 'light' | 'dark';
  /** Median gray level of the border, 0–255. */
  level: number;
  /** Gray levels within this much of `level` count as background (border noise, JPEG ringing). */
  noise: number;
}

/** Pixel rectangle: columns x … x + width − 1, rows y … y + height − 1. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BoxOptions {
  /** A pixel is ink above this fraction of the brightest ink: faint haze never widens the box. */
  threshold?: number;
  /** Connected blobs smaller than this fraction of the largest one (dust, specks) are ignored. */
  minBlob?: number;
}

export interface PreprocessOptions extends BoxOptions {
  /** Gray level transparent pixels are composited over; chosen to contrast with the content if unset. */
  matte?: number;
  centre?: 'box' | 'mass';
  /** Edge boost of `sharpen`: 'auto' (default) as much as `autoSharpen` finds needed, 0 none. */
  sharpen?: number | 'auto';
}

export interface PreprocessSteps {
  gray: GrayImage;
  background: Background;
  /** Ink on black: background at 0, the object brighter. */
  ink: GrayImage;
  /** Null when the picture is blank. */
  box: Box | null;
  cropped: GrayImage;
  /** 28×28: longest side across the frame, box centred to the sub-pixel. */
  fitted: GrayImage;
  /** `fitted` with its edges restored (`sharpen`); the same image when fitting did not resample. */
  sharpened: GrayImage;
  /** The amount `sharpened` was sharpened by (0: not at all). */
  sharpenAmount: number;
  /** 28×28 on the 0–255 scale: what the model sees (differs from `fitted` in 'mass' mode). */
  centred: GrayImage;
}

export interface Preprocessed {
  /** 784 values in [0, 1], row-major. All zero when the picture is blank. */
  input: Float32Array;
  empty: boolean;
  steps: PreprocessSteps;
}

/** Luminance (Rec. 601, as 8-bit grayscale converters compute it), alpha composited over `matte`. */
export function toGray(rgba: RGBAImage, matte?: number): GrayImage {
  const { width, height, data } = rgba;
  if (data.length !== width * height * 4) throw new RangeError(`RGBA image ${width}×${height} needs ${width * height * 4} bytes`);
  const lum = new Float32Array(width * height);
  let translucent = false;
  let inkSum = 0;
  let alphaSum = 0;
  for (let i = 0; i < lum.length; i++) {
    const a = data[4 * i + 3]!;
    const l = 0.299 * data[4 * i]! + 0.587 * data[4 * i + 1]! + 0.114 * data[4 * i + 2]!;
    lum[i] = l;
    if (a < 255) translucent = true;
    inkSum += l * a;
    alphaSum += a;
  }
  if (!translucent) return grayImage(width, height, lum);
  // A cut-out (transparent background) keeps its object visible only on a contrasting matte:
  // a white sneaker goes on black, a dark boot on white.
  const m = matte ?? (alphaSum > 0 && inkSum / alphaSum > 127.5 ? 0 : 255);
  for (let i = 0; i < lum.length; i++) {
    const a = data[4 * i + 3]! / 255;
    lum[i] = lum[i]! * a + m * (1 - a);
  }
  return grayImage(width, height, lum);
}

/** A 256-bin histogram's median and median absolute deviation. */
function medianAndMad(values: Float32Array): { median: number; mad: number } {
  const hist = new Uint32Array(256);
  for (const v of values) hist[Math.max(0, Math.min(255, Math.round(v)))]!++;
  const half = values.length / 2;
  const percentile = (h: Uint32Array): number => {
    let seen = 0;
    for (let i = 0; i < h.length; i++) if ((seen += h[i]!) >= half) return i;
    return h.length - 1;
  };
  const median = percentile(hist);
  const dev = new Uint32Array(256);
  for (let i = 0; i < 256; i++) dev[Math.abs(i - median)]! += hist[i]!;
  return { median, mad: percentile(dev) };
}

/**
 * Background from the border ring (2% of the short side, at least 1 px). It is light when the
 * border is brighter than the picture as a whole: the object pulls the mean away from the
 * border, which also settles mid-gray backgrounds that a fixed 128 cut would get wrong.
 */
export function detectBackground(gray: GrayImage): Background {
  const { width, height, data } = gray;
  const ring = Math.max(1, Math.round(Math.min(width, height) * 0.02));
  const border: number[] = [];
  let sum = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x]!;
      sum += v;
      if (x < ring || y < ring || x >= width - ring || y >= height - ring) border.push(v);
    }
  }
  const { median, mad } = medianAndMad(Float32Array.from(border));
  const mean = sum / data.length;
  const light = Math.abs(mean - median) < 0.5 ? median >= 128 : median > mean;
  // 1.4826·MAD estimates σ for Gaussian noise; 3σ keeps nearly all of it out of the ink.
  return { kind: light ? 'light' : 'dark', level: median, noise: Math.ceil(3 * 1.4826 * mad) };
}

/** Ink on black: inverts a light background, and maps the background level (± noise) to 0. */
export function invertIfLight(gray: GrayImage, background: Background): GrayImage {
  const { level, noise } = background;
  const sign = background.kind === 'light' ? -1 : 1;
  const out = new Float32Array(gray.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, sign * (gray.data[i]! - level) - noise);
  return grayImage(gray.width, gray.height, out);
}

/**
 * The box around the object: pixels above `threshold`·max, grouped into 8-connected blobs;
 * blobs under `minBlob` of the largest are noise. Null when nothing is there.
 */
export function boundingBox(ink: GrayImage, { threshold = 0.05, minBlob = 0.005 }: BoxOptions = {}): Box | null {
  const { width, height, data } = ink;
  let max = 0;
  for (const v of data) if (v > max) max = v;
  if (max <= 0) return null;
  const cut = max * threshold;
  const label = new Int32Array(data.length).fill(-1); // -1 background, 0.. blob id
  const blobs: { area: number; x0: number; y0: number; x1: number; y1: number }[] = [];
  const stack = new Int32Array(data.length);
  for (let seed = 0; seed < data.length; seed++) {
    if (label[seed] !== -1 || data[seed]! <= cut) continue;
    const id = blobs.length;
    const blob = { area: 0, x0: width, y0: height, x1: -1, y1: -1 };
    let top = 0;
    stack[top++] = seed;
    label[seed] = id;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      blob.area++;
      if (x < blob.x0) blob.x0 = x;
      if (x > blob.x1) blob.x1 = x;
      if (y < blob.y0) blob.y0 = y;
      if (y > blob.y1) blob.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const q = ny * width + nx;
          if (nx < 0 || nx >= width || label[q] !== -1 || data[q]! <= cut) continue;
          label[q] = id;
          stack[top++] = q;
        }
      }
    }
    blobs.push(blob);
  }
  let largest = 0; // a loop, not Math.max(...): a noisy photo can hold 10⁵ blobs
  for (const b of blobs) if (b.area > largest) largest = b.area;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (const b of blobs) {
    if (b.area < largest * minBlob) continue;
    x0 = Math.min(x0, b.x0);
    y0 = Math.min(y0, b.y0);
    x1 = Math.max(x1, b.x1);
    y1 = Math.max(y1, b.y1);
  }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export function crop(gray: GrayImage, box: Box): GrayImage {
  const { x, y, width, height } = box;
  if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > gray.width || y + height > gray.height) {
    throw new RangeError(`box ${width}×${height}+${x}+${y} is outside the ${gray.width}×${gray.height} image`);
  }
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    const from = (y + r) * gray.width + x;
    out.set(gray.data.subarray(from, from + width), r * width);
  }
  return grayImage(width, height, out);
}

/**
 * Scales the object so its longest side spans the side×side frame, one scale for both axes, and
 * centres it there in the same resampling, so sub-pixel placement costs no second blur. A whole
 * number of pixels is placed as the dataset did (an odd spare pixel left/top: a 21-wide shirt
 * starts at x = 4); a fraction is split evenly around that spot.
 */
export function fitInto(gray: GrayImage, side = INPUT_SIDE): GrayImage {
  const scale = side / Math.max(gray.width, gray.height);
  const offset = (exact: number): number => {
    const whole = Math.round(exact);
    return Math.ceil((side - whole) / 2) + (whole - exact) / 2;
  };
  return resize(gray, side, side, {
    scaleX: scale,
    scaleY: scale,
    offsetX: offset(gray.width * scale),
    offsetY: offset(gray.height * scale),
  });
}

/**
 * Moves the ink (every pixel above 0) into a side×side black frame by whole pixels. 'box' centres
 * its bounding box, an odd spare pixel going left/top as in the dataset (a 23-wide shirt starts
 * at x = 3); 'mass' puts its centre of mass in the middle as far as the frame allows.
 */
export function centre(gray: GrayImage, side = INPUT_SIDE, mode: 'box' | 'mass' = 'box'): GrayImage {
  const out = new Float32Array(side * side);
  const box = boundingBox(gray, { threshold: 0, minBlob: 0 });
  if (!box) return grayImage(side, side, out);
  if (box.width > side || box.height > side) throw new RangeError(`${box.width}×${box.height} of ink does not fit in ${side}×${side}`);
  let left = Math.ceil((side - box.width) / 2);
  let top = Math.ceil((side - box.height) / 2);
  if (mode === 'mass') {
    let m = 0, mx = 0, my = 0;
    for (let y = box.y; y < box.y + box.height; y++) {
      for (let x = box.x; x < box.x + box.width; x++) {
        const v = gray.data[y * gray.width + x]!;
        m += v;
        mx += v * (x - box.x + 0.5);
        my += v * (y - box.y + 0.5);
      }
    }
    left = Math.min(side - box.width, Math.max(0, Math.round(side / 2 - mx / m)));
    top = Math.min(side - box.height, Math.max(0, Math.round(side / 2 - my / m)));
  }
  for (let y = 0; y < box.height; y++) {
    const from = (box.y + y) * gray.width + box.x;
    out.set(gray.data.subarray(from, from + box.width), (top + y) * side + left);
  }
  return grayImage(side, side, out);
}

/** To [0, 1] with the brightest pixel at 1: dataset images all peak at 254–255. */
export function scaleTo01(gray: GrayImage): Float32Array {
  let max = 0;
  for (const v of gray.data) if (v > max) max = v;
  const out = new Float32Array(gray.data.length);
  if (max > 0) for (let i = 0; i < out.length; i++) out[i] = Math.min(1, gray.data[i]! / max);
  return out;
}

export function preprocess(rgba: RGBAImage, options: PreprocessOptions = {}): Preprocessed {
  const gray = toGray(rgba, options.matte);
  const background = detectBackground(gray);
  const ink = invertIfLight(gray, background);
  const box = boundingBox(ink, options);
  const cropped = box ? crop(ink, box) : grayImage(1, 1);
  const fitted = fitInto(cropped);
  // An object already 28 px long (a dataset image as it is) was sharpened when it was made.
  const resampled = Math.max(cropped.width, cropped.height) !== INPUT_SIDE;
  const mode = options.sharpen ?? 'auto';
  const { image: sharpened, amount: sharpenAmount } = !resampled
    ? { image: fitted, amount: 0 }
    : mode === 'auto'
      ? autoSharpen(fitted)
      : { image: sharpen(fitted, mode), amount: mode };
  const centred = centre(sharpened, INPUT_SIDE, options.centre);
  return {
    input: scaleTo01(centred),
    empty: box === null,
    steps: { gray, background, ink, box, cropped, fitted, sharpened, sharpenAmount, centred },
  };
}

/**
 * The draw pad: strokes white-on-black or black-on-white (or on a transparent canvas) go
 * through the same pipeline. Every mark is deliberate, so no blob is dropped as a speck.
 */
export function fromDrawing(rgba: RGBAImage, options: PreprocessOptions = {}): Preprocessed {
  return preprocess(rgba, { minBlob: 0, ...options });
}
