// What the Data view shows of a photo dataset, computed without Svelte or the DOM: per label, the
// photos in each split and those that could not be used, and what each label is taught as.
import type { PhotoDatasetView, PhotoRecord } from '../../../src-shared/types/photo-dataset';

export interface LabelRow {
  label: string;
  /** The classes it counts as (mapped folders), or null when the label is the class itself. */
  classes: string[] | null;
  train: number;
  validation: number;
  test: number;
  /** Photos that could not be used. */
  unused: number;
}

/** One row per label, in the dataset's label order; labels without a photo still get a row. */
export function labelRows(view: Pick<PhotoDatasetView, 'classNames' | 'labelNames' | 'allowed' | 'records'>): LabelRow[] {
  const labels = view.labelNames ?? view.classNames;
  const rows = labels.map((label, i): LabelRow => ({
    label,
    classes: view.labelNames && view.allowed ? (view.allowed[i] ?? []).map((c) => view.classNames[c] ?? `Class ${c}`) : null,
    train: 0,
    validation: 0,
    test: 0,
    unused: 0,
  }));
  const byLabel = new Map(rows.map((r) => [r.label, r]));
  for (const r of view.records) {
    const row = byLabel.get(r.label);
    if (!row) continue;
    if (r.reason) row.unused++;
    else row[r.split]++;
  }
  return rows;
}

/** Used photos of one label (null: every label), in record order. */
export function usedOf(records: readonly PhotoRecord[], label: string | null): PhotoRecord[] {
  return records.filter((r) => r.image !== null && (label === null || r.label === label));
}

/** Everything that could not be used: prepared photos with their reason, then files left out. */
export function unusedOf(view: Pick<PhotoDatasetView, 'records' | 'skipped'>): { path: string; reason: string; record: PhotoRecord | null }[] {
  return [
    ...view.records.filter((r) => r.reason).map((r) => ({ path: r.path, reason: r.reason!, record: r })),
    ...view.skipped.map((s) => ({ path: s.path, reason: s.reason, record: null })),
  ];
}

/** "2 min 31 s" for an import's duration. */
export function importDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
