// Saved models and recorded runs (owned by main), and the *current* model: the one loaded in the
// ML worker, which Evaluate and Classify use. The worker numbers its models; the UI only ever
// moves `current` forward to a later one, so a reply that arrives late cannot bring back an old model.
import type { TailorApi } from '../../../src-shared/contract';
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { ModelArtifacts, ModelFiles, ModelSave, ModelSummary } from '../../../src-shared/types/model';
import type { RunRecord, RunSummary } from '../../../src-shared/types/run';
import type { PixelScale } from '../ml/model-input';
import { fitProblem } from '../ml/fit';
import { readFiles } from '../browser/files';
import { unwrap } from '../api/result';
import type { MlClient } from '../worker/ml-client';
import { currentFromMeta, recordDecision, type CurrentModel, type EvaluationResult } from './current-model';

export type { CurrentModel, EvaluationResult } from './current-model';

export interface ModelsDeps {
  api: Pick<TailorApi, 'models' | 'runs'>;
  ml: { readonly client: Pick<MlClient, 'call' | 'on'>; ensureData(): Promise<DatasetPayload> };
}

export class ModelsState {
  list = $state.raw<ModelSummary[]>([]);
  runs = $state.raw<RunSummary[]>([]);
  activeId = $state<string | null>(null);
  current = $state.raw<CurrentModel | null>(null);
  evaluation = $state.raw<EvaluationResult | null>(null);
  evalProgress = $state.raw<{ done: number; total: number } | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  readonly #api: ModelsDeps['api'];
  readonly #ml: ModelsDeps['ml'];
  #loadingCurrent: Promise<boolean> | null = null;

  constructor(deps: ModelsDeps) {
    this.#api = deps.api;
    this.#ml = deps.ml;
  }

  async refresh(): Promise<void> {
    try {
      const [list, runs, activeId] = await Promise.all([
        unwrap(this.#api.models.list()),
        unwrap(this.#api.runs.list()),
        unwrap(this.#api.models.getActive()),
      ]);
      this.list = list;
      this.runs = runs;
      this.activeId = activeId;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /**
   * Loads a saved model into the worker and makes it current and active. With `ifCurrent`, only
   * if the worker's current model is still that one (null: none): a model a run made meanwhile stays.
   */
  async use(id: string, { ifCurrent }: { ifCurrent?: number | null } = {}): Promise<boolean> {
    this.error = null;
    this.busy = true;
    try {
      const { meta, modelJson, weights } = await unwrap(this.#api.models.load(id));
      const request = { modelJson, weights, label: meta.name, pixelScale: meta.hyper.pixelScale, ...(ifCurrent !== undefined ? { ifCurrent } : {}) };
      const reply = await this.#ml.client.call('loadModel', request, [weights.buffer]);
      if (reply.loaded) {
        this.#moveTo(currentFromMeta(meta, reply.info));
        this.activeId = await unwrap(this.#api.models.setActive(id));
      }
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
      if (this.current) return true;
      const id = this.activeId ?? this.list.find((m) => !m.problem)?.id ?? null;
      if (!id) {
        this.error = 'No model yet: train one in the Train view, or import a TensorFlow.js model in the Models view.';
        return false;
      }
      // Decided while no model was current: if a run's model arrives first, it stays.
      return this.use(id, { ifCurrent: null });
    })().finally(() => (this.#loadingCurrent = null));
    return this.#loadingCurrent;
  }

  /**
   * Evaluates the current model on the selected dataset's test set, with progress. Refuses a
   * dataset the model does not fit; records the metrics only when it is the model's own dataset.
   */
  async evaluateCurrent(): Promise<EvaluationResult | null> {
    this.error = null;
    if (!(await this.ensureCurrent())) return null;
    const off = this.#ml.client.on('evalProgress', (p) => (this.evalProgress = p));
    try {
      const data = await this.#ml.ensureData();
      const model = this.current!;
      const problem = fitProblem(model.info, { name: data.name, rows: data.rows, cols: data.cols, classCount: data.classNames.length });
      if (problem) throw new Error(problem);
      this.evalProgress = { done: 0, total: 1 };
      const { evaluation, modelKey, datasetId } = await this.#ml.client.call('evaluate', null);
      if (modelKey !== this.current?.key || datasetId !== data.id) throw new Error('The model or the dataset changed during the evaluation: evaluate again.');
      const decision = recordDecision(model, data);
      const result: EvaluationResult = {
        evaluation,
        modelKey,
        modelName: model.name,
        datasetId,
        datasetName: data.name,
        classNames: model.classNames,
        recorded: decision.record,
        note: decision.note,
      };
      if (decision.record && model.id) await this.#record(model.id, data, evaluation);
      this.evaluation = result;
      return result;
    } catch (err) {
      this.error = (err as Error).message;
      return null;
    } finally {
      off();
      this.evalProgress = null;
    }
  }

  async #record(id: string, data: DatasetPayload, e: EvaluationResult['evaluation']): Promise<void> {
    const measuredOn = { id: data.id, checksums: { ...data.checksums } };
    await unwrap(this.#api.models.updateMeta(id, { testMetrics: { measuredOn, metrics: { loss: e.loss, acc: e.acc, confusion: e.confusion } } }));
    await this.refresh();
  }

  /** A run's model became the worker's current model (not saved yet). */
  adoptTrained(model: Omit<CurrentModel, 'id' | 'builtIn' | 'pixelScaleAssumed' | 'key'>): void {
    this.#moveTo({ ...model, key: model.info.key, id: null, builtIn: false, pixelScaleAssumed: false });
  }

  /**
   * Saves a run's model from the weights its train call answered (`key`: the worker's key for it).
   * It becomes the active model unless the user chose another one meanwhile.
   */
  async saveTrained(meta: ModelSave['meta'], files: ModelFiles, key: number): Promise<ModelSummary> {
    const saved = await unwrap(this.#api.models.save({ meta, modelJson: files.modelJson, weights: files.weights }));
    if (this.current?.key === key) {
      this.current = { ...this.current, id: saved.id, name: saved.name };
      this.activeId = await unwrap(this.#api.models.setActive(saved.id));
    }
    await this.refresh();
    return saved;
  }

  /** Only forward: a model the worker made current later is never replaced by an earlier one. */
  #moveTo(next: CurrentModel): void {
    if (this.current && next.key < this.current.key) return;
    if (this.current?.key !== next.key) this.evaluation = null;
    this.current = next;
  }

  /** A saved model's files and meta (a run starts from them). */
  artifacts(id: string): Promise<ModelArtifacts> {
    return unwrap(this.#api.models.load(id));
  }

  /** A run's full record (with its epoch history), for the Models view's overlay. */
  runRecord(id: string): Promise<RunRecord> {
    return unwrap(this.#api.runs.get(id));
  }

  async saveRun(run: RunRecord): Promise<void> {
    await unwrap(this.#api.runs.save(run));
    await this.refresh();
  }

  async rename(id: string, name: string): Promise<void> {
    await this.#act(async () => {
      const s = await unwrap(this.#api.models.rename(id, name));
      if (this.current?.id === id) this.current = { ...this.current, name: s.name };
    });
  }

  async remove(id: string): Promise<void> {
    await this.#act(async () => {
      await unwrap(this.#api.models.delete(id));
      if (this.current?.id === id) this.current = { ...this.current, id: null };
    });
  }

  async removeRun(id: string): Promise<void> {
    await this.#act(() => unwrap(this.#api.runs.delete(id)));
  }

  /** Corrects how an imported model takes its pixels; the worker reloads it when it is current. */
  async setPixelScale(id: string, pixelScale: PixelScale): Promise<void> {
    await this.#act(async () => {
      await unwrap(this.#api.models.updateMeta(id, { pixelScale }));
      if (this.current?.id === id && !(await this.use(id))) throw new Error(this.error ?? 'The model could not be reloaded.');
    });
  }

  /** Asks main for a folder and writes the model there; returns the folder or null if cancelled. */
  async exportModel(id: string): Promise<string | null> {
    let folder: string | null = null;
    await this.#act(async () => {
      folder = (await unwrap(this.#api.models.export(id)))?.folder ?? null;
    });
    return folder;
  }

  async importFiles(files: File[]): Promise<ModelSummary | null> {
    let saved: ModelSummary | null = null;
    await this.#act(async () => {
      saved = await unwrap(this.#api.models.import(await readFiles(files)));
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
