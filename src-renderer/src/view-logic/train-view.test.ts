import { describe, expect, it } from 'vitest';
import { formatDuration, formatPercent, imagesPerEpoch, newRunId, progressFigures, thin } from './train-view';

describe('train view helpers', () => {
  it('counts the images of an epoch after the validation split and limit', () => {
    expect(imagesPerEpoch({ limit: 0, validationSplit: 0.1 }, 60_000)).toBe(54_000);
    expect(imagesPerEpoch({ limit: 2_000, validationSplit: 0.1 }, 60_000)).toBe(1_800);
    expect(imagesPerEpoch({ limit: 100_000, validationSplit: 0 }, 60_000)).toBe(60_000);
  });

  it('computes progress and the time left', () => {
    expect(progressFigures(27_000, 54_000, 2, 900)).toEqual({ fraction: 0.25, etaSeconds: 90 });
    expect(progressFigures(0, 54_000, 2, 0).etaSeconds).toBeNull();
    expect(progressFigures(200_000, 54_000, 2, 10).fraction).toBe(1);
  });

  it('formats durations and percentages', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3_720)).toBe('1 h 02 min');
    expect(formatDuration(null)).toBe('—');
    expect(formatPercent(0.91234)).toBe('91.2%');
    expect(formatPercent(null)).toBe('—');
  });

  it('thins a long series to half, keeping the last point', () => {
    const pts = Array.from({ length: 10 }, (_, i) => i);
    expect(thin(pts, 20)).toBe(pts);
    expect(thin(pts, 10)).toEqual([0, 2, 4, 6, 8, 9]);
  });

  it('makes run ids the main process accepts', () => {
    const id = newRunId(1_700_000_000_000, () => 0.5);
    expect(id).toMatch(/^[a-z0-9][a-z0-9_-]{0,63}$/);
    expect(newRunId()).not.toBe(newRunId());
  });
});
