import { describe, expect, it } from 'vitest';
import { ariaSort, compareValues, nextSort, sortRows, type SortAccessors, type SortState } from './table-sort';

interface Row {
  name: string;
  acc: number | null;
  at: string;
}
const rows: Row[] = [
  { name: 'model 10', acc: 0.91, at: '2025-01-03' },
  { name: 'Model 2', acc: null, at: '2025-01-01' },
  { name: 'model 1', acc: 0.83, at: '2025-01-02' },
  { name: 'baseline', acc: 0.91, at: '2025-01-04' },
  { name: 'broken', acc: Number.NaN, at: '2025-01-05' },
];
const accessors: SortAccessors<Row, 'name' | 'acc' | 'at'> = { name: (r) => r.name, acc: (r) => r.acc, at: (r) => r.at };
const names = (s: SortState<'name' | 'acc' | 'at'>) => sortRows(rows, accessors, s).map((r) => r.name);

describe('sortRows', () => {
  it('sorts text naturally and case-insensitively (model 2 before model 10)', () => {
    expect(names({ key: 'name', dir: 'asc' })).toEqual(['baseline', 'broken', 'model 1', 'Model 2', 'model 10']);
    expect(names({ key: 'name', dir: 'desc' })).toEqual(['model 10', 'Model 2', 'model 1', 'broken', 'baseline']);
  });

  it('puts missing values (null, NaN) last in both directions and keeps ties stable', () => {
    expect(names({ key: 'acc', dir: 'desc' })).toEqual(['model 10', 'baseline', 'model 1', 'Model 2', 'broken']);
    expect(names({ key: 'acc', dir: 'asc' })).toEqual(['model 1', 'model 10', 'baseline', 'Model 2', 'broken']);
  });

  it('sorts ISO dates as text and leaves the input untouched', () => {
    const before = rows.map((r) => r.name);
    expect(names({ key: 'at', dir: 'desc' })).toEqual(['broken', 'baseline', 'model 10', 'model 1', 'Model 2']);
    expect(rows.map((r) => r.name)).toEqual(before);
  });

  it('compares mixed types with numbers first', () => {
    expect(compareValues(1, 'a')).toBeLessThan(0);
    expect(compareValues('a', 1)).toBeGreaterThan(0);
    expect(compareValues(2, 10)).toBeLessThan(0);
  });
});

describe('nextSort and ariaSort', () => {
  it('flips the direction of the same column and starts a new column in its first direction', () => {
    const s: SortState<'name' | 'acc'> = { key: 'acc', dir: 'desc' };
    expect(nextSort(s, 'acc')).toEqual({ key: 'acc', dir: 'asc' });
    expect(nextSort(nextSort(s, 'acc'), 'acc')).toEqual({ key: 'acc', dir: 'desc' });
    expect(nextSort(s, 'name', 'asc')).toEqual({ key: 'name', dir: 'asc' });
    expect(nextSort(s, 'name')).toEqual({ key: 'name', dir: 'desc' });
  });

  it('names the sorted column for screen readers', () => {
    const s: SortState<'name' | 'acc'> = { key: 'acc', dir: 'asc' };
    expect(ariaSort(s, 'acc')).toBe('ascending');
    expect(ariaSort({ key: 'acc', dir: 'desc' }, 'acc')).toBe('descending');
    expect(ariaSort(s, 'name')).toBe('none');
  });
});
