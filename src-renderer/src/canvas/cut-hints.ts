// The user's marks on a photo (a rectangle, "garment here" / "background here" strokes) as the
// hints the prepare worker cuts with, in the photo's own pixels, and the picture of the cut:
// the photo with its background dimmed and the mask's outline. The geometry is pure (tested);
// `paintCut` draws on a 2D context.
import type { PhotoView } from '../classify/prepare-image';
import type { Box } from '../classify/preprocess';
import type { SegmentHints, Stroke } from '../classify/segment';

export type CutTool = 'rect' | 'garment' | 'background';

export interface Point {
  x: number;
  y: number;
}

/** A point on the canvas as shown (CSS pixels) in photo pixels, clamped to the photo. */
export function toPhoto(p: Point, shown: { width: number; height: number }, photo: { width: number; height: number }): Point {
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return { x: clamp((p.x / shown.width) * photo.width, photo.width), y: clamp((p.y / shown.height) * photo.height, photo.height) };
}

/** The rectangle between two corners, in whole photo pixels; null when too small to mean anything. */
export function rectBetween(a: Point, b: Point, photo: { width: number; height: number }): Box | null {
  const x = Math.floor(Math.min(a.x, b.x));
  const y = Math.floor(Math.min(a.y, b.y));
  const width = Math.ceil(Math.max(a.x, b.x)) - x;
  const height = Math.ceil(Math.max(a.y, b.y)) - y;
  const least = Math.max(4, 0.03 * Math.max(photo.width, photo.height));
  return width >= least && height >= least ? { x, y, width, height } : null;
}

/** Brush radius in photo pixels: 2.5% of the long side, so a stroke looks the same on any photo. */
export function brushRadius(photo: { width: number; height: number }): number {
  return Math.max(2, Math.round(0.025 * Math.max(photo.width, photo.height)));
}

/** The hints with a new rectangle (the strokes stay: they refine it). */
export function withRect(hints: SegmentHints | null, rect: Box): SegmentHints {
  return { ...(hints ?? {}), rect };
}

/** The hints with one more stroke. */
export function withStroke(hints: SegmentHints | null, stroke: Stroke): SegmentHints {
  return { ...(hints ?? {}), strokes: [...(hints?.strokes ?? []), stroke] };
}

export const hasHints = (h: SegmentHints | null): boolean => Boolean(h?.rect || h?.strokes?.length);

/** Colours of the marks: the garment side in the accent's green, background in red. */
const INK = { garment: '#22c55e', background: '#ef4444', rect: '#fbbf24', outline: '#38bdf8' } as const;

/** A canvas the size of the mask, opaque where the mask is background (to dim it over the photo). */
function backgroundShade(cut: PhotoView): OffscreenCanvas | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  const { width, height, data } = cut.mask;
  const shade = new OffscreenCanvas(width, height);
  const ctx = shade.getContext('2d');
  if (!ctx) return null;
  const img = ctx.createImageData(width, height);
  for (let i = 0; i < data.length; i++) img.data[i * 4 + 3] = data[i] ? 0 : 150;
  ctx.putImageData(img, 0, 0);
  return shade;
}

export interface CutPicture {
  photo: CanvasImageSource | null;
  cut: PhotoView | null;
  hints: SegmentHints | null;
  /** What is being drawn right now (not sent yet). */
  pending: { rect?: Box; stroke?: Stroke } | null;
}

/** Paints the photo, its dimmed background, the outline and the marks, scaled to the canvas. */
export function paintCut(ctx: CanvasRenderingContext2D, size: { width: number; height: number }, pic: CutPicture): void {
  const { photo, cut, hints, pending } = pic;
  ctx.clearRect(0, 0, size.width, size.height);
  if (photo) ctx.drawImage(photo, 0, 0, size.width, size.height);
  if (!cut) return;
  const k = size.width / cut.width;
  const shade = backgroundShade(cut);
  if (shade) {
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(shade, 0, 0, size.width, size.height);
    ctx.imageSmoothingEnabled = true;
  }
  ctx.beginPath();
  const o = cut.outline;
  for (let i = 0; i + 3 < o.length; i += 4) {
    ctx.moveTo(o[i]! * k, o[i + 1]! * k);
    ctx.lineTo(o[i + 2]! * k, o[i + 3]! * k);
  }
  ctx.lineCap = 'round';
  ctx.strokeStyle = 'rgba(0,0,0,0.7)';
  ctx.lineWidth = 3;
  ctx.stroke();
  ctx.strokeStyle = INK.outline;
  ctx.lineWidth = 1.5;
  ctx.stroke();
  const strokes = [...(hints?.strokes ?? []), ...(pending?.stroke ? [pending.stroke] : [])];
  for (const s of strokes) paintStroke(ctx, s, k);
  const rect = pending?.rect ?? hints?.rect;
  if (rect) {
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = INK.rect;
    ctx.lineWidth = 2;
    ctx.strokeRect(rect.x * k, rect.y * k, rect.width * k, rect.height * k);
    ctx.setLineDash([]);
  }
}

function paintStroke(ctx: CanvasRenderingContext2D, s: Stroke, k: number): void {
  ctx.strokeStyle = ctx.fillStyle = INK[s.label];
  ctx.globalAlpha = 0.75;
  ctx.lineWidth = 2 * s.radius * k;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  const p = s.points;
  ctx.moveTo(p[0]! * k, p[1]! * k);
  for (let i = 2; i + 1 < p.length; i += 2) ctx.lineTo(p[i]! * k, p[i + 1]! * k);
  if (p.length === 2) ctx.lineTo(p[0]! * k + 0.01, p[1]! * k);
  ctx.stroke();
  ctx.globalAlpha = 1;
}
