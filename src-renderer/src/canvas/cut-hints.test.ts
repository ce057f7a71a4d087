import { describe, expect, it } from 'vitest';
import { brushRadius, hasHints, rectBetween, toPhoto, withRect, withStroke } from './cut-hints';

const photo = { width: 800, height: 600 };

describe('marks on a photo become hints in its own pixels', () => {
  it('maps canvas points to photo pixels and clamps them to the photo', () => {
    expect(toPhoto({ x: 128, y: 48 }, { width: 256, height: 192 }, photo)).toEqual({ x: 400, y: 150 });
    expect(toPhoto({ x: -5, y: 300 }, { width: 256, height: 192 }, photo)).toEqual({ x: 0, y: 600 });
  });

  it('makes a rectangle from two corners in any order, and none from a click', () => {
    expect(rectBetween({ x: 500.4, y: 80.2 }, { x: 100.6, y: 400.9 }, photo)).toEqual({ x: 100, y: 80, width: 401, height: 321 });
    expect(rectBetween({ x: 100, y: 100 }, { x: 110, y: 300 }, photo)).toBeNull(); // 10 px wide: under 3% of 800
  });

  it('keeps strokes when a rectangle is drawn, and adds strokes one by one', () => {
    const stroke = { label: 'garment' as const, radius: brushRadius(photo), points: [1, 2, 3, 4] };
    const a = withStroke(null, stroke);
    const b = withRect(a, { x: 0, y: 0, width: 50, height: 50 });
    expect(b).toEqual({ strokes: [stroke], rect: { x: 0, y: 0, width: 50, height: 50 } });
    expect(withStroke(b, { ...stroke, label: 'background' }).strokes).toHaveLength(2);
    expect([hasHints(null), hasHints({}), hasHints(b)]).toEqual([false, false, true]);
    expect(brushRadius(photo)).toBe(20);
    expect(brushRadius({ width: 40, height: 30 })).toBe(2);
  });
});
