// Scoring and the contact sheet for `npm run eval:photos`: pure functions over predictions, so
// they are tested without a model.
import { grayImage, type GrayImage, type RGBAImage } from '../../src-renderer/src/classify/image';
import { fitInto, scaleTo01, toGray } from '../../src-renderer/src/classify/preprocess';
import { shrinkRGBA } from '../../src-renderer/src/classify/rgba';
import type { Mask } from '../../src-renderer/src/classify/segment';

export interface Scored {
  path: string;
  folder: string;
  strict: string[];
  lenient: string[];
  /** Class probabilities, in the model's class order; null when the photo was refused. */
  probs: Float32Array | null;
}

export interface Score {
  n: number;
  top1: number;
  top1Lenient: number;
  top3: number;
  /** Folder → [right, total] top-1 strict. */
  perFolder: Map<string, [number, number]>;
  /** Folder → predicted class → count ('refused' for refused photos). */
  confusion: Map<string, Map<string, number>>;
}

/** The naive baseline: the whole photo, gray, fitted into 28×28 (aspect kept) and inverted. */
export function naiveInput(photo: RGBAImage): Float32Array {
  const gray = toGray(photo, 255);
  const inverted = grayImage(gray.width, gray.height, gray.data.map((v) => 255 - v));
  return scaleTo01(fitInto(inverted));
}

/** Class indices by falling probability. */
export function ranking(probs: Float32Array): number[] {
  return Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
}

/** Top-1/top-3 strict, top-1 lenient, per folder and confusion; a refused photo counts as wrong. */
export function score(rows: readonly Scored[], classNames: readonly string[]): Score {
  const perFolder = new Map<string, [number, number]>();
  const confusion = new Map<string, Map<string, number>>();
  let top1 = 0, top1Lenient = 0, top3 = 0;
  for (const row of rows) {
    const folder = perFolder.get(row.folder) ?? [0, 0];
    perFolder.set(row.folder, folder);
    folder[1]++;
    const order = row.probs ? ranking(row.probs) : [];
    const first = order.length ? classNames[order[0]!]! : 'refused';
    const cells = confusion.get(row.folder) ?? new Map<string, number>();
    confusion.set(row.folder, cells);
    cells.set(first, (cells.get(first) ?? 0) + 1);
    if (!row.probs) continue;
    const right = row.strict.includes(first);
    top1 += +right;
    folder[0] += +right;
    top1Lenient += +row.lenient.includes(first);
    top3 += +order.slice(0, 3).some((k) => row.strict.includes(classNames[k]!));
  }
  const n = rows.length;
  const share = (k: number): number => (n ? k / n : 0);
  return { n, top1: share(top1), top1Lenient: share(top1Lenient), top3: share(top3), perFolder, confusion };
}

/** Probability of the best right answer: low means the model was sure of something else. */
export function rightProbability(row: Scored, classNames: readonly string[]): number {
  if (!row.probs) return -1;
  return Math.max(...row.strict.map((c) => row.probs![classNames.indexOf(c)] ?? 0));
}

/** An RGBA canvas to paste pictures into (white). */
export function canvas(width: number, height: number): RGBAImage {
  return { width, height, data: new Uint8ClampedArray(width * height * 4).fill(255) };
}

export function paste(dst: RGBAImage, src: RGBAImage, x0: number, y0: number): void {
  for (let y = 0; y < src.height && y0 + y < dst.height; y++) {
    for (let x = 0; x < src.width && x0 + x < dst.width; x++) {
      const d = 4 * ((y0 + y) * dst.width + x0 + x);
      const s = 4 * (y * src.width + x);
      for (let c = 0; c < 4; c++) dst.data[d + c] = src.data[s + c]!;
    }
  }
}

/** The photo with the background dimmed and the mask's edge drawn in red. */
export function overlayMask(small: RGBAImage, mask: Mask): RGBAImage {
  const out = { width: small.width, height: small.height, data: Uint8ClampedArray.from(small.data) };
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= mask.width || y >= mask.height ? 0 : mask.data[y * mask.width + x]!);
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const p = 4 * (y * mask.width + x);
      const inside = at(x, y);
      const edge = inside && (!at(x - 1, y) || !at(x + 1, y) || !at(x, y - 1) || !at(x, y + 1));
      if (edge) out.data.set([255, 0, 0, 255], p);
      else if (!inside) for (let c = 0; c < 3; c++) out.data[p + c] = out.data[p + c]! * 0.35;
    }
  }
  return out;
}

/** A 28×28 (0–255) enlarged `zoom` times, pixel for pixel. */
export function enlarge(gray: GrayImage, zoom: number): RGBAImage {
  const out = canvas(gray.width * zoom, gray.height * zoom);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const v = gray.data[Math.floor(y / zoom) * gray.width + Math.floor(x / zoom)]!;
      out.data.set([v, v, v, 255], 4 * (y * out.width + x));
    }
  }
  return out;
}

export interface SheetRow {
  small: RGBAImage;
  mask: Mask;
  input: GrayImage;
}

/** One row per case: the photo, the photo with its mask, and what the model saw; `cell` px high. */
export function contactSheet(rows: readonly SheetRow[], cell = 112, perRow = 2): RGBAImage {
  const fit = (img: RGBAImage): RGBAImage => {
    const s = cell / Math.max(img.width, img.height);
    return shrinkRGBA(img, Math.max(1, Math.round(img.width * s)), Math.max(1, Math.round(img.height * s)));
  };
  const gap = 6;
  const groupWidth = 3 * (cell + gap) + 3 * gap;
  const sheet = canvas(perRow * groupWidth, Math.ceil(rows.length / perRow) * (cell + gap) + gap);
  rows.forEach((row, i) => {
    const x0 = (i % perRow) * groupWidth + gap;
    const y0 = Math.floor(i / perRow) * (cell + gap) + gap;
    paste(sheet, fit(row.small), x0, y0);
    paste(sheet, fit(overlayMask(row.small, row.mask)), x0 + cell + gap, y0);
    paste(sheet, enlarge(row.input, Math.floor(cell / 28)), x0 + 2 * (cell + gap), y0);
  });
  return sheet;
}
