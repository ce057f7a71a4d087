// Curves per epoch as the charts draw them, without Svelte or Chart.js: a run's recorded metrics
// (Train view's epoch chart, Models view's overlay) and a published reference beside them.
import type { EpochMetrics } from '../../../src-shared/types/run';
import type { PublishedReference } from '../ml/report-reference';

export interface Point {
  x: number;
  y: number;
}

/** A metric recorded per epoch. */
export type CurveMetric = 'valAcc' | 'valLoss' | 'acc' | 'loss';

/** One point per epoch (1-based, as recorded) that has the metric: none for validation metrics of a run without a split. */
export function pointsOf(history: readonly EpochMetrics[], metric: CurveMetric): Point[] {
  const points: Point[] = [];
  for (const e of history) {
    const y = e[metric];
    if (y !== null && Number.isFinite(y)) points.push({ x: e.epoch, y });
  }
  return points;
}

/**
 * A published reference's points for a metric: only the epochs it published, so a chart draws
 * them as points and never as a line through epochs nobody reported. Only training loss and
 * accuracy were published; other metrics have none.
 */
export function referencePoints(reference: PublishedReference, metric: CurveMetric): Point[] {
  if (metric !== 'acc' && metric !== 'loss') return [];
  return reference.epochs.map((e) => ({ x: e.epoch, y: e[metric] }));
}

export interface EpochSeries {
  label: string;
  axis: 'loss' | 'acc';
  /** How it is drawn: this run's training (solid) or validation (dashed) curve, or published points. */
  kind: 'train' | 'validation' | 'reference';
  points: Point[];
}

/**
 * The Train view's epoch chart: the run's four curves (two when the run holds out no validation
 * images, as a fine-tune on photos does: no legend for curves that never come), then the
 * reference's points when there is one.
 */
export function epochSeries(history: readonly EpochMetrics[], reference: PublishedReference | null, validation = true): EpochSeries[] {
  const curves: EpochSeries[] = [
    { label: 'Train loss', axis: 'loss', kind: 'train', points: pointsOf(history, 'loss') },
    { label: 'Validation loss', axis: 'loss', kind: 'validation', points: pointsOf(history, 'valLoss') },
    { label: 'Train accuracy', axis: 'acc', kind: 'train', points: pointsOf(history, 'acc') },
    { label: 'Validation accuracy', axis: 'acc', kind: 'validation', points: pointsOf(history, 'valAcc') },
  ];
  const series = validation ? curves : curves.filter((s) => s.kind !== 'validation');
  if (!reference) return series;
  return [
    ...series,
    { label: `${reference.label}: train loss`, axis: 'loss', kind: 'reference', points: referencePoints(reference, 'loss') },
    { label: `${reference.label}: train accuracy`, axis: 'acc', kind: 'reference', points: referencePoints(reference, 'acc') },
  ];
}

/**
 * The x axis of a per-epoch chart: epoch 1 to the last epoch any series reaches. A chart of one
 * epoch would collapse the axis to a point, so epoch 1 is centred instead.
 */
export function epochAxis(series: readonly { points: readonly Point[] }[]): { min: number; max: number; step: number } {
  const last = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.x)));
  return last === 1 ? { min: 0.5, max: 1.5, step: 0.5 } : { min: 1, max: last, step: 1 };
}
