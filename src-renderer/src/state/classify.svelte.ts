// Classify view state: three small schedulers over one model gate — the file queue
// (classify-files), the draw pad's live prediction (classify-draw) and the saliency maps
// (classify-explain) — plus what the view keeps between visits (sort, selection, overlay on/off).
import type { RGBAImage } from '../classify/image';
import { prepareImage, type PhotoView } from '../classify/prepare-image';
import type { SegmentHints } from '../classify/segment';
import { yieldToEventLoop } from '../ml/yield';
import type { ResultRow, Sort } from '../view-logic/classify-view';
import type { Classifier, ClassifyDeps, ModelGate } from './classify-deps';
import { PhotoCuts } from './classify-cuts.svelte';
import { DrawScheduler, type DrawResult } from './classify-draw.svelte';
import { ExplainScheduler, type Explanation, type ExplainSlot } from './classify-explain.svelte';
import { FileQueue, type FileEntry } from './classify-files.svelte';

export type { Classifier, ClassifyDeps } from './classify-deps';
export type { DrawResult } from './classify-draw.svelte';
export type { Explanation, ExplainSlot } from './classify-explain.svelte';
export { MAX_FILES, type FileEntry } from './classify-files.svelte';

export class ClassifyState implements ModelGate {
  showSaliency = $state(false);
  /** Table order and the row shown large; kept here so they survive leaving the view. */
  sort = $state<Sort>({ key: 'order', dir: 'asc' });
  selectedId = $state<number | null>(null);
  /** A worker failure (no model, backend lost); files stay queued until a model is set again. */
  error = $state<string | null>(null);
  /** The current model's class names, one per output. */
  classNames: readonly string[] = [];

  readonly #deps: ClassifyDeps;
  readonly #files: FileQueue;
  readonly #draw: DrawScheduler;
  readonly #explain: ExplainScheduler;
  readonly #cuts = new PhotoCuts();
  #model: unknown = null;

  constructor(deps: Partial<ClassifyDeps> = {}) {
    const unconnected = (): Promise<never> => Promise.reject(new Error('The Classify view is not connected to the ML worker'));
    this.#deps = {
      classifier: { predict: unconnected, saliency: unconnected },
      prepare: (blob, name, hints) => prepareImage(blob, name, hints ? { hints } : {}),
      frame: (cb) => requestAnimationFrame(() => cb()),
      yieldToUi: yieldToEventLoop,
      now: () => performance.now(),
      ...deps,
    };
    this.#files = new FileQueue(this.#deps, this, this.#cuts);
    this.#draw = new DrawScheduler(this.#deps, this);
    this.#explain = new ExplainScheduler(this.#deps, this);
  }

  get rows(): ResultRow[] {
    return this.#files.rows;
  }
  get progress(): { done: number; total: number } | null {
    return this.#files.progress;
  }
  get skipped(): number {
    return this.#files.skipped;
  }
  get draw(): DrawResult | null {
    return this.#draw.draw;
  }
  get explanations(): Partial<Record<ExplainSlot, Explanation>> {
    return this.#explain.explanations;
  }

  /** Sets the model runner (the ML worker in the app; this module stays free of it for tests) and the file preparer. */
  connect(classifier: Classifier, prepare?: ClassifyDeps['prepare']): void {
    this.#deps.classifier = classifier;
    if (prepare) this.#deps.prepare = prepare;
  }

  get model(): unknown {
    return this.#model;
  }

  /** True when a model is set; predictions wait for one. */
  get hasModel(): boolean {
    return this.#model !== null;
  }

  /** The garment cut of a row's photo (outline over the photo), when it is at hand; see `ensureCut`. */
  cutOf(id: number): PhotoView | null {
    return this.#cuts.get(id);
  }

  /** Asks for a row's cut again when a large batch let it go. */
  ensureCut(id: number): void {
    void this.#files.ensureCut(id);
  }

  /** Cuts a photo again where the user marked it (null: the automatic cut) and classifies it again. */
  recut(id: number, hints: SegmentHints | null): Promise<void> {
    this.error = null;
    return this.#files.recut(id, hints);
  }

  /** The original picture of a row, to show it large. */
  blobOf(id: number): Blob | null {
    return this.#files.blobOf(id);
  }

  /**
   * The model now in the worker, as any value that changes identity when the model does. A new
   * model re-classifies every file already read (their inputs are kept) and the drawing.
   */
  setModel(token: unknown): void {
    if (token === this.#model) return;
    this.#model = token;
    this.error = null;
    this.#explain.modelChanged();
    this.#files.modelChanged();
    this.#draw.modelChanged();
  }

  /** Queues files; each gets a row at once and is classified in turn. */
  add(entries: readonly FileEntry[]): void {
    if (entries.length === 0) return;
    this.error = null;
    this.#files.add(entries);
  }

  /** Forgets every file; a batch in progress stops after the file it is on. */
  clear(): void {
    this.#files.clear();
    this.selectedId = null;
    this.#explain.forgetFile();
  }

  /** Asks for a prediction of the draw pad (see DrawScheduler.request). */
  requestDraw(read: () => RGBAImage | null): void {
    this.#draw.request(read);
  }

  /** Saliency of `input` for `classIndex`, kept in `explanations[slot]` (see ExplainScheduler). */
  explain(slot: ExplainSlot, input: Float32Array, classIndex: number): void {
    this.#explain.explain(slot, input, classIndex);
  }
}
