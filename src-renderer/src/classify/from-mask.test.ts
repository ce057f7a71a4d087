import { describe, expect, it } from 'vitest';
import { grayImage } from './image';
import { inputFromMask, maskBox, negateUnderMask } from './from-mask';

const mask = (w: number, h: number, inside: (x: number, y: number) => boolean) => {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = inside(x, y) ? 1 : 0;
  return { width: w, height: h, data };
};

describe('negateUnderMask', () => {
  it('puts the background at exactly 0 and stretches the garment between floor and 255', () => {
    const gray = grayImage(4, 1, Float32Array.of(255, 200, 100, 0));
    const out = negateUnderMask(gray, mask(4, 1, (x) => x >= 1 && x <= 2), { floor: 0.25, low: 0, high: 1 });
    expect(Array.from(out.data)).toEqual([0, 255 * 0.25, 255, 0]);
  });
});

describe('inputFromMask', () => {
  it('trims to the mask, fits the long side to 28 and centres it', () => {
    const w = 60, h = 90;
    const small = { width: w, height: h, data: new Uint8ClampedArray(w * h * 4).fill(255) };
    const m = mask(w, h, (x, y) => x >= 10 && x < 40 && y >= 20 && y < 80); // 30 × 60
    for (let i = 0; i < w * h; i++) if (m.data[i]) small.data.set([40, 40, 40], 4 * i);
    const made = inputFromMask(small, m, { sharpen: false });
    expect(maskBox(m)).toEqual({ x: 10, y: 20, width: 30, height: 60 });
    const lit = (x: number, y: number): boolean => made.input[y * 28 + x]! > 0;
    expect(lit(14, 0) && lit(14, 27)).toBe(true); // full height
    expect(lit(7, 14) && lit(20, 14)).toBe(true); // 14 wide, centred: columns 7–20
    expect(lit(6, 14) || lit(21, 14)).toBe(false);
    expect(Math.max(...made.input)).toBe(1);
  });

  it('is empty for an empty mask', () => {
    const small = { width: 4, height: 4, data: new Uint8ClampedArray(64).fill(9) };
    const made = inputFromMask(small, mask(4, 4, () => false));
    expect(made.empty).toBe(true);
    expect(made.input.every((v) => v === 0)).toBe(true);
  });
});
