import { describe, expect, it } from 'vitest';
import { mulberry32, nextSeed, permutation, streamFor } from './random';

describe('random', () => {
  it('repeats a sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, mulberry32(seed));
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    for (const v of draw(3)) expect(v >= 0 && v < 1).toBe(true);
  });

  it('gives independent streams per purpose', () => {
    expect(streamFor(1, 'shuffle')()).not.toBe(streamFor(1, 'augment')());
    expect(streamFor(1, 'shuffle')()).toBe(streamFor(1, 'shuffle')());
  });

  it('permutes every index exactly once', () => {
    const p = permutation(1000, mulberry32(9));
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p.subarray(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('makes 32-bit integer seeds', () => {
    const s = nextSeed(mulberry32(4));
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
});
