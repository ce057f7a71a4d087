// Saliency maps for Classify: the draw pad and the file shown large each have their own slot.
// Requests run one at a time; per slot only the latest waiting one runs, so a drawing in progress
// never queues up work, and a map computed for an older model is dropped.
import type { ClassifyDeps, ModelGate } from './classify-deps';

export type ExplainSlot = 'draw' | 'file';

export interface Explanation {
  input: Float32Array;
  classIndex: number;
  map: Float32Array;
}

type Want = { input: Float32Array; classIndex: number };

export class ExplainScheduler {
  explanations = $state.raw<Partial<Record<ExplainSlot, Explanation>>>({});
  #wanted = new Map<ExplainSlot, Want>();
  #running: ({ slot: ExplainSlot } & Want) | null = null;

  readonly #deps: ClassifyDeps;
  readonly #gate: ModelGate;

  constructor(deps: ClassifyDeps, gate: ModelGate) {
    this.#deps = deps;
    this.#gate = gate;
  }

  explain(slot: ExplainSlot, input: Float32Array, classIndex: number): void {
    const same = (e: Want | null | undefined): boolean => !!e && e.input === input && e.classIndex === classIndex;
    if (same(this.explanations[slot]) || (this.#running?.slot === slot && same(this.#running))) {
      this.#wanted.delete(slot);
      return;
    }
    this.#wanted.set(slot, { input, classIndex });
    if (!this.#running) void this.#run();
  }

  /** Another model: every map is stale. */
  modelChanged(): void {
    this.explanations = {};
    this.#wanted.clear();
  }

  /** Forgets the file slot (the list was cleared); the drawing keeps its map. */
  forgetFile(): void {
    const { draw } = this.explanations;
    this.explanations = draw ? { draw } : {};
  }

  async #run(): Promise<void> {
    for (const [slot, want] of this.#wanted) {
      this.#wanted.delete(slot);
      if (!this.#gate.hasModel) continue;
      const model = this.#gate.model;
      this.#running = { slot, ...want };
      try {
        const map = await this.#deps.classifier.saliency(want.input, want.classIndex);
        if (model === this.#gate.model && !this.#wanted.has(slot)) this.explanations = { ...this.explanations, [slot]: { ...want, map } };
      } catch (err) {
        this.#gate.error = `Saliency failed: ${(err as Error).message}`;
      } finally {
        this.#running = null;
      }
    }
  }
}
