import { describe, expect, it } from 'vitest';
import type { EpochMetrics } from '../../../src-shared/types/run';
import { REPORT_REFERENCE } from '../ml/report-reference';
import { epochAxis, epochSeries, pointsOf, referencePoints } from './epoch-series';

const epoch = (i: number, valAcc: number | null): EpochMetrics => ({
  epoch: i,
  loss: 2 / i,
  acc: 0.4 + i / 20,
  valLoss: valAcc === null ? null : 1 - valAcc,
  valAcc,
  lr: 1e-3,
  ms: 900,
});

describe('epoch series', () => {
  const history = [epoch(1, null), epoch(2, 0.7), epoch(3, 0.75)];

  it("gives a run's four curves, skipping epochs without a metric", () => {
    const s = epochSeries(history, null);
    expect(s.map((x) => [x.label, x.axis, x.kind])).toEqual([
      ['Train loss', 'loss', 'train'],
      ['Validation loss', 'loss', 'validation'],
      ['Train accuracy', 'acc', 'train'],
      ['Validation accuracy', 'acc', 'validation'],
    ]);
    expect(s[0]!.points).toEqual([
      { x: 1, y: 2 },
      { x: 2, y: 1 },
      { x: 3, y: 2 / 3 },
    ]);
    expect(s[3]!.points.map((p) => p.x)).toEqual([2, 3]);
    expect(pointsOf([{ ...epoch(1, null), loss: Number.NaN }], 'loss')).toEqual([]);
  });

  it('has no validation curves (nor their legend) for a run that holds out no validation images', () => {
    expect(epochSeries(history, null, false).map((x) => x.label)).toEqual(['Train loss', 'Train accuracy']);
    expect(epochSeries([], REPORT_REFERENCE, false).filter((x) => x.kind === 'validation')).toEqual([]);
  });

  it("adds the report's published loss and accuracy at the epochs it published, and no others", () => {
    const s = epochSeries(history, REPORT_REFERENCE);
    const published = s.filter((x) => x.kind === 'reference');
    expect(published.map((x) => x.axis)).toEqual(['loss', 'acc']);
    expect(published[0]!.points).toEqual([
      { x: 1, y: 1.7513 },
      { x: 10, y: 0.4099 },
    ]);
    expect(published[1]!.points).toEqual([
      { x: 1, y: 0.062 },
      { x: 10, y: 0.8522 },
    ]);
    expect(published.every((x) => x.label.startsWith(REPORT_REFERENCE.label))).toBe(true);
    expect(referencePoints(REPORT_REFERENCE, 'valLoss')).toEqual([]);
  });

  it('spans the epochs of every series, centring a single epoch', () => {
    expect(epochAxis(epochSeries([epoch(1, null)], null))).toEqual({ min: 0.5, max: 1.5, step: 0.5 });
    expect(epochAxis(epochSeries(history, null))).toEqual({ min: 1, max: 3, step: 1 });
    // A one-epoch run beside the report's log still shows the log's tenth epoch.
    expect(epochAxis(epochSeries([epoch(1, null)], REPORT_REFERENCE))).toEqual({ min: 1, max: 10, step: 1 });
    expect(epochAxis([])).toEqual({ min: 0.5, max: 1.5, step: 0.5 });
  });
});
