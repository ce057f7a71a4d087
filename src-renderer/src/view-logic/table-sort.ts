// Sortable tables: a column key and a direction, a click cycles a column's direction, and rows
// sort by a per-column value. Missing values (null, undefined, NaN) always go last, whichever
// the direction, so "no test accuracy yet" never tops a list sorted by accuracy.

export type SortDir = 'asc' | 'desc';

export interface SortState<K extends string = string> {
  key: K;
  dir: SortDir;
}

export type SortValue = string | number | null | undefined;

/** How to read each sortable column's value from a row. */
export type SortAccessors<Row, K extends string> = Record<K, (row: Row) => SortValue>;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function isMissing(v: SortValue): v is null | undefined {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

/** Ascending comparison of two values; numbers before strings if a column mixes them. */
export function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b);
  return typeof a === 'number' ? -1 : 1;
}

/** Orders rows a column ranks equal, whichever the direction (e.g. most confident first within a class). */
export type TieBreaks<Row, K extends string> = Partial<Record<K, (a: Row, b: Row) => number>>;

/**
 * Rows sorted by the state's column (a new array; stable, so equal rows keep their order unless
 * the column has a tie-break). Missing values sort last in both directions.
 */
export function sortRows<Row, K extends string>(
  rows: readonly Row[],
  accessors: SortAccessors<Row, K>,
  sort: SortState<K>,
  tieBreaks: TieBreaks<Row, K> = {},
): Row[] {
  const read = accessors[sort.key];
  const tie = tieBreaks[sort.key] ?? (() => 0);
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i, v: read(row) }))
    .sort((a, b) => {
      const ma = isMissing(a.v);
      const mb = isMissing(b.v);
      if (ma || mb) return ma === mb ? a.i - b.i : ma ? 1 : -1;
      return sign * compareValues(a.v, b.v) || tie(a.row, b.row) || a.i - b.i;
    })
    .map((x) => x.row);
}

/**
 * The state after clicking a column header: the same column flips direction; a new column starts
 * in its natural direction (text A→Z, numbers and dates largest first).
 */
export function nextSort<K extends string>(current: SortState<K>, key: K, firstDir: SortDir = 'desc'): SortState<K> {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: firstDir };
}

/** The aria-sort value of a header for screen readers. */
export function ariaSort<K extends string>(sort: SortState<K>, key: K): 'ascending' | 'descending' | 'none' {
  if (sort.key !== key) return 'none';
  return sort.dir === 'asc' ? 'ascending' : 'descending';
}
