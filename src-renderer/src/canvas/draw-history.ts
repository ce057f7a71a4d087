// The draw pad's picture as a list of operations, so undo/redo is exact and the canvas can be
// redrawn from scratch at any time (after an undo, or when the pad is mounted again). Unbounded on
// purpose: dropping old operations would change the picture, and a sketch is a few kB of points.

export type Tool = 'brush' | 'eraser';

export interface Stroke {
  kind: 'stroke';
  tool: Tool;
  /** Line width in canvas pixels. */
  size: number;
  /** Flat x,y pairs in canvas pixels. */
  points: number[];
}

export type DrawOp = Stroke | { kind: 'clear' };

export class DrawHistory {
  #done: DrawOp[] = [];
  #undone: DrawOp[] = [];
  #open: Stroke | null = null;

  /** Starts a stroke at (x, y). A stroke already open is finished first. */
  begin(tool: Tool, size: number, x: number, y: number): Stroke {
    this.end();
    this.#open = { kind: 'stroke', tool, size, points: [x, y] };
    this.#push(this.#open);
    return this.#open;
  }

  /** Adds a point to the open stroke; false when no stroke is open or the point repeats the last. */
  extend(x: number, y: number): boolean {
    const s = this.#open;
    if (!s) return false;
    const n = s.points.length;
    if (s.points[n - 2] === x && s.points[n - 1] === y) return false;
    s.points.push(x, y);
    return true;
  }

  end(): void {
    this.#open = null;
  }

  get drawing(): boolean {
    return this.#open !== null;
  }

  /** Clearing is an operation too, so it can be undone. Clearing a blank pad does nothing. */
  clear(): boolean {
    this.end();
    if (this.blank) return false;
    this.#push({ kind: 'clear' });
    return true;
  }

  undo(): boolean {
    this.end();
    const op = this.#done.pop();
    if (!op) return false;
    this.#undone.push(op);
    return true;
  }

  redo(): boolean {
    this.end();
    const op = this.#undone.pop();
    if (!op) return false;
    this.#done.push(op);
    return true;
  }

  get canUndo(): boolean {
    return this.#done.length > 0;
  }

  get canRedo(): boolean {
    return this.#undone.length > 0;
  }

  /** The strokes that make the picture now: those after the last clear. */
  visible(): readonly Stroke[] {
    const out: Stroke[] = [];
    for (let i = this.#done.length - 1; i >= 0; i--) {
      const op = this.#done[i]!;
      if (op.kind === 'clear') break;
      out.push(op);
    }
    return out.reverse();
  }

  /** Nothing drawn, or only eraser strokes since the last clear. */
  get blank(): boolean {
    return !this.visible().some((s) => s.tool === 'brush');
  }

  #push(op: DrawOp): void {
    this.#done.push(op);
    this.#undone.length = 0;
  }
}
