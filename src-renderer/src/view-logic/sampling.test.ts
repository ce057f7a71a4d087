import { describe, expect, it } from 'vitest';
import { classCounts, indicesOfClass, randomSample } from './sampling';

describe('sampling', () => {
  it('draws distinct indices in range', () => {
    const s = randomSample(60_000, 100);
    expect(s).toHaveLength(100);
    expect(new Set(s).size).toBe(100);
    expect(s.every((i) => i >= 0 && i < 60_000)).toBe(true);
  });

  it('returns every index when asked for more than exist', () => {
    expect(randomSample(5, 64).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('finds indices of a class and counts classes', () => {
    const labels = new Uint8Array([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(indicesOfClass(labels, 0, 2)).toEqual([1, 2]);
    expect(indicesOfClass(labels, 5, 10, 9)).toEqual([9]);
    expect(classCounts(labels, 10)).toEqual([3, 0, 2, 1, 0, 2, 0, 1, 0, 1]);
  });
});
