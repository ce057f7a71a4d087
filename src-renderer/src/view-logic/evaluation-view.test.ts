import { describe, expect, it } from 'vitest';
import type { Misclassified } from '../ml/evaluate';
import { classScores } from '../ml/evaluate';
import {
  CLASS_ACCESSORS,
  MAX_TINT,
  NO_FILTER,
  cellSelected,
  classRows,
  filterForCell,
  filterMistakes,
  formatPct,
  heatColor,
  heatLevel,
  macroAverage,
  mistakeCounts,
  rowFractions,
} from './evaluation-view';
import { sortRows } from './table-sort';

describe('rowFractions', () => {
  it('normalises each true-class row to 1 and leaves an empty class at 0', () => {
    const f = rowFractions([
      [8, 2, 0],
      [0, 0, 0],
      [1, 1, 2],
    ]);
    expect(f).toEqual([
      [0.8, 0.2, 0],
      [0, 0, 0],
      [0.25, 0.25, 0.5],
    ]);
  });
});

describe('heat colours', () => {
  it('grows with the fraction, spreading the small ones, and stays within 0..1', () => {
    expect(heatLevel(0)).toBe(0);
    expect(heatLevel(Number.NaN)).toBe(0);
    expect(heatLevel(0.01)).toBeCloseTo(0.1);
    expect(heatLevel(1)).toBe(1);
    expect(heatLevel(2)).toBe(1);
    expect(heatLevel(0.04)).toBeLessThan(heatLevel(0.09));
  });

  it('uses the accent on the diagonal and the error colour elsewhere, mixed into the card colour', () => {
    expect(heatColor(0, true)).toBe('transparent');
    expect(heatColor(1, true)).toBe(`color-mix(in srgb, var(--accent) ${MAX_TINT}%, var(--bg-elev))`);
    expect(heatColor(0.25, false)).toBe(`color-mix(in srgb, var(--bad) ${Math.round(0.5 * MAX_TINT)}%, var(--bg-elev))`);
  });
});

describe('formatPct', () => {
  it('keeps a decimal only where it matters', () => {
    expect(formatPct(0)).toBe('0%');
    expect(formatPct(0.0004)).toBe('<0.1%');
    expect(formatPct(0.003)).toBe('0.3%');
    expect(formatPct(0.045)).toBe('4.5%');
    expect(formatPct(0.05)).toBe('5%');
    expect(formatPct(0.921)).toBe('92%');
    expect(formatPct(0.99996)).toBe('>99.9%');
    expect(formatPct(1)).toBe('100%');
    expect(formatPct(Number.NaN)).toBe('0%');
  });
});

const mistakes: Misclassified[] = [
  { index: 4, label: 6, pred: 0, confidence: 0.99 },
  { index: 9, label: 0, pred: 6, confidence: 0.9 },
  { index: 1, label: 6, pred: 2, confidence: 0.8 },
  { index: 7, label: 6, pred: 0, confidence: 0.5 },
];

describe('the mistake gallery filter', () => {
  it('filters by true class, predicted class or both, keeping the confidence order', () => {
    expect(filterMistakes(mistakes, NO_FILTER).map((m) => m.index)).toEqual([4, 9, 1, 7]);
    expect(filterMistakes(mistakes, { label: 6, pred: null }).map((m) => m.index)).toEqual([4, 1, 7]);
    expect(filterMistakes(mistakes, { label: null, pred: 6 }).map((m) => m.index)).toEqual([9]);
    expect(filterMistakes(mistakes, { label: 6, pred: 0 }).map((m) => m.index)).toEqual([4, 7]);
    expect(filterMistakes(mistakes, { label: 3, pred: 0 })).toEqual([]);
  });

  it('a matrix click selects a pair, the diagonal selects the class, a second click clears', () => {
    expect(filterForCell(NO_FILTER, 6, 0)).toEqual({ label: 6, pred: 0 });
    expect(filterForCell({ label: 6, pred: 0 }, 6, 0)).toEqual(NO_FILTER);
    expect(filterForCell({ label: 6, pred: 0 }, 6, 2)).toEqual({ label: 6, pred: 2 });
    expect(filterForCell(NO_FILTER, 3, 3)).toEqual({ label: 3, pred: null });
    expect(filterForCell({ label: 3, pred: null }, 3, 3)).toEqual(NO_FILTER);
  });

  it('marks the selected cell, or the row / column of a one-sided filter', () => {
    expect(cellSelected(NO_FILTER, 1, 2)).toBe(false);
    expect(cellSelected({ label: 6, pred: 0 }, 6, 0)).toBe(true);
    expect(cellSelected({ label: 6, pred: 0 }, 6, 1)).toBe(false);
    expect(cellSelected({ label: 6, pred: null }, 6, 4)).toBe(true);
    expect(cellSelected({ label: 6, pred: null }, 5, 4)).toBe(false);
    expect(cellSelected({ label: null, pred: 4 }, 1, 4)).toBe(true);
  });

  it('counts mistakes per true and per predicted class', () => {
    expect(mistakeCounts(mistakes, 7, 'label')).toEqual([1, 0, 0, 0, 0, 0, 3]);
    expect(mistakeCounts(mistakes, 7, 'pred')).toEqual([2, 0, 1, 0, 0, 0, 1]);
  });
});

describe('the per-class table', () => {
  const confusion = [
    [9, 1, 0],
    [3, 6, 1],
    [0, 0, 0],
  ];
  const perClass = classScores(confusion);

  it('names rows and sorts them by a score with the class name kept', () => {
    const rows = classRows(perClass, ['T-shirt/top', 'Trouser']);
    expect(rows.map((r) => r.name)).toEqual(['T-shirt/top', 'Trouser', 'Class 2']);
    const byF1 = sortRows(rows, CLASS_ACCESSORS, { key: 'f1', dir: 'desc' });
    expect(byF1.map((r) => r.index)).toEqual([0, 1, 2]);
    const bySupport = sortRows(rows, CLASS_ACCESSORS, { key: 'support', dir: 'asc' });
    expect(bySupport.map((r) => r.support)).toEqual([0, 10, 10]);
  });

  it('macro-averages over classes and sums the support', () => {
    const avg = macroAverage(perClass);
    expect(avg.precision).toBeCloseTo((9 / 12 + 6 / 7 + 0) / 3);
    expect(avg.recall).toBeCloseTo((0.9 + 0.6 + 0) / 3);
    expect(avg.support).toBe(20);
    expect(macroAverage([])).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });
});
