import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { balancedCounts, balancedDraw, indicesByLabel } from './class-balance';
import { TrainData } from './data';
import { mulberry32 } from './random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('balancedCounts', () => {
  it('keeps the set as it is at 0, evens it out at 1, and meets in between at 0.5', () => {
    expect(balancedCounts([80, 10, 10], 100, 0)).toEqual([80, 10, 10]);
    expect(balancedCounts([80, 10, 10], 99, 1)).toEqual([33, 33, 33]);
    // sqrt weights 8.94 : 3.16 : 3.16 → 58.6, 20.7, 20.7
    expect(balancedCounts([80, 10, 10], 100, 0.5)).toEqual([58, 21, 21]);
  });

  it('always adds up to the total, and gives nothing to an empty group', () => {
    const counts = balancedCounts([7, 0, 3, 11], 23, 0.7);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(23);
    expect(counts[1]).toBe(0);
    expect(() => balancedCounts([1, 2], 3, 1.5)).toThrow('Class balance must be in [0, 1]');
  });
});

describe('balancedDraw', () => {
  const labels = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 2, 0]);
  const groups = indicesByLabel(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), labels);

  it('groups indices by label in label order', () => {
    expect(groups.map((g) => [...g])).toEqual([[0, 1, 2, 3, 4, 5, 9], [6, 7], [8]]);
  });

  it('repeats a small class whole before any image of it comes a third time, and subsets a large one without repeats', () => {
    const draw = balancedDraw(groups, 9, 1, mulberry32(3));
    const count = (i: number) => draw.filter((x) => x === i).length;
    expect(draw.length).toBe(9);
    expect(draw.filter((i) => labels[i] === 0).length).toBe(3);
    expect([count(6), count(7)].sort()).toEqual([1, 2]);
    expect(count(8)).toBe(3);
    for (const i of groups[0]!) expect(count(i)).toBeLessThanOrEqual(1);
  });
});

describe('TrainData with class balance', () => {
  it('draws each epoch evenly over the labels, keeping the epoch size', () => {
    const n = 40;
    const images = new Uint8Array(n * 4);
    // 30 of label 0, 10 of label 1
    const labels = Uint8Array.from({ length: n }, (_, i) => (i < 30 ? 0 : 1));
    const data = new TrainData(images, labels, { rows: 2, cols: 2, classCount: 2, validationSplit: 0, seed: 1, balance: 1 });
    const order = data.epochOrder();
    const idx = order.dataSync();
    expect(idx.length).toBe(40);
    expect([...idx].filter((i) => labels[i] === 1).length).toBe(20);
    order.dispose();
    data.dispose();
    expect(() => new TrainData(images, labels, { rows: 2, cols: 2, classCount: 2, validationSplit: 0, seed: 1, balance: 2 })).toThrow('Class balance');
  });
});
