// Synthetic photos for the segmentation tests: a garment shape painted over a background, both
// given as colour functions, with seeded sensor noise. Imported by tests only.
import { mulberry32 } from '../ml/random';
import type { RGBAImage } from './image';
import type { Mask } from './segment';

export type RGB = [number, number, number];
export type Paint = (x: number, y: number) => RGB;
export type Shape = (x: number, y: number) => boolean;

/** A T-shirt: body and two sleeves, in a width×height frame, placed by its box (fractions). */
export function tShirt(width: number, height: number, box = { x: 0.2, y: 0.15, w: 0.6, h: 0.7 }): Shape {
  return (x, y) => {
    const u = (x / width - box.x) / box.w;
    const v = (y / height - box.y) / box.h;
    const body = u >= 0.22 && u <= 0.78 && v >= 0 && v <= 1;
    const sleeves = u >= 0 && u <= 1 && v >= 0 && v <= 0.35 - Math.abs(u - 0.5) * 0.2;
    return body || sleeves;
  };
}

/** Trousers whose legs run off the bottom edge. */
export function trousersToTheEdge(width: number, height: number): Shape {
  return (x, y) => {
    const u = x / width;
    const v = y / height;
    if (v < 0.2 || u < 0.25 || u > 0.75) return false;
    return v < 0.4 || u < 0.47 || u > 0.53;
  };
}

export const flat = (c: RGB): Paint => () => c;
/** Soft light from one side, as on a bed by a window. */
export const shaded = (c: RGB, amount = 25): Paint => (x, y) => c.map((v) => v - amount * ((x + y) / 400)) as RGB;
export const stripes = (a: RGB, b: RGB, period = 10): Paint => (x, y) => (Math.floor((x + y) / period) % 2 ? a : b);
export const checks = (a: RGB, b: RGB, period = 8): Paint => (x, y) => ((Math.floor(x / period) + Math.floor(y / period)) % 2 ? a : b);

export interface Scene {
  photo: RGBAImage;
  /** Where the garment really is. */
  truth: Mask;
}

export function scene(width: number, height: number, background: Paint, shape: Shape, garment: Paint, noise = 6, seed = 1): Scene {
  const rng = mulberry32(seed);
  const data = new Uint8ClampedArray(width * height * 4);
  const truth = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = shape(x, y);
      truth[y * width + x] = inside ? 1 : 0;
      const c = (inside ? garment : background)(x, y);
      const o = 4 * (y * width + x);
      for (let k = 0; k < 3; k++) data[o + k] = c[k]! + (rng() - 0.5) * 2 * noise;
      data[o + 3] = 255;
    }
  }
  return { photo: { width, height, data }, truth: { width, height, data: truth } };
}

/** Draws extra pixels (a hanger, a stain) into a scene's photo, outside the garment's truth. */
export function drawOver(photo: RGBAImage, shape: Shape, colour: RGB): void {
  for (let y = 0; y < photo.height; y++) {
    for (let x = 0; x < photo.width; x++) if (shape(x, y)) photo.data.set([...colour, 255], 4 * (y * photo.width + x));
  }
}

/** Intersection over union of a mask with the truth resampled to the mask's grid (nearest). */
export function iou(mask: Mask, truth: Mask): number {
  let both = 0;
  let either = 0;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const tx = Math.min(truth.width - 1, Math.floor(((x + 0.5) * truth.width) / mask.width));
      const ty = Math.min(truth.height - 1, Math.floor(((y + 0.5) * truth.height) / mask.height));
      const a = mask.data[y * mask.width + x]!;
      const b = truth.data[ty * truth.width + tx]!;
      both += a & b;
      either += a | b;
    }
  }
  return either ? both / either : 1;
}
