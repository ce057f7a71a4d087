/**
 * A decoded photo → the 28×28 the model sees, with the garment mask it was cut by. Two routes:
 * - 'flat': the border is one clean colour (a product shot, a scan, a drawing): the heuristic of
 *   preprocess.ts, which reproduces how Fashion-MNIST was made from such shots (96.7% class
 *   agreement on rendered test images), and is left exactly as it was;
 * - 'grabcut': anything else (beds, floors, doors, patterned sheets): GrabCut finds the garment
 *   (segment.ts) and the mask makes the 28×28 (from-mask.ts).
 * User hints (a rectangle, brush strokes) always take the GrabCut route.
 */
import { grayImage, type GrayImage, type RGBAImage } from './image';
import type { OpenCv } from './opencv';
import { boundingBox, preprocess, toGray, type Box } from './preprocess';
import { inputFromMask } from './from-mask';
import { shrinkToSide } from './rgba';
import { SEGMENT_SIDE, segmentGarment, type Mask, type SegmentHints } from './segment';

export type Route = 'flat' | 'grabcut';

export interface PreparedPhoto {
  /** 784 values in [0, 1]; all zero when nothing was found. */
  input: Float32Array;
  /** False when no garment was found. */
  found: boolean;
  /** The garment seemed to fill the whole photo (nothing left to learn the background from): the mask is the frame. */
  fillsFrame: boolean;
  route: Route;
  /** The photo shrunk to SEGMENT_SIDE px long, which the mask covers pixel for pixel. */
  small: RGBAImage;
  /** Garment mask on `small`. */
  mask: Mask;
  /** Photo pixels per mask pixel (photo width / mask width). */
  scale: number;
  /** 28×28 on the 0–255 scale, as the model sees it. */
  image: GrayImage;
}

/**
 * A clean flat background: at least FLAT_SHARE of the border ring within FLAT_TOLERANCE levels
 * (each of R, G, B) of the ring's median colour. Product shots, dataset pictures and drawings
 * have 80–100% of their ring there, even where the garment touches the edge; phone photos of
 * beds, floors and doors at most 48% (99th percentile 22%, 741 photos of ../shared/photos).
 */
const FLAT_TOLERANCE = 2;
const FLAT_SHARE = 0.6;
/** A mask smaller than this share of the photo is nothing found (a speck, a crease). */
const MIN_GARMENT_SHARE = 0.005;

/** Is the border one clean flat colour? Ring: 3% of the short side (at least 1 px) of `small`. */
export function hasFlatBorder(small: RGBAImage): boolean {
  const { width, height, data } = small;
  const ring = Math.max(1, Math.round(Math.min(width, height) * 0.03));
  const pixels: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (x < ring || y < ring || x >= width - ring || y >= height - ring) pixels.push(4 * (y * width + x));
  }
  const median = [0, 1, 2].map((c) => {
    const values = pixels.map((p) => data[p + c]!).sort((a, b) => a - b);
    return values[values.length >> 1]!;
  });
  let flat = 0;
  for (const p of pixels) {
    if (Math.max(...median.map((m, c) => Math.abs(data[p + c]! - m))) <= FLAT_TOLERANCE) flat++;
  }
  return flat >= FLAT_SHARE * pixels.length;
}

/** The heuristic's ink as a mask on the small copy, so both routes can show an outline. */
function maskFromInk(small: RGBAImage): Mask {
  const ink = preprocess(small).steps.ink;
  const data = new Uint8Array(small.width * small.height);
  let max = 0;
  for (const v of ink.data) if (v > max) max = v;
  if (max > 0) for (let i = 0; i < data.length; i++) data[i] = ink.data[i]! > 0.05 * max ? 1 : 0;
  return { width: small.width, height: small.height, data };
}

/**
 * Keeps the connected parts of the mask (8-neighbour) at least `share` of the largest: GrabCut
 * leaves stray specks where a bit of background resembles the garment.
 */
export function keepLargeParts(mask: Mask, share = 0.1): Mask {
  const labels = new Int32Array(mask.data.length).fill(-1);
  const sizes: number[] = [];
  const stack: number[] = [];
  const { width, height } = mask;
  for (let seed = 0; seed < labels.length; seed++) {
    if (!mask.data[seed] || labels[seed] !== -1) continue;
    const id = sizes.length;
    let size = 0;
    labels[seed] = id;
    stack.push(seed);
    while (stack.length) {
      const p = stack.pop()!;
      size++;
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          const q = ny * width + nx;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height || !mask.data[q] || labels[q] !== -1) continue;
          labels[q] = id;
          stack.push(q);
        }
      }
    }
    sizes.push(size);
  }
  const largest = sizes.reduce((m, s) => Math.max(m, s), 0);
  const data = new Uint8Array(mask.data.length);
  for (let i = 0; i < data.length; i++) data[i] = labels[i]! >= 0 && sizes[labels[i]!]! >= share * largest ? 1 : 0;
  return { width, height, data };
}

function count(mask: Mask): number {
  let n = 0;
  for (const v of mask.data) n += v;
  return n;
}

/** The heuristic route, unchanged from before segmentation existed. */
function viaFlat(photo: RGBAImage, small: RGBAImage): PreparedPhoto {
  const pre = preprocess(photo);
  return {
    input: pre.input,
    found: !pre.empty,
    fillsFrame: false,
    route: 'flat',
    small,
    mask: maskFromInk(small),
    scale: photo.width / small.width,
    image: pre.steps.centred,
  };
}

/** Gray standard deviation of the photo: below this it is one even surface with nothing on it. */
const MIN_DETAIL = 6;

function grayDeviation(small: RGBAImage): number {
  const gray = toGray(small, 255).data;
  let sum = 0, sq = 0;
  for (const v of gray) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / gray.length;
  return Math.sqrt(Math.max(0, sq / gray.length - mean * mean));
}

const isSteered = (hints: SegmentHints): boolean => Boolean(hints.rect || hints.strokes?.length);

/** The heuristic's answer when the photo takes the 'flat' route (clean border, no hints); else null. */
/** `small`: the photo at SEGMENT_SIDE when the caller has it (both routes need it: shrunk once). */
export function flatRoute(photo: RGBAImage, hints: SegmentHints = {}, small = shrinkToSide(photo, SEGMENT_SIDE)): PreparedPhoto | null {
  if (isSteered(hints)) return null;
  if (!hasFlatBorder(small)) return null;
  const prepared = viaFlat(photo, small);
  // An even surface with nothing on it: the heuristic would box its sensor noise.
  return grayDeviation(small) < MIN_DETAIL ? { ...prepared, found: false, input: new Float32Array(prepared.input.length) } : prepared;
}

/** GrabCut's answer, whatever the border. */
export function segmentRoute(cv: OpenCv, photo: RGBAImage, hints: SegmentHints = {}, small = shrinkToSide(photo, SEGMENT_SIDE)): PreparedPhoto {
  const steered = isSteered(hints);
  const seg = segmentGarment(cv, photo, hints, { small });
  let mask = keepLargeParts(seg.mask);
  let fillsFrame = false;
  if (count(mask) < MIN_GARMENT_SHARE * mask.data.length && !steered && grayDeviation(small) >= MIN_DETAIL) {
    // GrabCut learns the background from the border; a garment that fills the photo is all
    // border, so it finds nothing. The photo is then the garment, edge to edge.
    mask = { ...mask, data: new Uint8Array(mask.data.length).fill(1) };
    fillsFrame = true;
  }
  const found = count(mask) >= MIN_GARMENT_SHARE * mask.data.length;
  const made = inputFromMask(seg.small, found ? mask : { ...mask, data: new Uint8Array(mask.data.length) }, { sharpen: false });
  return {
    input: made.input,
    found: found && !made.empty,
    fillsFrame,
    route: 'grabcut',
    small: seg.small,
    mask,
    scale: seg.scale,
    image: made.image,
  };
}

export function preparePhoto(cv: OpenCv, photo: RGBAImage, hints: SegmentHints = {}): PreparedPhoto {
  const small = shrinkToSide(photo, SEGMENT_SIDE);
  return flatRoute(photo, hints, small) ?? segmentRoute(cv, photo, hints, small);
}

/**
 * The mask's boundary as unit segments between garment and background pixels, in photo pixels:
 * x0, y0, x1, y1 per segment, ready to stroke over the photo.
 */
export function maskOutline(mask: Mask, scale: number): Float32Array {
  const { width, height, data } = mask;
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= width || y >= height ? 0 : data[y * width + x]!);
  const out: number[] = [];
  for (let y = 0; y <= height; y++) {
    for (let x = 0; x <= width; x++) {
      if (at(x, y) !== at(x, y - 1)) out.push(x * scale, y * scale, (x + 1) * scale, y * scale); // top edge of (x, y)
      if (at(x, y) !== at(x - 1, y)) out.push(x * scale, y * scale, x * scale, (y + 1) * scale); // left edge
    }
  }
  return Float32Array.from(out);
}

/** The mask's bounding box in photo pixels (for a UI's rectangle tool to start from). */
export function maskBoxInPhoto(prepared: PreparedPhoto): Box | null {
  const box = boundingBox(grayImage(prepared.mask.width, prepared.mask.height, Float32Array.from(prepared.mask.data)), { threshold: 0, minBlob: 0 });
  if (!box) return null;
  const s = prepared.scale;
  return { x: Math.floor(box.x * s), y: Math.floor(box.y * s), width: Math.ceil(box.width * s), height: Math.ceil(box.height * s) };
}
