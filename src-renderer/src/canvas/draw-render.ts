// Paints the draw pad's strokes on a 2D canvas: white ink, black eraser, round ends, on black,
// the way Fashion-MNIST images look.
import type { Stroke } from './draw-history';

function style(ctx: CanvasRenderingContext2D, s: Stroke): void {
  ctx.strokeStyle = ctx.fillStyle = s.tool === 'brush' ? '#fff' : '#000';
  ctx.lineWidth = s.size;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
}

/** Paints a whole stroke, or with `upTo` only its last segment, ending at point `upTo` (a pair index). */
export function paintStroke(ctx: CanvasRenderingContext2D, s: Stroke, upTo?: number): void {
  style(ctx, s);
  const p = s.points;
  if (p.length === 2) {
    ctx.beginPath();
    ctx.arc(p[0]!, p[1]!, s.size / 2, 0, Math.PI * 2);
    ctx.fill();
    return;
  }
  const from = upTo === undefined ? 0 : upTo - 1;
  const to = upTo === undefined ? p.length / 2 - 1 : upTo;
  ctx.beginPath();
  ctx.moveTo(p[2 * from]!, p[2 * from + 1]!);
  for (let i = from + 1; i <= to; i++) ctx.lineTo(p[2 * i]!, p[2 * i + 1]!);
  ctx.stroke();
}

/** Clears the canvas to black and paints `strokes`, given in CSS pixels, at `scale` device pixels each. */
export function repaint(ctx: CanvasRenderingContext2D, strokes: readonly Stroke[], scale: number): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  for (const s of strokes) paintStroke(ctx, s);
}
