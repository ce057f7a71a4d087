import { describe, expect, it } from 'vitest';
import { DrawHistory } from './draw-history';

function sketch(): DrawHistory {
  const h = new DrawHistory();
  h.begin('brush', 20, 10, 10);
  h.extend(10, 200);
  h.end();
  h.begin('brush', 20, 100, 10);
  h.extend(100, 200);
  h.end();
  return h;
}

describe('DrawHistory', () => {
  it('starts blank with nothing to undo or redo', () => {
    const h = new DrawHistory();
    expect(h.blank).toBe(true);
    expect(h.canUndo).toBe(false);
    expect(h.canRedo).toBe(false);
    expect(h.undo()).toBe(false);
    expect(h.redo()).toBe(false);
    expect(h.visible()).toEqual([]);
  });

  it('records strokes with their tool, size and points, skipping repeated points', () => {
    const h = new DrawHistory();
    h.begin('brush', 12, 1, 2);
    expect(h.drawing).toBe(true);
    expect(h.extend(3, 4)).toBe(true);
    expect(h.extend(3, 4)).toBe(false);
    h.end();
    expect(h.drawing).toBe(false);
    expect(h.extend(5, 6)).toBe(false);
    expect(h.visible()).toEqual([{ kind: 'stroke', tool: 'brush', size: 12, points: [1, 2, 3, 4] }]);
    expect(h.blank).toBe(false);
  });

  it('undoes and redoes strokes one at a time, in order', () => {
    const h = sketch();
    expect(h.undo()).toBe(true);
    expect(h.visible().map((s) => s.points[0])).toEqual([10]);
    expect(h.canRedo).toBe(true);
    expect(h.undo()).toBe(true);
    expect(h.blank).toBe(true);
    expect(h.canUndo).toBe(false);
    expect(h.redo()).toBe(true);
    expect(h.redo()).toBe(true);
    expect(h.visible().map((s) => s.points[0])).toEqual([10, 100]);
    expect(h.canRedo).toBe(false);
  });

  it('makes clear undoable and hides strokes drawn before it', () => {
    const h = sketch();
    expect(h.clear()).toBe(true);
    expect(h.visible()).toEqual([]);
    expect(h.blank).toBe(true);
    h.begin('brush', 8, 50, 50);
    h.extend(60, 60);
    h.end();
    expect(h.visible()).toHaveLength(1);
    h.undo(); // the new stroke
    h.undo(); // the clear
    expect(h.visible().map((s) => s.points[0])).toEqual([10, 100]);
  });

  it('does not record a clear of a blank pad', () => {
    const h = new DrawHistory();
    expect(h.clear()).toBe(false);
    expect(h.canUndo).toBe(false);
  });

  it('drops the redo branch when something new is drawn', () => {
    const h = sketch();
    h.undo();
    expect(h.canRedo).toBe(true);
    h.begin('eraser', 30, 5, 5);
    h.end();
    expect(h.canRedo).toBe(false);
    expect(h.visible().map((s) => s.tool)).toEqual(['brush', 'eraser']);
  });

  it('counts a pad holding only eraser strokes as blank', () => {
    const h = new DrawHistory();
    h.begin('eraser', 30, 5, 5);
    h.extend(50, 50);
    h.end();
    expect(h.canUndo).toBe(true);
    expect(h.blank).toBe(true);
  });

  it('closes an open stroke on undo, so later points do not join an undone stroke', () => {
    const h = new DrawHistory();
    h.begin('brush', 10, 0, 0);
    h.extend(1, 1);
    h.undo();
    expect(h.extend(2, 2)).toBe(false);
    h.redo();
    expect(h.visible()[0]?.points).toEqual([0, 0, 1, 1]);
  });
});
