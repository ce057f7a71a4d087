import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoAugment } from '../../../src-shared/types/train';
import { augmentBatch, DEFAULT_PHOTO_AUGMENT, inverseAffine } from './augment';
import { mulberry32 } from './random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

const NONE: PhotoAugment = { scale: 0, aspect: 0, rotate: 0, contrast: 0, gamma: 0, blur: 0, edge: 0 };
const SIDE = 12;

/** b images of 12×12: a 6×6 garment (rows/cols 3–8) with a gradient of levels 0.3–0.8, background 0. */
function garments(b: number): tf.Tensor4D {
  const data = new Float32Array(b * SIDE * SIDE);
  for (let i = 0; i < b; i++) {
    for (let y = 3; y < 9; y++) for (let x = 3; x < 9; x++) data[i * SIDE * SIDE + y * SIDE + x] = 0.3 + (0.5 * (y - 3 + x - 3)) / 10;
  }
  return tf.tensor4d(data, [b, SIDE, SIDE, 1]);
}

async function run(photo: PhotoAugment, opts: { shift?: number; flip?: boolean; seed?: number; b?: number } = {}): Promise<Float32Array[]> {
  const b = opts.b ?? 16;
  const out = tf.tidy(() => augmentBatch(garments(b), { shift: opts.shift ?? 0, flip: opts.flip ?? false, photo }, mulberry32(opts.seed ?? 1)));
  const v = (await out.data()) as Float32Array;
  out.dispose();
  return Array.from({ length: b }, (_, i) => v.slice(i * SIDE * SIDE, (i + 1) * SIDE * SIDE));
}

const lit = (img: Float32Array, above = 0.02): number => img.filter((v) => v > above).length;

describe('inverseAffine', () => {
  const apply = (t: number[], x: number, y: number): [number, number] => [t[0]! * x + t[1]! * y + t[2]!, t[3]! * x + t[4]! * y + t[5]!];
  const still = { tx: 0, ty: 0, flip: false, sx: 1, sy: 1, theta: 0 };
  it('maps each output pixel to the input pixel it shows', () => {
    expect(apply(inverseAffine(12, 12, still), 4, 7)).toEqual([4, 7]);
    expect(apply(inverseAffine(12, 12, { ...still, flip: true }), 4, 7)).toEqual([7, 7]);
    expect(apply(inverseAffine(12, 12, { ...still, tx: 2, ty: -1 }), 4, 7)).toEqual([2, 8]);
    // Twice as large about the centre (5.5, 5.5): output 9.5 shows input 7.5.
    expect(apply(inverseAffine(12, 12, { ...still, sx: 2, sy: 2 }), 9.5, 9.5)).toEqual([7.5, 7.5]);
    // Turned a quarter clockwise on screen (y down): the output's right shows the input's top.
    const [x, y] = apply(inverseAffine(12, 12, { ...still, theta: Math.PI / 2 }), 11, 5.5);
    expect(x).toBeCloseTo(5.5);
    expect(y).toBeCloseTo(0);
  });
});

describe('photo augmentation', () => {
  it('leaves images as they are when every change is zero', async () => {
    const [img] = await run(NONE, { b: 1 });
    const original = (await garments(1).data()) as Float32Array;
    img!.forEach((v, i) => expect(v).toBeCloseTo(original[i]!, 5));
  });

  it('changes garment levels only (contrast, gamma): the background stays 0 and level order is kept', async () => {
    const images = await run({ ...NONE, contrast: 0.5, gamma: 0.8 });
    const original = (await garments(1).data()) as Float32Array;
    const garment = Array.from(original.keys()).filter((i) => original[i]! > 0);
    let changed = 0;
    for (const img of images) {
      original.forEach((v, i) => v === 0 && expect(img[i]).toBe(0));
      for (let k = 1; k < garment.length; k++) {
        const [a, b] = [garment[k - 1]!, garment[k]!];
        if (original[a]! < original[b]!) expect(img[a]!).toBeLessThanOrEqual(img[b]! + 1e-6);
      }
      if (Math.abs(img[garment[0]!]! - original[garment[0]!]!) > 0.01) changed++;
      expect(Math.max(...img)).toBeLessThanOrEqual(1);
    }
    expect(changed).toBeGreaterThan(images.length / 2);
  });

  it('moves the mask edge by one pixel: dilated images gain the ring around, eroded ones fade their outer ring', async () => {
    const original = (await garments(1).data()) as Float32Array;
    const inner = (i: number): boolean => Math.floor(i / SIDE) >= 4 && Math.floor(i / SIDE) <= 7 && i % SIDE >= 4 && i % SIDE <= 7;
    let dilated = 0;
    let eroded = 0;
    for (const img of await run({ ...NONE, edge: 1 }, { b: 40 })) {
      if (lit(img) === 64) {
        dilated++;
        original.forEach((v, i) => v > 0 && expect(img[i]).toBeCloseTo(v, 5));
      } else {
        eroded++;
        expect(lit(img, 0)).toBe(36);
        original.forEach((v, i) => v > 0 && (inner(i) ? expect(img[i]).toBeCloseTo(v, 5) : expect(img[i]).toBeLessThanOrEqual(v * 0.5 + 1e-6)));
      }
    }
    expect(dilated).toBeGreaterThan(10);
    expect(eroded).toBeGreaterThan(10);
  });

  it('softens with blur, keeping the garment’s total level', async () => {
    const original = (await garments(1).data()) as Float32Array;
    const total = original.reduce((a, v) => a + v, 0);
    for (const img of await run({ ...NONE, blur: 1 }, { b: 8 })) {
      expect(lit(img, 0)).toBeGreaterThan(36);
      expect(img.reduce((a, v) => a + v, 0)).toBeCloseTo(total, 3);
    }
  });

  it('scales, stretches and turns the garment, within the limits drawn', async () => {
    const areas = (await run({ ...NONE, scale: 0.3, aspect: 0.3, rotate: 20 }, { b: 40 })).map((img) => img.reduce((a, v) => a + v, 0));
    const original = ((await garments(1).data()) as Float32Array).reduce((a, v) => a + v, 0);
    // Area scales with size²·(aspect terms cancel): between 0.7² and 1.3² of the original.
    for (const a of areas) {
      expect(a).toBeGreaterThan(original * 0.45);
      expect(a).toBeLessThan(original * 1.75);
    }
    expect(Math.max(...areas) - Math.min(...areas)).toBeGreaterThan(original * 0.3);
  });

  it('is the same for the same seed, different for another, and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const a = await run(DEFAULT_PHOTO_AUGMENT, { shift: 1, flip: true, seed: 5 });
    const b = await run(DEFAULT_PHOTO_AUGMENT, { shift: 1, flip: true, seed: 5 });
    const c = await run(DEFAULT_PHOTO_AUGMENT, { shift: 1, flip: true, seed: 6 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs on wasm with the same results as on the cpu backend', async () => {
    const cpu = await run(DEFAULT_PHOTO_AUGMENT, { shift: 1, flip: true, seed: 9 });
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = await run(DEFAULT_PHOTO_AUGMENT, { shift: 1, flip: true, seed: 9 });
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    wasm.forEach((img, i) => img.forEach((v, k) => expect(v).toBeCloseTo(cpu[i]![k]!, 4)));
  });
});
