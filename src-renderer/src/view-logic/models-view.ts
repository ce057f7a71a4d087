// What the Models view shows about models and runs, without Svelte or Chart.js: the overlay
// chart's series, run labels that tell runs of the same name apart, and table formatting.
import type { RunRecord, RunState, RunSummary } from '../../../src-shared/types/run';
import type { ModelSummary } from '../../../src-shared/types/model';
import { PRESETS } from '../ml/presets';
import { referenceFor, type PublishedReference } from '../ml/report-reference';
import { pointsOf, referencePoints, type CurveMetric, type Point } from './epoch-series';
import type { SortAccessors } from './table-sort';

export const CURVE_METRICS: readonly { id: CurveMetric; label: string; axis: string }[] = [
  { id: 'valAcc', label: 'Validation accuracy', axis: 'accuracy' },
  { id: 'valLoss', label: 'Validation loss', axis: 'loss' },
  { id: 'acc', label: 'Training accuracy', axis: 'accuracy' },
  { id: 'loss', label: 'Training loss', axis: 'loss' },
];

export interface CurveSeries {
  runId: string;
  label: string;
  /** One point per epoch (1-based, as recorded) that has the metric. */
  points: Point[];
}

/** A run's name, with its start time added when another run in the list has the same name. */
export function runLabel(run: Pick<RunSummary, 'id' | 'name' | 'startedAt'>, all: readonly Pick<RunSummary, 'id' | 'name'>[]): string {
  const twin = all.some((r) => r.id !== run.id && r.name === run.name);
  return twin ? `${run.name} · ${formatDateTime(run.startedAt)}` : run.name;
}

/**
 * One series per run, in the order given; runs without the metric (no validation split) give no
 * points. Labels are unique: runs of one name started in the same minute get " (2)", " (3)"...
 */
export function overlaySeries(runs: readonly RunRecord[], metric: CurveMetric): CurveSeries[] {
  const seen = new Map<string, number>();
  return runs.map((run) => {
    const base = runLabel(run, runs);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { runId: run.id, label: n > 1 ? `${base} (${n})` : base, points: pointsOf(run.history, metric) };
  });
}

/** A published curve the overlaid runs can be read against: the first one a run's preset has, with its points for `metric` (none for metrics it did not publish). */
export function overlayReference(runs: readonly Pick<RunRecord, 'preset'>[], metric: CurveMetric): { reference: PublishedReference; points: Point[] } | null {
  for (const run of runs) {
    const reference = referenceFor(run.preset);
    if (reference) return { reference, points: referencePoints(reference, metric) };
  }
  return null;
}

export function presetName(id: string): string {
  return PRESETS.find((p) => p.id === id)?.name ?? id;
}

export const RUN_STATE_LABEL: Record<RunState, string> = {
  completed: 'Completed',
  stopped: 'Stopped',
  'early-stopped': 'Stopped early',
  failed: 'Failed',
};

export type RunColumn = 'name' | 'preset' | 'state' | 'epochs' | 'bestValAcc' | 'testAcc' | 'speed' | 'startedAt' | 'duration';

export function runDurationMs(run: Pick<RunSummary, 'startedAt' | 'endedAt'>): number | null {
  const ms = Date.parse(run.endedAt) - Date.parse(run.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

export const RUN_ACCESSORS: SortAccessors<RunSummary, RunColumn> = {
  name: (r) => r.name,
  preset: (r) => presetName(r.preset),
  state: (r) => RUN_STATE_LABEL[r.state],
  epochs: (r) => r.epochs,
  bestValAcc: (r) => r.bestValAcc,
  testAcc: (r) => r.testMetrics?.acc ?? null,
  speed: (r) => (r.imagesPerSecond > 0 ? r.imagesPerSecond : null),
  startedAt: (r) => r.startedAt,
  duration: (r) => runDurationMs(r),
};

export type ModelColumn = 'name' | 'preset' | 'testAcc' | 'params' | 'size' | 'createdAt';

export const MODEL_ACCESSORS: SortAccessors<ModelSummary, ModelColumn> = {
  name: (m) => m.name,
  preset: (m) => presetName(m.preset),
  testAcc: (m) => m.testMetrics?.acc ?? null,
  params: (m) => (m.params > 0 ? m.params : null),
  size: (m) => m.weightsBytes,
  createdAt: (m) => m.createdAt,
};

/** "2.4 MB", "312 kB", "900 B". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} B`;
}

/** "1.2 M", "84.5 k", "950". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '—';
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)} k`;
  return String(n);
}

/** A timestamp in the user's locale, short: "12 Mar, 14:05", with the year only when it is not this year's. */
export function formatDateTime(iso: string, locale?: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const year = d.getFullYear() === now.getFullYear() ? undefined : 'numeric';
  return d.toLocaleString(locale, { day: 'numeric', month: 'short', year, hour: '2-digit', minute: '2-digit' });
}
