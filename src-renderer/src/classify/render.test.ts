import { describe, expect, it } from 'vitest';
import { renderAsProduct } from './render';

/** A 28×28 "garment": a filled rectangle, light on black, as in the dataset. */
function garment(): Uint8Array {
  const g = new Uint8Array(784);
  for (let y = 0; y < 28; y++) for (let x = 6; x < 22; x++) g[y * 28 + x] = 200;
  return g;
}

const at = (img: { width: number; data: Uint8ClampedArray }, x: number, y: number): number[] =>
  Array.from(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 4));

describe('renderAsProduct', () => {
  it('draws a dark garment on white with margins', () => {
    const img = renderAsProduct(garment());
    expect([img.width, img.height, img.data.length]).toEqual([280, 280, 280 * 280 * 4]);
    expect(at(img, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(at(img, 140, 27)).toEqual([255, 255, 255, 255]); // top margin: 10% of 280
    expect(at(img, 140, 28)).toEqual([55, 55, 55, 255]);
    expect(at(img, 140, 252)).toEqual([255, 255, 255, 255]);
  });

  it('enlarges smoothly: a hard edge becomes a ramp', () => {
    const img = renderAsProduct(garment());
    const row = Array.from({ length: 16 }, (_, i) => at(img, 68 + i, 140)[0]!); // around x = 6 px × 8 + 28
    expect(new Set(row).size).toBeGreaterThan(4);
    for (let i = 1; i < row.length; i++) expect(row[i]!).toBeLessThanOrEqual(row[i - 1]!);
  });

  it('takes a size and a margin', () => {
    const img = renderAsProduct(garment(), 100, 0);
    expect(at(img, 50, 0)).toEqual([55, 55, 55, 255]);
    expect(() => renderAsProduct(garment(), 10, 0.5)).toThrow(RangeError);
    expect(() => renderAsProduct(new Uint8Array(100))).toThrow(RangeError);
  });
});
