// The worker's *current model* and who is using it. Work that runs in steps on the current model
// (an evaluation in batches, a saliency map in chunks, a prediction awaiting its read-back) holds
// it with a lease; putting another model in the slot retires the old one, which is disposed only
// when its last lease ends. So a swap never disposes a model under a job, and never leaks one.

export interface Disposable {
  dispose(): void;
}

/** What the worker knows about a model beyond its weights. */
export interface SlotMeta {
  /** Human-readable source: "Trained run" or the saved model's name. */
  label: string;
  /** The scale the model takes its pixels on. */
  pixelScale: 'unit' | 'raw';
}

export interface Lease<M> {
  readonly model: M;
  readonly meta: SlotMeta;
  /** Serial number of the model in this slot: a larger key was put later. */
  readonly key: number;
  /** Ends the lease; a second call does nothing. */
  release(): void;
}

interface Entry<M> {
  model: M;
  meta: SlotMeta;
  key: number;
  leases: number;
  retired: boolean;
}

export class ModelSlot<M extends Disposable> {
  #current: Entry<M> | null = null;
  #nextKey = 1;

  /** The current model's key, or null when there is none. */
  get key(): number | null {
    return this.#current?.key ?? null;
  }

  /** The current model, unleased: for reading its description, not for running it across awaits. */
  peek(): { model: M; meta: SlotMeta; key: number } | null {
    const c = this.#current;
    return c ? { model: c.model, meta: c.meta, key: c.key } : null;
  }

  /** Makes `model` current and returns its key; the previous model goes once nothing holds it. */
  put(model: M, meta: SlotMeta): number {
    const old = this.#current;
    const entry: Entry<M> = { model, meta, key: this.#nextKey++, leases: 0, retired: false };
    this.#current = entry;
    if (old && old.model !== model) this.#retire(old);
    return entry.key;
  }

  /** Holds the current model until `release()`; throws `none()` when there is no model. */
  hold(none: () => Error): Lease<M> {
    const entry = this.#current;
    if (!entry) throw none();
    entry.leases++;
    let released = false;
    return {
      model: entry.model,
      meta: entry.meta,
      key: entry.key,
      release: () => {
        if (released) return;
        released = true;
        entry.leases--;
        if (entry.retired && entry.leases === 0) entry.model.dispose();
      },
    };
  }

  /** Runs `job` on the current model, held for the whole job. */
  async with<T>(none: () => Error, job: (lease: Lease<M>) => Promise<T>): Promise<T> {
    const lease = this.hold(none);
    try {
      return await job(lease);
    } finally {
      lease.release();
    }
  }

  #retire(entry: Entry<M>): void {
    entry.retired = true;
    if (entry.leases === 0) entry.model.dispose();
  }
}
