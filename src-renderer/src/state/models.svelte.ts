// Saved models and recorded runs (owned by main), and the *current* model: the one loaded in the
// ML worker, which Evaluate and Classify use.
import type { ModelMeta, ModelSummary } from '../../../src-shared/types/model';
import type { RunRecord, RunSummary } from '../../../src-shared/types/run';
import type { Evaluation } from '../ml/evaluate';
import type { ModelInfo } from '../worker/protocol';
import { tailor, unwrap } from '../lib/api';
import { dataset } from './dataset.svelte';
import { ml } from './ml.svelte';

export interface CurrentModel {
  /** Saved model id, or null for a model that exists only in the worker. */
  id: string | null;
  name: string;
  builtIn: boolean;
  info: ModelInfo;
}

export class ModelsState {
  list = $state.raw<ModelSummary[]>([]);
  runs = $state.raw<RunSummary[]>([]);
  activeId = $state<string | null>(null);
  current = $state.raw<CurrentModel | null>(null);
  evaluation = $state.raw<Evaluation | null>(null);
  /** The model the evaluation above belongs to. */
  evaluationOf = $state<string | null>(null);
  evalProgress = $state.raw<{ done: number; total: number } | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  #loadingCurrent: Promise<boolean> | null = null;

  async refresh(): Promise<void> {
    try {
      const [list, runs, activeId] = await Promise.all([
        unwrap(tailor.models.list()),
        unwrap(tailor.runs.list()),
        unwrap(tailor.models.getActive()),
      ]);
      this.list = list;
      this.runs = runs;
      this.activeId = activeId;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Loads a saved model into the worker and makes it current and active. */
  async use(id: string): Promise<boolean> {
    this.error = null;
    this.busy = true;
    try {
      const artifacts = await unwrap(tailor.models.load(id));
      const info = await ml.client.call(
        'loadModel',
        { modelJson: artifacts.modelJson, weights: artifacts.weights, label: artifacts.meta.name },
        [artifacts.weights.buffer],
      );
      this.current = { id, name: artifacts.meta.name, builtIn: artifacts.meta.builtIn === true, info };
      this.activeId = await unwrap(tailor.models.setActive(id));
      this.evaluation = null;
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Makes sure some model is current: the active one (the shipped model on first launch). */
  ensureCurrent(): Promise<boolean> {
    if (this.current) return Promise.resolve(true);
    this.#loadingCurrent ??= (async () => {
      await this.refresh();
      const id = this.activeId ?? this.list.find((m) => !m.problem)?.id ?? null;
      if (!id) {
        this.error = 'No model yet: train one in the Train view, or import a TensorFlow.js model in the Models view.';
        return false;
      }
      return this.use(id);
    })().finally(() => (this.#loadingCurrent = null));
    return this.#loadingCurrent;
  }

  /** Evaluates the current model on the test set in the worker, with progress. */
  async evaluateCurrent(): Promise<Evaluation | null> {
    this.error = null;
    if (!(await this.ensureCurrent())) return null;
    const off = ml.client.on('evalProgress', (p) => (this.evalProgress = p));
    try {
      await ml.ensureData();
      this.evalProgress = { done: 0, total: 1 };
      const evaluation = await ml.client.call('evaluate', null);
      this.evaluation = evaluation;
      this.evaluationOf = this.current?.id ?? null;
      const id = this.current?.id;
      const saved = this.list.find((m) => m.id === id);
      const data = dataset.data;
      if (id && saved && !saved.builtIn && data) {
        // Main keeps the metrics only when they were measured on the model's own dataset.
        const metrics = { loss: evaluation.loss, acc: evaluation.acc, confusion: evaluation.confusion };
        await unwrap(tailor.models.updateMeta(id, { testMetrics: { measuredOn: { id: data.id, checksums: data.checksums }, metrics } }));
        await this.refresh();
      }
      return evaluation;
    } catch (err) {
      this.error = (err as Error).message;
      return null;
    } finally {
      off();
      this.evalProgress = null;
    }
  }

  /** Saves the worker's current (just trained) model; it becomes the active model. */
  async saveTrained(meta: Omit<ModelMeta, 'id' | 'createdAt'>): Promise<ModelSummary> {
    const files = await ml.client.call('exportModel', null);
    const saved = await unwrap(tailor.models.save({ meta, modelJson: files.modelJson, weights: files.weights }));
    this.activeId = await unwrap(tailor.models.setActive(saved.id));
    if (this.current) this.current = { ...this.current, id: saved.id, name: saved.name, builtIn: false };
    await this.refresh();
    return saved;
  }

  /** Called when a training run replaced the worker's model. */
  trainedModelIsCurrent(name: string, info: ModelInfo): void {
    this.current = { id: null, name, builtIn: false, info };
    this.evaluation = null;
  }

  async saveRun(run: RunRecord): Promise<void> {
    await unwrap(tailor.runs.save(run));
    await this.refresh();
  }

  async rename(id: string, name: string): Promise<void> {
    await this.#act(async () => {
      const s = await unwrap(tailor.models.rename(id, name));
      if (this.current?.id === id) this.current = { ...this.current, name: s.name };
    });
  }

  async remove(id: string): Promise<void> {
    await this.#act(async () => {
      await unwrap(tailor.models.delete(id));
      if (this.current?.id === id) this.current = { ...this.current, id: null };
    });
  }

  async removeRun(id: string): Promise<void> {
    await this.#act(() => unwrap(tailor.runs.delete(id)));
  }

  /** Asks main for a folder and writes the model there; returns the folder or null if cancelled. */
  async exportModel(id: string): Promise<string | null> {
    let folder: string | null = null;
    await this.#act(async () => {
      folder = (await unwrap(tailor.models.export(id)))?.folder ?? null;
    });
    return folder;
  }

  async importFiles(files: File[]): Promise<ModelSummary | null> {
    let saved: ModelSummary | null = null;
    await this.#act(async () => {
      const payload = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      saved = await unwrap(tailor.models.import(payload));
    });
    return saved;
  }

  async #act(fn: () => Promise<unknown>): Promise<void> {
    this.error = null;
    this.busy = true;
    try {
      await fn();
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.busy = false;
      await this.refresh();
    }
  }
}

export const models = new ModelsState();
