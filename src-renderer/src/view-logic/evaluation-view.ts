// What the Evaluate view shows, computed from an Evaluation without Svelte or the DOM: row-normalised
// confusion percentages, the heat-map colour of each cell, the misclassified-gallery filter and the
// per-class score table's rows.
import type { ClassScore, Misclassified } from '../ml/evaluate';
import type { SortAccessors } from './table-sort';

/**
 * confusion[true][pred] as fractions of each true class (each non-empty row sums to 1): "of all
 * coats, 12% were called shirts". A class with no test images gives a row of zeros.
 */
export function rowFractions(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count) => (total > 0 ? count / total : 0));
  });
}

/**
 * How strongly a cell is shaded, 0..1. The square root spreads the small fractions where the
 * mistakes live: a 1% confusion is still visible (0.1) and a 90% diagonal is near full (0.95).
 */
export function heatLevel(fraction: number): number {
  if (!(fraction > 0)) return 0;
  return Math.sqrt(Math.min(1, fraction));
}

/** The strongest tint, in percent of the colour mixed into the card background: text stays readable on both themes. */
export const MAX_TINT = 72;

/**
 * A cell's background as CSS: correct predictions (the diagonal) in the accent colour, confusions
 * in the "bad" colour, each mixed into the card background so both themes get their own shade.
 */
export function heatColor(fraction: number, diagonal: boolean): string {
  const tint = Math.round(heatLevel(fraction) * MAX_TINT);
  if (tint === 0) return 'transparent';
  return `color-mix(in srgb, var(${diagonal ? '--accent' : '--bad'}) ${tint}%, var(--bg-elev))`;
}

/** A fraction as a short percentage: "92%", "4.5%", "0.3%", "0%", and "<0.1%" for tiny non-zero values. */
export function formatPct(fraction: number): string {
  if (!Number.isFinite(fraction) || fraction <= 0) return '0%';
  const pct = fraction * 100;
  if (pct < 0.1) return '<0.1%';
  if (pct >= 99.95 && pct < 100) return '>99.9%';
  if (pct >= 10) return `${Math.round(pct)}%`;
  return `${pct.toFixed(1).replace(/\.0$/, '')}%`;
}

/** The gallery's filter: a true class, a predicted class, or both; null means any. */
export interface MistakeFilter {
  label: number | null;
  pred: number | null;
}

export const NO_FILTER: MistakeFilter = { label: null, pred: null };

/** The misclassified images matching a filter, in their given order (most confident first). */
export function filterMistakes(mistakes: readonly Misclassified[], filter: MistakeFilter): Misclassified[] {
  if (filter.label === null && filter.pred === null) return mistakes.slice();
  return mistakes.filter((m) => (filter.label === null || m.label === filter.label) && (filter.pred === null || m.pred === filter.pred));
}

/**
 * The filter after clicking confusion cell (label, pred): it selects that pair, and clicking the
 * selected pair again clears it. A diagonal cell holds no mistakes, so it filters by true class:
 * "every mistake on this class".
 */
export function filterForCell(current: MistakeFilter, label: number, pred: number): MistakeFilter {
  const next: MistakeFilter = label === pred ? { label, pred: null } : { label, pred };
  return next.label === current.label && next.pred === current.pred ? NO_FILTER : next;
}

/** Whether confusion cell (label, pred) matches the filter: the pair, or the whole row / column for a one-sided filter. */
export function cellSelected(filter: MistakeFilter, label: number, pred: number): boolean {
  if (filter.label === null && filter.pred === null) return false;
  return (filter.label === null || filter.label === label) && (filter.pred === null || filter.pred === pred);
}

/** A row of the per-class score table. */
export interface ClassRow extends ClassScore {
  index: number;
  name: string;
}

export type ClassColumn = 'name' | 'precision' | 'recall' | 'f1' | 'support';

export const CLASS_ACCESSORS: SortAccessors<ClassRow, ClassColumn> = {
  name: (r) => r.name,
  precision: (r) => r.precision,
  recall: (r) => r.recall,
  f1: (r) => r.f1,
  support: (r) => r.support,
};

export function classRows(perClass: readonly ClassScore[], classNames: readonly string[]): ClassRow[] {
  return perClass.map((s, index) => ({ ...s, index, name: classNames[index] ?? `Class ${index}` }));
}

/** Unweighted means over classes (what "macro average" means in a classification report). */
export function macroAverage(perClass: readonly ClassScore[]): { precision: number; recall: number; f1: number; support: number } {
  const n = perClass.length;
  const sum = (pick: (s: ClassScore) => number) => perClass.reduce((a, s) => a + pick(s), 0);
  return {
    precision: n ? sum((s) => s.precision) / n : 0,
    recall: n ? sum((s) => s.recall) / n : 0,
    f1: n ? sum((s) => s.f1) / n : 0,
    support: sum((s) => s.support),
  };
}

/** How many mistakes each true class (or predicted class) has, for the gallery's filter menus. */
export function mistakeCounts(mistakes: readonly Misclassified[], classCount: number, by: 'label' | 'pred'): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (const m of mistakes) {
    const c = m[by];
    if (c >= 0 && c < classCount) counts[c]!++;
  }
  return counts;
}
