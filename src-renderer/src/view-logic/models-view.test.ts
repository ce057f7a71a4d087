import { describe, expect, it } from 'vitest';
import type { EpochMetrics, RunRecord, RunSummary } from '../../../src-shared/types/run';
import type { ModelSummary } from '../../../src-shared/types/model';
import { sortRows } from './table-sort';
import { REPORT_REFERENCE } from '../ml/report-reference';
import {
  MODEL_ACCESSORS,
  RUN_ACCESSORS,
  formatBytes,
  formatCount,
  formatDateTime,
  overlayReference,
  overlaySeries,
  presetName,
  runDurationMs,
  runLabel,
} from './models-view';

const epoch = (i: number, valAcc: number | null, valLoss: number | null = null): EpochMetrics => ({
  epoch: i,
  loss: 1 - i / 10,
  acc: 0.5 + i / 20,
  valLoss,
  valAcc,
  lr: 1e-3,
  ms: 1000,
});

function run(id: string, name: string, history: EpochMetrics[], startedAt = '2025-03-12T14:05:00.000Z', preset = 'report-fixed'): RunRecord {
  return {
    id,
    name,
    preset,
    layers: [],
    hyper: {} as RunRecord['hyper'],
    backend: 'wasm',
    startedAt,
    endedAt: '2025-03-12T14:07:30.000Z',
    state: 'completed',
    history,
    bestEpoch: null,
    testMetrics: null,
    imagesPerSecond: 1200,
    modelId: null,
  };
}

describe('overlaySeries', () => {
  it('gives one series per run by epoch and skips epochs without the metric', () => {
    const a = run('a', 'Report CNN', [epoch(1, 0.8, 0.5), epoch(2, 0.85, 0.4)]);
    const b = run('b', 'Tailor best', [epoch(1, null), epoch(2, 0.9, 0.3), epoch(3, 0.91, 0.28)]);
    const s = overlaySeries([a, b], 'valAcc');
    expect(s.map((x) => x.label)).toEqual(['Report CNN', 'Tailor best']);
    expect(s[0]!.points).toEqual([
      { x: 1, y: 0.8 },
      { x: 2, y: 0.85 },
    ]);
    expect(s[1]!.points.map((p) => p.x)).toEqual([2, 3]);
    expect(overlaySeries([a], 'valLoss')[0]!.points.map((p) => p.y)).toEqual([0.5, 0.4]);
    expect(overlaySeries([a], 'acc')[0]!.points.map((p) => p.y)).toEqual([0.55, 0.6]);
  });

  it('tells runs of the same name apart by their start time', () => {
    const a = run('a', 'Report CNN', [], '2025-03-12T14:05:00.000Z');
    const b = run('b', 'Report CNN', [], '2025-03-13T09:00:00.000Z');
    const c = run('c', 'Other', []);
    const labels = overlaySeries([a, b, c], 'valAcc').map((s) => s.label);
    expect(labels[0]).toMatch(/^Report CNN · /);
    expect(labels[0]).not.toBe(labels[1]);
    expect(labels[2]).toBe('Other');
    expect(runLabel(a, [a])).toBe('Report CNN');
    const twin = run('d', 'Report CNN', [], '2025-03-12T14:05:20.000Z');
    const same = overlaySeries([a, twin], 'valAcc').map((s) => s.label);
    expect(same[1]).toBe(`${same[0]} (2)`);
  });
});

describe('overlayReference', () => {
  const report = run('r', 'Report CNN', [epoch(1, null)], '2025-03-12T14:05:00.000Z', 'report');
  const fixed = run('f', 'Report CNN, corrected', [epoch(1, null)]);

  it("gives the report's published training points when a report run is overlaid, and only those epochs", () => {
    expect(overlayReference([fixed, report], 'acc')).toEqual({
      reference: REPORT_REFERENCE,
      points: REPORT_REFERENCE.epochs.map((e) => ({ x: e.epoch, y: e.acc })),
    });
    expect(overlayReference([report], 'loss')?.points).toEqual(REPORT_REFERENCE.epochs.map((e) => ({ x: e.epoch, y: e.loss })));
    expect(overlayReference([report], 'acc')?.points.map((p) => p.x)).toEqual([1, 10]);
  });

  it('has no points for validation metrics (the report published none), and no reference without a report run', () => {
    expect(overlayReference([report], 'valAcc')).toEqual({ reference: REPORT_REFERENCE, points: [] });
    expect(overlayReference([fixed], 'acc')).toBeNull();
    expect(overlayReference([], 'acc')).toBeNull();
  });
});

describe('table values', () => {
  it('sorts runs by test accuracy with untested runs last, and by duration', () => {
    const base = run('x', 'x', []);
    const summary = (id: string, acc: number | null, endedAt: string): RunSummary => ({
      ...base,
      id,
      name: id,
      endedAt,
      testMetrics: acc === null ? null : { loss: 0.3, acc },
      epochs: 1,
      bestValAcc: null,
    });
    const runs = [summary('a', 0.8, '2025-03-12T14:06:00Z'), summary('b', null, '2025-03-12T14:10:00Z'), summary('c', 0.9, 'bad date')];
    expect(sortRows(runs, RUN_ACCESSORS, { key: 'testAcc', dir: 'desc' }).map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(sortRows(runs, RUN_ACCESSORS, { key: 'duration', dir: 'desc' }).map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(runDurationMs(runs[0]!)).toBe(60_000);
    expect(runDurationMs(runs[2]!)).toBeNull();
  });

  it('sorts models by size and by preset name', () => {
    const m = (id: string, preset: string, weightsBytes: number) => ({ id, name: id, preset, weightsBytes }) as ModelSummary;
    const list = [m('a', 'best', 300), m('b', 'report', 100), m('c', 'imported', 200)];
    expect(sortRows(list, MODEL_ACCESSORS, { key: 'size', dir: 'asc' }).map((x) => x.id)).toEqual(['b', 'c', 'a']);
    expect(sortRows(list, MODEL_ACCESSORS, { key: 'preset', dir: 'asc' }).map((x) => x.id)).toEqual(['c', 'b', 'a']);
    expect(presetName('best')).toBe('Tailor best');
    expect(presetName('imported')).toBe('imported');
  });

  it('formats sizes, counts and dates', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(312_400)).toBe('312 kB');
    expect(formatBytes(2_400_000)).toBe('2.4 MB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatCount(950)).toBe('950');
    expect(formatCount(84_522)).toBe('84.5 k');
    expect(formatCount(1_234_567)).toBe('1.2 M');
    expect(formatCount(0)).toBe('—');
    expect(formatDateTime('2025-03-12T14:05:00.000Z', 'en-GB', new Date('2026-01-01T12:00:00Z'))).toMatch(/12 Mar 2025/);
    expect(formatDateTime('2025-03-12T14:05:00.000Z', 'en-GB', new Date('2025-06-01T12:00:00Z'))).not.toContain('2025');
    expect(formatDateTime('nope')).toBe('—');
  });
});
