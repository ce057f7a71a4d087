import { describe, expect, it } from 'vitest';
import type { Stroke } from './draw-history';
import { paintStroke, repaint } from './draw-render';

/** A 2D context that records what is asked of it. */
function recorder(width = 560, height = 560) {
  const calls: string[] = [];
  const ctx = {
    canvas: { width, height },
    set strokeStyle(v: string) {
      calls.push(`strokeStyle ${v}`);
    },
    set fillStyle(v: string) {
      calls.push(`fillStyle ${v}`);
    },
    lineWidth: 0,
    lineCap: '',
    lineJoin: '',
    beginPath: () => calls.push('beginPath'),
    moveTo: (x: number, y: number) => calls.push(`moveTo ${x},${y}`),
    lineTo: (x: number, y: number) => calls.push(`lineTo ${x},${y}`),
    arc: (x: number, y: number, r: number) => calls.push(`arc ${x},${y} r${r}`),
    fill: () => calls.push('fill'),
    stroke: () => calls.push('stroke'),
    fillRect: (...a: number[]) => calls.push(`fillRect ${a.join(',')}`),
    setTransform: (...a: number[]) => calls.push(`setTransform ${a.join(',')}`),
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

const line: Stroke = { kind: 'stroke', tool: 'brush', size: 20, points: [10, 10, 20, 30, 40, 50] };

describe('paintStroke', () => {
  it('paints a single click as a filled dot of the brush size', () => {
    const { ctx, calls } = recorder();
    paintStroke(ctx, { kind: 'stroke', tool: 'brush', size: 10, points: [5, 6] });
    expect(calls.slice(0, 2).sort()).toEqual(['fillStyle #fff', 'strokeStyle #fff']);
    expect(calls.slice(2)).toEqual(['beginPath', 'arc 5,6 r5', 'fill']);
  });

  it('paints a whole stroke with round joins, or only its newest segment', () => {
    const whole = recorder();
    paintStroke(whole.ctx, line);
    expect(whole.calls.slice(2)).toEqual(['beginPath', 'moveTo 10,10', 'lineTo 20,30', 'lineTo 40,50', 'stroke']);
    expect(whole.ctx.lineCap).toBe('round');
    expect(whole.ctx.lineWidth).toBe(20);
    const last = recorder();
    paintStroke(last.ctx, line, 2);
    expect(last.calls.slice(2)).toEqual(['beginPath', 'moveTo 20,30', 'lineTo 40,50', 'stroke']);
  });

  it('erases with black', () => {
    const { ctx, calls } = recorder();
    paintStroke(ctx, { ...line, tool: 'eraser' });
    expect(calls.slice(0, 2).sort()).toEqual(['fillStyle #000', 'strokeStyle #000']);
  });
});

describe('repaint', () => {
  it('clears the whole device-pixel canvas to black, then paints the strokes scaled', () => {
    const { ctx, calls } = recorder(560, 560);
    repaint(ctx, [line], 2);
    expect(calls.slice(0, 4)).toEqual(['setTransform 1,0,0,1,0,0', 'fillStyle #000', 'fillRect 0,0,560,560', 'setTransform 2,0,0,2,0,0']);
    expect(calls).toContain('lineTo 40,50');
  });
});
