// Classify view state: the queue of dropped files and their results, and the live prediction of
// the draw pad. Files are decoded and preprocessed one at a time (in a worker in the app),
// yielding to the UI between files, and sent to the worker's current model in small batches; the draw pad asks for at most
// one prediction per animation frame, with never more than one in flight.
import type { RGBAImage } from '../classify/image';
import { fromDrawing } from '../classify/preprocess';
import { yieldToEventLoop } from '../ml/yield';
import { prepareImage, type Prepared } from '../classify/prepare-image';
import { topK, type Ranked, type ResultRow, type Sort } from '../lib/classify-view';

export interface Classifier {
  /** n·784 inputs in [0,1] → n·classes probabilities. */
  predict(inputs: Float32Array): Promise<Float32Array>;
  /** 784 values in [0,1]: how much each pixel drove the score of `classIndex`. */
  saliency(input: Float32Array, classIndex: number): Promise<Float32Array>;
}

export interface ClassifyDeps {
  classifier: Classifier;
  /** Decodes and preprocesses one file (in a worker in the app). */
  prepare: (blob: Blob, name: string) => Promise<Prepared>;
  /** Runs a callback before the next paint (requestAnimationFrame). */
  frame: (cb: () => void) => void;
  /** Gives the UI a turn between files. */
  yieldToUi: () => Promise<void>;
  now: () => number;
}

export interface FileEntry {
  blob: Blob;
  /** As shown: the relative path for files from a dropped folder. */
  name: string;
}

export interface DrawResult {
  /** What the model sees: 784 values in [0,1]. */
  input: Float32Array;
  empty: boolean;
  probs: Float32Array | null;
  top: Ranked[];
  /** Preprocessing plus prediction, in ms. */
  ms: number;
}

/** The draw pad and the file shown large each have their own explanation. */
export type ExplainSlot = 'draw' | 'file';

export interface Explanation {
  input: Float32Array;
  classIndex: number;
  map: Float32Array;
}

const PIXELS = 784;
/** Files per predict call; a batch also goes out once this long has passed since the last one. */
const BATCH = 32;
const BATCH_MS = 200;
/** Files one drop or pick may add: a batch is for a folder of photos, not a whole disk. */
export const MAX_FILES = 5000;

export class ClassifyState {
  /** Results in drop order; replaced (never mutated) at most once per frame. */
  rows = $state.raw<ResultRow[]>([]);
  /** The current batch: files finished (classified or failed) of those added since it began. */
  progress = $state.raw<{ done: number; total: number } | null>(null);
  /** Files in a drop beyond MAX_FILES, reported once. */
  skipped = $state(0);
  draw = $state.raw<DrawResult | null>(null);
  explanations = $state.raw<Partial<Record<ExplainSlot, Explanation>>>({});
  showSaliency = $state(false);
  /** Table order and the row shown large; kept here so they survive leaving the view. */
  sort = $state<Sort>({ key: 'order', dir: 'asc' });
  selectedId = $state<number | null>(null);
  /** A worker failure (no model, backend lost); files stay queued until a model is set again. */
  error = $state<string | null>(null);
  classNames: readonly string[] = [];

  readonly #deps: ClassifyDeps;
  #results: ResultRow[] = [];
  #blobs = new Map<number, Blob>();
  #nextId = 0;
  #cursor = 0;
  #generation = 0;
  #pumping = false;
  #again = false;
  #publishQueued = false;
  #batchStart = 0;
  #model: unknown = null;
  #drawRead: (() => RGBAImage | null) | null = null;
  #drawScheduled = false;
  #drawBusy = false;
  #drawDirty = false;
  #explainWanted = new Map<ExplainSlot, { input: Float32Array; classIndex: number }>();
  #explaining: { slot: ExplainSlot; input: Float32Array; classIndex: number } | null = null;

  constructor(deps: Partial<ClassifyDeps> = {}) {
    const unconnected = (): Promise<never> => Promise.reject(new Error('The Classify view is not connected to the ML worker'));
    this.#deps = {
      classifier: { predict: unconnected, saliency: unconnected },
      prepare: prepareImage,
      frame: (cb) => requestAnimationFrame(() => cb()),
      yieldToUi: yieldToEventLoop,
      now: () => performance.now(),
      ...deps,
    };
  }

  /** Sets the model runner (the ML worker in the app; this module stays free of it for tests) and the file preparer. */
  connect(classifier: Classifier, prepare?: ClassifyDeps['prepare']): void {
    this.#deps.classifier = classifier;
    if (prepare) this.#deps.prepare = prepare;
  }

  /** True when a model is set; predictions wait for one. */
  get hasModel(): boolean {
    return this.#model !== null;
  }

  /** The original picture of a row, to show it large. */
  blobOf(id: number): Blob | null {
    return this.#blobs.get(id) ?? null;
  }

  /**
   * The model now in the worker, as any value that changes identity when the model does. A new
   * model re-classifies every file already read (their inputs are kept) and the drawing.
   */
  setModel(token: unknown): void {
    if (token === this.#model) return;
    this.#model = token;
    this.error = null;
    this.explanations = {};
    this.#explainWanted.clear();
    this.#results = this.#results.map((r) => (r.status === 'done' ? { ...r, status: 'ready', probs: null, top: null } : r));
    this.#publish();
    void this.#pump();
    if (this.#drawRead) this.requestDraw(this.#drawRead);
  }

  /** Queues files; each gets a row at once and is classified in turn. */
  add(entries: readonly FileEntry[]): void {
    if (entries.length === 0) return;
    const room = Math.max(0, MAX_FILES - this.#results.length);
    this.skipped = Math.max(0, entries.length - room);
    this.error = null;
    if (!this.#results.slice(this.#batchStart).some((r) => this.#pending(r))) this.#batchStart = this.#results.length;
    for (const { blob, name } of entries.slice(0, room)) {
      const id = this.#nextId++;
      this.#blobs.set(id, blob);
      this.#results.push({ id, name, bytes: blob.size, status: 'queued', message: null, note: null, input: null, probs: null, top: null });
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
    this.skipped = 0;
    this.selectedId = null;
    this.progress = null;
    const { draw } = this.explanations;
    this.explanations = draw ? { draw } : {};
    this.#publish();
  }

  /**
   * Asks for a prediction of the draw pad. `read` is called in the next animation frame, so a
   * burst of pointer moves costs one prediction; while one is in flight the latest request waits
   * for it. `read` returns null for a blank pad.
   */
  requestDraw(read: () => RGBAImage | null): void {
    this.#drawRead = read;
    if (this.#drawBusy) {
      this.#drawDirty = true;
      return;
    }
    if (this.#drawScheduled) return;
    this.#drawScheduled = true;
    this.#deps.frame(() => void this.#runDraw());
  }

  /**
   * Saliency of `input` for `classIndex`, kept in `explanations[slot]`. Requests run one at a time;
   * per slot only the latest waiting one runs, so a drawing in progress never queues up work.
   */
  explain(slot: ExplainSlot, input: Float32Array, classIndex: number): void {
    const same = (e: { input: Float32Array; classIndex: number } | null | undefined): boolean =>
      !!e && e.input === input && e.classIndex === classIndex;
    if (same(this.explanations[slot]) || (this.#explaining?.slot === slot && same(this.#explaining))) {
      this.#explainWanted.delete(slot);
      return;
    }
    this.#explainWanted.set(slot, { input, classIndex });
    if (!this.#explaining) void this.#runExplain();
  }

  async #runExplain(): Promise<void> {
    for (const [slot, want] of this.#explainWanted) {
      this.#explainWanted.delete(slot);
      if (!this.hasModel) continue;
      const model = this.#model;
      this.#explaining = { slot, ...want };
      try {
        const map = await this.#deps.classifier.saliency(want.input, want.classIndex);
        if (model === this.#model && !this.#explainWanted.has(slot)) this.explanations = { ...this.explanations, [slot]: { ...want, map } };
      } catch (err) {
        this.error = `Saliency failed: ${(err as Error).message}`;
      } finally {
        this.#explaining = null;
      }
    }
  }

  async #runDraw(): Promise<void> {
    this.#drawScheduled = false;
    const read = this.#drawRead;
    if (!read) return;
    this.#drawBusy = true;
    try {
      const t0 = this.#deps.now();
      const pixels = read();
      if (!pixels) {
        this.draw = null;
        return;
      }
      const pre = fromDrawing(pixels);
      if (pre.empty || !this.hasModel) {
        this.draw = { input: pre.input, empty: pre.empty, probs: null, top: [], ms: this.#deps.now() - t0 };
        return;
      }
      const model = this.#model;
      const probs = await this.#deps.classifier.predict(pre.input);
      if (model !== this.#model) return;
      this.draw = { input: pre.input, empty: false, probs, top: topK(probs, 5), ms: this.#deps.now() - t0 };
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.#drawBusy = false;
      if (this.#drawDirty) {
        this.#drawDirty = false;
        this.requestDraw(this.#drawRead ?? read);
      }
    }
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
        let lastPredict = this.#deps.now();
        while (this.#cursor < this.#results.length) {
          const generation = this.#generation;
          const row = this.#results[this.#cursor]!;
          const blob = this.#blobs.get(row.id);
          const update = await this.#read(row, blob);
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
        await this.#predictReady();
      } while (this.#again);
    } finally {
      this.#pumping = false;
      this.#publish();
    }
  }

  async #read(row: ResultRow, blob: Blob | undefined): Promise<ResultRow> {
    if (!blob) return { ...row, status: 'error', message: `${row.name} is no longer available` };
    const prepared = await this.#deps.prepare(blob, row.name);
    if (!prepared.ok) return { ...row, status: 'error', message: prepared.message };
    return { ...row, status: 'ready', input: prepared.input, note: prepared.note };
  }

  /** Sends every preprocessed row to the model, in batches; stops on a worker error. */
  async #predictReady(): Promise<void> {
    while (this.hasModel && !this.error) {
      const batch = this.#results.filter((r) => r.status === 'ready').slice(0, BATCH);
      if (batch.length === 0) return;
      const inputs = new Float32Array(batch.length * PIXELS);
      batch.forEach((r, i) => inputs.set(r.input!, i * PIXELS));
      const model = this.#model;
      const generation = this.#generation;
      let probs: Float32Array;
      try {
        probs = await this.#deps.classifier.predict(inputs);
      } catch (err) {
        this.error = (err as Error).message;
        return;
      }
      if (model !== this.#model || generation !== this.#generation) continue;
      const classes = probs.length / batch.length;
      const byId = new Map(batch.map((r, i) => [r.id, i]));
      this.#results = this.#results.map((r) => {
        const i = byId.get(r.id);
        if (i === undefined || r.status !== 'ready') return r;
        const own = probs.slice(i * classes, (i + 1) * classes);
        return { ...r, status: 'done', probs: own, top: topK(own, 1)[0] ?? null };
      });
      this.#publish();
    }
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
    return r.status === 'queued' || (r.status === 'ready' && this.hasModel && !this.error);
  }
}

export const classify = new ClassifyState();
