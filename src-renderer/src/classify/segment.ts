/**
 * Garment vs background in a photo: OpenCV's GrabCut (colour models of garment and background,
 * refined by a graph cut) on a copy whose long side is SEGMENT_SIDE px, started from a rectangle
 * GRABCUT_INSET inside the border, or from the user's rectangle and brush strokes. The result is a
 * mask on that copy: 1 garment, 0 background.
 */
import type { Box } from './preprocess';
import type { RGBAImage } from './image';
import type { OpenCv } from './opencv';
import { shrinkToSide, toRGB } from './rgba';

/** Long side GrabCut works at: 35–80 ms a photo here, and 4.5× the 28 px the model sees. */
export const SEGMENT_SIDE = 128;
/** The automatic rectangle: this fraction of each side in from the border is background. */
export const GRABCUT_INSET = 0.06;
export const GRABCUT_ITERATIONS = 2;
/** Parts of the mask thinner than this many px (at SEGMENT_SIDE) are opened away. */
export const OPEN_SIZE = 5;
/** GrabCut's k-means starts from OpenCV's global RNG: reseeded each call, a photo always gets one mask. */
const RNG_SEED = 0x5eed;

/** A binary mask: `data[y·width + x]` is 1 on the garment, 0 on the background. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A brush stroke in the photo's pixel coordinates (as decoded), marking garment or background. */
export interface Stroke {
  label: 'garment' | 'background';
  /** Brush radius in photo pixels. */
  radius: number;
  /** x0, y0, x1, y1, … along the stroke. */
  points: Float32Array | number[];
}

/** The user's corrections, in the photo's pixel coordinates. */
export interface SegmentHints {
  /** The garment lies inside this rectangle; everything outside is background. */
  rect?: Box;
  strokes?: Stroke[];
}

export interface Segmentation {
  /** The photo at SEGMENT_SIDE, which the mask covers pixel for pixel. */
  small: RGBAImage;
  mask: Mask;
  /** Photo pixels per mask pixel (≥ 1). */
  scale: number;
}

/** The default rectangle, GRABCUT_INSET inside the border, at least 1 px. */
export function insetRect(width: number, height: number, inset = GRABCUT_INSET): Box {
  const dx = Math.max(1, Math.round(width * inset));
  const dy = Math.max(1, Math.round(height * inset));
  return { x: dx, y: dy, width: Math.max(1, width - 2 * dx), height: Math.max(1, height - 2 * dy) };
}

/** A photo-space rectangle on the small copy, clipped to it. Null when nothing of it is left. */
export function scaleRect(rect: Box, scale: number, width: number, height: number): Box | null {
  const x0 = Math.max(0, Math.floor(rect.x / scale));
  const y0 = Math.max(0, Math.floor(rect.y / scale));
  const x1 = Math.min(width, Math.ceil((rect.x + rect.width) / scale));
  const y1 = Math.min(height, Math.ceil((rect.y + rect.height) / scale));
  return x1 - x0 >= 2 && y1 - y0 >= 2 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/** Paints a stroke (disc brush along each segment) onto `labels` with `value`. */
export function paintStroke(labels: Uint8Array, width: number, height: number, stroke: Stroke, scale: number, value: number): void {
  const r = Math.max(0.5, stroke.radius / scale);
  const pts = stroke.points;
  const dab = (cx: number, cy: number): void => {
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(height - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(width - 1, Math.ceil(cx + r)); x++) {
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) labels[y * width + x] = value;
      }
    }
  };
  for (let i = 0; i + 1 < pts.length; i += 2) {
    const x = pts[i]! / scale;
    const y = pts[i + 1]! / scale;
    const hasNext = i + 3 < pts.length;
    const nx = hasNext ? pts[i + 2]! / scale : x;
    const ny = hasNext ? pts[i + 3]! / scale : y;
    const steps = Math.max(1, Math.ceil(Math.hypot(nx - x, ny - y) / Math.max(0.5, r / 2)));
    for (let s = 0; s < (hasNext ? steps : 1); s++) dab(x + ((nx - x) * s) / steps, y + ((ny - y) * s) / steps);
  }
}

/** GrabCut's starting labels: outside the rectangle sure background, inside probably garment, strokes sure. */
export function initialLabels(cv: OpenCv, width: number, height: number, rect: Box, strokes: Stroke[], scale: number): Uint8Array {
  const labels = new Uint8Array(width * height).fill(cv.GC_BGD);
  for (let y = rect.y; y < rect.y + rect.height; y++) labels.fill(cv.GC_PR_FGD, y * width + rect.x, y * width + rect.x + rect.width);
  for (const s of strokes) paintStroke(labels, width, height, s, scale, s.label === 'garment' ? cv.GC_FGD : cv.GC_BGD);
  return labels;
}

/** Runs GrabCut on packed RGB with starting labels; returns the final labels (GC_* values). */
export function grabCut(cv: OpenCv, rgb: Uint8Array, width: number, height: number, labels: Uint8Array, iterations = GRABCUT_ITERATIONS): Uint8Array {
  const image = new cv.Mat(height, width, cv.CV_8UC3);
  const mask = new cv.Mat(height, width, cv.CV_8UC1);
  const bgd = new cv.Mat();
  const fgd = new cv.Mat();
  try {
    image.data.set(rgb);
    mask.data.set(labels);
    cv.setRNGSeed(RNG_SEED);
    cv.grabCut(image, mask, new cv.Rect(0, 0, width, height), bgd, fgd, iterations, cv.GC_INIT_WITH_MASK);
    return Uint8Array.from(mask.data);
  } finally {
    image.delete();
    mask.delete();
    bgd.delete();
    fgd.delete();
  }
}

/**
 * GrabCut cannot start without some of each: with no background (a rectangle over the whole
 * photo and no background stroke) or no garment, the answer is the labels as they are.
 */
function hasBoth(cv: OpenCv, labels: Uint8Array): boolean {
  let bg = false;
  let fg = false;
  for (const v of labels) {
    if (v === cv.GC_BGD || v === cv.GC_PR_BGD) bg = true;
    else fg = true;
    if (bg && fg) return true;
  }
  return false;
}

/**
 * Morphological opening (erode, then dilate) with a disc `size` px across: removes parts thinner
 * than that (a hanger's hook and bar, a strap of background between folds), which at 28 px would
 * be under a pixel anyway.
 */
export function openMask(cv: OpenCv, mask: Mask, size = OPEN_SIZE): Mask {
  const src = new cv.Mat(mask.height, mask.width, cv.CV_8UC1);
  const dst = new cv.Mat();
  const kernel = cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(size, size));
  try {
    src.data.set(mask.data);
    cv.morphologyEx(src, dst, cv.MORPH_OPEN, kernel);
    return { width: mask.width, height: mask.height, data: Uint8Array.from(dst.data) };
  } finally {
    src.delete();
    dst.delete();
    kernel.delete();
  }
}

export interface SegmentOptions {
  side?: number;
  /** The photo already shrunk to `side` (the route check made it): saves shrinking it twice. */
  small?: RGBAImage;
  inset?: number;
  iterations?: number;
}

/** The garment mask of `photo`: automatic, or steered by `hints`. */
export function segmentGarment(cv: OpenCv, photo: RGBAImage, hints: SegmentHints = {}, options: SegmentOptions = {}): Segmentation {
  const small = options.small ?? shrinkToSide(photo, options.side ?? SEGMENT_SIDE);
  const { width, height } = small;
  const scale = photo.width / width;
  const rect = (hints.rect && scaleRect(hints.rect, scale, width, height)) ?? insetRect(width, height, options.inset);
  const labels = initialLabels(cv, width, height, rect, hints.strokes ?? [], scale);
  const result = hasBoth(cv, labels) ? grabCut(cv, toRGB(small), width, height, labels, options.iterations) : labels;
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = result[i] === cv.GC_FGD || result[i] === cv.GC_PR_FGD ? 1 : 0;
  const opened = openMask(cv, { width, height, data });
  // What the user marked as garment stays, however thin.
  for (let i = 0; i < data.length; i++) if (labels[i] === cv.GC_FGD) opened.data[i] = 1;
  return { small, mask: opened, scale };
}
