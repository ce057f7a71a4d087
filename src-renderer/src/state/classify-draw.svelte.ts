// The draw pad's live prediction: at most one per animation frame, never more than one in flight;
// while one is in flight the latest request waits for it, so a burst of strokes costs one call.
import type { RGBAImage } from '../classify/image';
import { fromDrawing } from '../classify/preprocess';
import { topK, type Ranked } from '../lib/classify-view';
import type { ClassifyDeps, ModelGate } from './classify-deps';

export interface DrawResult {
  /** What the model sees: 784 values in [0,1]. */
  input: Float32Array;
  empty: boolean;
  probs: Float32Array | null;
  top: Ranked[];
  /** Preprocessing plus prediction, in ms. */
  ms: number;
}

export class DrawScheduler {
  draw = $state.raw<DrawResult | null>(null);
  #read: (() => RGBAImage | null) | null = null;
  #scheduled = false;
  #busy = false;
  #dirty = false;

  readonly #deps: ClassifyDeps;
  readonly #gate: ModelGate;

  constructor(deps: ClassifyDeps, gate: ModelGate) {
    this.#deps = deps;
    this.#gate = gate;
  }

  /**
   * Asks for a prediction of the pad. `read` is called in the next animation frame and returns
   * null for a blank pad.
   */
  request(read: () => RGBAImage | null): void {
    this.#read = read;
    if (this.#busy) {
      this.#dirty = true;
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#deps.frame(() => void this.#run());
  }

  /** Another model: predict the drawing again. */
  modelChanged(): void {
    if (this.#read) this.request(this.#read);
  }

  async #run(): Promise<void> {
    this.#scheduled = false;
    const read = this.#read;
    if (!read) return;
    this.#busy = true;
    try {
      await this.#predict(read);
    } catch (err) {
      this.#gate.error = (err as Error).message;
    } finally {
      this.#busy = false;
      if (this.#dirty) {
        this.#dirty = false;
        this.request(this.#read ?? read);
      }
    }
  }

  async #predict(read: () => RGBAImage | null): Promise<void> {
    const t0 = this.#deps.now();
    const pixels = read();
    if (!pixels) {
      this.draw = null;
      return;
    }
    const pre = fromDrawing(pixels);
    if (pre.empty || !this.#gate.hasModel) {
      this.draw = { input: pre.input, empty: pre.empty, probs: null, top: [], ms: this.#deps.now() - t0 };
      return;
    }
    const model = this.#gate.model;
    const probs = await this.#deps.classifier.predict(pre.input);
    if (model !== this.#gate.model) return;
    this.draw = { input: pre.input, empty: false, probs, top: topK(probs, 5), ms: this.#deps.now() - t0 };
  }
}
