import { describe, expect, it } from 'vitest';
import { contactSheet, naiveInput, rightProbability, score, type Scored } from './photo-eval';
import { grayImage } from '../../src-renderer/src/classify/image';

const CLASSES = ['A', 'B', 'C', 'D'];
const row = (folder: string, strict: string[], probs: number[] | null, lenient = strict): Scored => ({
  path: `${folder}/x.jpg`,
  folder,
  strict,
  lenient,
  probs: probs ? Float32Array.from(probs) : null,
});

describe('score', () => {
  it('counts top-1 and top-3 strict, top-1 lenient, per folder and the confusion; refused is wrong', () => {
    const s = score(
      [
        row('a', ['A'], [0.7, 0.1, 0.1, 0.1]), // right
        row('a', ['A'], [0.1, 0.2, 0.3, 0.4]), // top-3 miss (A is 4th)
        row('b', ['B'], [0.5, 0.3, 0.1, 0.1], ['B', 'A']), // lenient only; top-3 hit
        row('b', ['B', 'C'], [0.1, 0.2, 0.6, 0.1]), // several strict classes: C is right
        row('b', ['B'], null), // refused
      ],
      CLASSES,
    );
    expect(s.n).toBe(5);
    expect(s.top1).toBeCloseTo(2 / 5);
    expect(s.top1Lenient).toBeCloseTo(3 / 5);
    expect(s.top3).toBeCloseTo(3 / 5);
    expect(s.perFolder.get('a')).toEqual([1, 2]);
    expect(s.perFolder.get('b')).toEqual([1, 3]);
    expect(Object.fromEntries(s.confusion.get('b')!)).toEqual({ A: 1, C: 1, refused: 1 });
  });

  it('ranks worst cases by the probability of the best right answer', () => {
    expect(rightProbability(row('b', ['B', 'C'], [0.1, 0.2, 0.6, 0.1]), CLASSES)).toBeCloseTo(0.6);
    expect(rightProbability(row('b', ['B'], null), CLASSES)).toBe(-1);
  });
});

describe('pictures', () => {
  it('naiveInput is the whole photo, gray, fitted and inverted', () => {
    const white = { width: 56, height: 28, data: new Uint8ClampedArray(56 * 28 * 4).fill(255) };
    for (let x = 0; x < 56; x++) white.data.set([0, 0, 0], 4 * x); // a black first row
    const input = naiveInput(white);
    expect(input).toHaveLength(784);
    expect(Math.max(...input)).toBe(1);
    expect(input[7 * 28]).toBe(1); // the black row, inverted, at the top of the fitted band
  });

  it('contactSheet lays out photo, mask and 28×28 per case', () => {
    const small = { width: 32, height: 48, data: new Uint8ClampedArray(32 * 48 * 4).fill(200) };
    const mask = { width: 32, height: 48, data: new Uint8Array(32 * 48).fill(1) };
    const sheet = contactSheet([{ small, mask, input: grayImage(28, 28) }, { small, mask, input: grayImage(28, 28) }, { small, mask, input: grayImage(28, 28) }], 56, 2);
    expect(sheet.width).toBe(2 * (3 * 62 + 18));
    expect(sheet.height).toBe(2 * 62 + 6);
  });
});
