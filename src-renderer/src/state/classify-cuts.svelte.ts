// The garment cuts of the photos in Classify (mask outline, photo size) kept for the most recent
// files only: a cut holds tens of kilobytes and a batch may hold thousands of photos. A row shown
// large whose cut was let go gets it again from the prepare worker (the cut is seeded: the same
// photo and hints give the same mask).
import type { PhotoView } from '../classify/prepare-image';

/** Cuts kept: enough for every photo of a small batch and the recent ones of a large one. */
export const KEPT_CUTS = 48;

export class PhotoCuts {
  /** id → cut, replaced (never mutated) on every change so views follow. */
  byId = $state.raw<ReadonlyMap<number, PhotoView>>(new Map());
  readonly #order: number[] = [];

  constructor(private readonly keep = KEPT_CUTS) {}

  get(id: number): PhotoView | null {
    return this.byId.get(id) ?? null;
  }

  /** Keeps the cut of `id` (null forgets it), dropping the oldest beyond the limit. */
  set(id: number, cut: PhotoView | null): void {
    const next = new Map(this.byId);
    const at = this.#order.indexOf(id);
    if (at >= 0) this.#order.splice(at, 1);
    next.delete(id);
    if (cut) {
      next.set(id, cut);
      this.#order.push(id);
      while (this.#order.length > this.keep) next.delete(this.#order.shift()!);
    }
    this.byId = next;
  }

  clear(): void {
    this.#order.length = 0;
    this.byId = new Map();
  }
}
