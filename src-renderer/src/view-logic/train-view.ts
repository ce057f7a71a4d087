// Pure helpers of the Train view: progress, ETA and formatting. Tests import these.
import type { Hyperparameters } from '../../../src-shared/types/train';

/** Images trained on per epoch for a dataset of `total` training images. */
export function imagesPerEpoch(hyper: Pick<Hyperparameters, 'limit' | 'validationSplit'>, total: number): number {
  const used = hyper.limit > 0 ? Math.min(hyper.limit, total) : total;
  return used - Math.floor(used * hyper.validationSplit);
}

export interface ProgressFigures {
  fraction: number;
  etaSeconds: number | null;
}

export function progressFigures(seen: number, perEpoch: number, epochs: number, imagesPerSecond: number): ProgressFigures {
  const total = perEpoch * epochs;
  const fraction = total > 0 ? Math.min(1, seen / total) : 0;
  const etaSeconds = imagesPerSecond > 0 ? Math.max(0, (total - seen) / imagesPerSecond) : null;
  return { fraction, etaSeconds };
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatPercent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** Keeps a streaming series bounded: when it reaches `max` points, every other point is dropped. */
export function thin<T>(points: T[], max: number): T[] {
  if (points.length < max) return points;
  return points.filter((_, i) => i % 2 === 0 || i === points.length - 1);
}

export function newRunId(now = Date.now(), random: () => number = Math.random): string {
  return `run-${now.toString(36)}-${Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0')}`;
}
