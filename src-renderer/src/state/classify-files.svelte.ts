// Dropped files for Classify: decoded and preprocessed one at a time (in a worker in the app),
// yielding to the UI between files, and sent to the model in batches. Results are published at
// most once per frame; a new model re-classifies every file already read without reading it again.
// A photo the user marks (a rectangle, brush strokes) is cut again and classified again at once.
import type { Prepared } from '../classify/prepare-image';
import type { SegmentHints } from '../classify/segment';
import { topK, type ResultRow } from '../view-logic/classify-view';
import { PIXELS, type ClassifyDeps, type ModelGate } from './classify-deps';
import type { PhotoCuts } from './classify-cuts.svelte';

export interface FileEntry {
  blob: Blob;
  /** As shown: the relative path for files from a dropped folder. */
  name: string;
}

/** Files per predict call; a batch also goes out once this long has passed since the last one. */
const BATCH = 32;
const BATCH_MS = 200;
/** Files one drop or pick may add: a batch is for a folder of photos, not a whole disk. */
export const MAX_FILES = 5000;

export class FileQueue {
  /** Results in drop order; replaced (never mutated) at most once per frame. */
  rows = $state.raw<ResultRow[]>([]);
  /** The current batch: files finished (classified or failed) of those added since it began. */
  progress = $state.raw<{ done: number; total: number } | null>(null);
  /** Files in a drop beyond MAX_FILES, reported once. */
  skipped = $state(0);
  readonly #deps: ClassifyDeps;
  readonly #gate: ModelGate;
  readonly #cuts: PhotoCuts;
  /** The latest cut asked for per row: an older answer that arrives later is dropped. */
  readonly #cutAsked = new Map<number, number>();
  #results: ResultRow[] = [];
  #blobs = new Map<number, Blob>();
  #nextId = 0;
  #cursor = 0;
  #generation = 0;
  #pumping = false;
  #again = false;
  #publishQueued = false;
  #batchStart = 0;

  constructor(deps: ClassifyDeps, gate: ModelGate, cuts: PhotoCuts) {
    this.#deps = deps;
    this.#gate = gate;
    this.#cuts = cuts;
  }

  blobOf(id: number): Blob | null {
    return this.#blobs.get(id) ?? null;
  }

  add(entries: readonly FileEntry[]): void {
    if (entries.length === 0) return;
    const room = Math.max(0, MAX_FILES - this.#results.length);
    this.skipped = Math.max(0, entries.length - room);
    if (!this.#results.slice(this.#batchStart).some((r) => this.#pending(r))) this.#batchStart = this.#results.length;
    for (const { blob, name } of entries.slice(0, room)) {
      const id = this.#nextId++;
      this.#blobs.set(id, blob);
      this.#results.push({ id, name, bytes: blob.size, status: 'queued', message: null, note: null, nothingFound: false, hints: null, recutting: false, input: null, probs: null, top: null });
    }
    this.#publish();
    void this.#pump();
  }

  /** Forgets every file; a batch in progress stops after the file it is on. */
  clear(): void {
    this.#generation++;
    this.#results = [];
    this.#blobs.clear();
    this.#cursor = 0;
    this.#batchStart = 0;
    this.#cutAsked.clear();
    this.#cuts.clear();
    this.skipped = 0;
    this.progress = null;
    this.#publish();
  }

  /** Another model (or a worker error cleared): classify every file read so far again. */
  modelChanged(): void {
    this.#results = this.#results.map((r) => (r.status === 'done' ? { ...r, status: 'ready', probs: null, top: null } : r));
    this.#publish();
    void this.#pump();
  }

  /** Decodes, preprocesses and classifies until nothing is left that can be done. */
  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        if (this.#cursor < this.#results.length) await this.#readAll();
        await this.#predictReady();
      } while (this.#again);
    } finally {
      this.#pumping = false;
      this.#publish();
    }
  }

  /** Reads every queued file in turn, sending a batch whenever enough are ready or enough time passed. */
  async #readAll(): Promise<void> {
    let lastPredict = this.#deps.now();
    while (this.#cursor < this.#results.length) {
      const generation = this.#generation;
      const row = this.#results[this.#cursor]!;
      const update = await this.#read(row, this.#blobs.get(row.id));
      if (generation !== this.#generation) break;
      this.#results[this.#cursor++] = update;
      this.#publish();
      const ready = this.#results.filter((r) => r.status === 'ready').length;
      if (ready >= BATCH || this.#deps.now() - lastPredict > BATCH_MS || this.#cursor === this.#results.length) {
        await this.#predictReady();
        lastPredict = this.#deps.now();
      }
      await this.#deps.yieldToUi();
    }
  }

  async #read(row: ResultRow, blob: Blob | undefined): Promise<ResultRow> {
    if (!blob) return { ...row, status: 'error', message: `${row.name} is no longer available` };
    return this.#apply(row, await this.#deps.prepare(blob, row.name, row.hints ?? undefined));
  }

  /** A row after its file was prepared: ready for the model, or why not; its cut kept aside. */
  #apply(row: ResultRow, prepared: Prepared): ResultRow {
    this.#cuts.set(row.id, prepared.photo ?? null);
    const cleared = { ...row, recutting: false, probs: null, top: null };
    if (!prepared.ok) return { ...cleared, status: 'error', message: prepared.message, nothingFound: prepared.nothingFound === true, input: null };
    const frame = prepared.photo?.fillsFrame ? 'the garment seems to fill the photo: the whole frame was used' : null;
    const note = [prepared.note, frame].filter(Boolean).join('; ') || null;
    return { ...cleared, status: 'ready', message: null, nothingFound: false, input: prepared.input, note };
  }

  /**
   * Cuts a photo again with the user's hints (null: the automatic cut) and classifies it again.
   * Only the latest request per row is kept when several overlap.
   */
  async recut(id: number, hints: SegmentHints | null): Promise<void> {
    const blob = this.#blobs.get(id);
    const row = this.#results.find((r) => r.id === id);
    if (!blob || !row) return;
    const asked = (this.#cutAsked.get(id) ?? 0) + 1;
    this.#cutAsked.set(id, asked);
    const generation = this.#generation;
    this.#replace(id, (r) => ({ ...r, hints, recutting: r.status !== 'queued' }));
    if (row.status === 'queued') return; // the read loop gets to it with the hints
    const prepared = await this.#deps.prepare(blob, row.name, hints ?? undefined);
    if (generation !== this.#generation || this.#cutAsked.get(id) !== asked) return;
    this.#replace(id, (r) => this.#apply(r, prepared));
    void this.#pump();
  }

  /** Gets the cut of a row again when it was let go (a large batch keeps only recent ones). */
  async ensureCut(id: number): Promise<void> {
    const blob = this.#blobs.get(id);
    const row = this.#results.find((r) => r.id === id);
    if (!blob || !row || this.#cuts.get(id) || this.#cutAsked.has(id) || !(row.input || row.nothingFound)) return;
    this.#cutAsked.set(id, 0);
    const generation = this.#generation;
    const prepared = await this.#deps.prepare(blob, row.name, row.hints ?? undefined);
    if (generation === this.#generation && this.#cutAsked.get(id) === 0) this.#cuts.set(id, prepared.photo ?? null);
  }

  #replace(id: number, change: (row: ResultRow) => ResultRow): void {
    const i = this.#results.findIndex((r) => r.id === id);
    if (i < 0) return;
    this.#results[i] = change(this.#results[i]!);
    this.#publish();
  }

  /** Sends every preprocessed row to the model, in batches; stops on a worker error. */
  async #predictReady(): Promise<void> {
    while (this.#gate.hasModel && !this.#gate.error) {
      const batch = this.#results.filter((r) => r.status === 'ready').slice(0, BATCH);
      if (batch.length === 0) return;
      const inputs = new Float32Array(batch.length * PIXELS);
      batch.forEach((r, i) => inputs.set(r.input!, i * PIXELS));
      const model = this.#gate.model;
      const generation = this.#generation;
      let probs: Float32Array;
      try {
        probs = await this.#deps.classifier.predict(inputs);
      } catch (err) {
        this.#gate.error = (err as Error).message;
        return;
      }
      if (model !== this.#gate.model || generation !== this.#generation) continue;
      this.#settle(batch.map((r) => r.id), probs);
    }
  }

  /** Marks the batch's rows done with their own slice of the probabilities. */
  #settle(ids: number[], probs: Float32Array): void {
    const classes = probs.length / ids.length;
    const byId = new Map(ids.map((id, i) => [id, i]));
    this.#results = this.#results.map((r) => {
      const i = byId.get(r.id);
      if (i === undefined || r.status !== 'ready') return r;
      const own = probs.slice(i * classes, (i + 1) * classes);
      return { ...r, status: 'done', probs: own, top: topK(own, 1)[0] ?? null };
    });
    this.#publish();
  }

  /** Copies the results into `rows` once per frame, and the batch progress with them. */
  #publish(): void {
    if (this.#publishQueued) return;
    this.#publishQueued = true;
    this.#deps.frame(() => {
      this.#publishQueued = false;
      this.rows = [...this.#results];
      const batch = this.#results.slice(this.#batchStart);
      const done = batch.filter((r) => r.status === 'done' || r.status === 'error').length;
      this.progress = batch.some((r) => this.#pending(r)) ? { done, total: batch.length } : null;
    });
  }

  /** Work is left on this row that will happen without the user doing anything. */
  #pending(r: ResultRow): boolean {
    return r.status === 'queued' || (r.status === 'ready' && this.#gate.hasModel && !this.#gate.error);
  }
}
