import { describe, expect, it } from 'vitest';
import { getPreset, PRESETS } from './presets';
import { REPORT_REFERENCE, referenceFor } from './report-reference';

describe("the report's published reference", () => {
  it('belongs to the report preset only', () => {
    expect(referenceFor('report')).toBe(REPORT_REFERENCE);
    for (const id of [...PRESETS.map((p) => p.id).filter((id) => id !== 'report'), 'custom']) expect(referenceFor(id)).toBeNull();
  });

  it('is the run the report preset reproduces: 10 epochs on raw 0–255 pixels; corrected and best keep [0, 1]', () => {
    const report = getPreset('report');
    expect(report.hyper.epochs).toBe(REPORT_REFERENCE.epochCount);
    expect(report.hyper.pixelScale).toBe('raw');
    expect(getPreset('report-fixed').hyper.pixelScale).toBe('unit');
    expect(getPreset('best').hyper.pixelScale).toBe('unit');
  });
});
