import { describe, expect, it } from 'vitest';
import { bands, calibrate, chooseThreshold, isUnsure, UNSURE_BELOW, type Judged } from './confidence';

/** n answers at `confidence`, `right` of them right. */
const at = (confidence: number, n: number, right: number): Judged[] => Array.from({ length: n }, (_, i) => ({ confidence, right: i < right }));

describe('the unsure threshold', () => {
  it('fits a curve that never falls as confidence rises (pooling the dips)', () => {
    const fit = calibrate([...at(0.2, 2, 1), ...at(0.3, 2, 0), ...at(0.9, 1, 1)]);
    expect(fit.map((f) => f.chance)).toEqual([0.25, 0.25, 0.25, 0.25, 1]);
  });

  it('is where the fitted chance of being right first reaches one half, rounded down', () => {
    const judged = [...at(0.25, 20, 4), ...at(0.45, 20, 8), ...at(0.57, 20, 11), ...at(0.85, 20, 19)];
    const choice = chooseThreshold(judged);
    expect(choice.threshold).toBeCloseTo(0.55);
    expect(choice.below).toEqual({ n: 40, accuracy: 0.3 });
    expect(choice.above).toEqual({ n: 40, accuracy: 0.75 });
  });

  it('is 1 when no confidence makes the model right half the time; none is unsure when every one does', () => {
    expect(chooseThreshold(at(0.9, 10, 2)).threshold).toBe(1);
    const all = chooseThreshold(at(0.3, 10, 9));
    expect(all.threshold).toBeCloseTo(0.3);
    expect(all.below.n).toBe(0);
  });

  it('groups answers in bands, the last one including 1', () => {
    const b = bands([...at(0.05, 1, 0), ...at(1, 2, 2)]);
    expect(b[0]).toMatchObject({ n: 1, right: 0 });
    expect(b[9]).toMatchObject({ n: 2, right: 2 });
    expect(isUnsure(UNSURE_BELOW - 0.01)).toBe(true);
    expect(isUnsure(UNSURE_BELOW)).toBe(false);
  });
});
