// The Train view's state: the network being edited, its hyperparameters, and the run in progress.
// A run is four steps — run (train in the worker), saveModel, recordRun, notify — on a plan fixed
// when it starts, dataset included: the dataset is locked until the run ends, and the model and
// the run record the dataset the run trained on, whatever is selected later.
// Batch metrics stream to chart listeners directly (not through deep $state) to keep the UI cheap.
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { EpochMetrics, RunRecord, RunState } from '../../../src-shared/types/run';
import type { Hyperparameters, LayerSpec } from '../../../src-shared/types/train';
import { summarize, validateStack, type InputShape } from '../ml/layers';
import { withClasses } from '../ml/output-layer';
import { getPreset, PRESETS, type PresetId } from '../ml/presets';
import type { BatchProgress } from '../ml/trainer';
import { browserNotifier, type Notifier } from '../lib/notify';
import { newRunId } from '../lib/train-view';
import type { MlClient } from '../worker/ml-client';
import type { TrainPhase, TrainReply } from '../worker/protocol';
import { datasetRefOf } from './current-model';
import type { ModelsState } from './models.svelte';

const clone = <T>(x: T): T => structuredClone($state.snapshot(x) as T);

/** The worker's phases, and saving: the worker is done, main is writing the model. */
export type RunPhase = TrainPhase | 'saving';

export interface TrainDeps {
  ml: { readonly client: Pick<MlClient, 'call' | 'on'>; ensureData(): Promise<DatasetPayload> };
  models: Pick<ModelsState, 'adoptTrained' | 'saveTrained' | 'saveRun'>;
  dataset: { readonly data: DatasetPayload | null; lockedBy: string | null };
  notifier?: Notifier;
  newRunId?: () => string;
}

/** Everything a run is, fixed when it starts. */
interface RunPlan {
  id: string;
  name: string;
  preset: string;
  layers: LayerSpec[];
  hyper: Hyperparameters;
  testLimit: number;
  startedAt: string;
  data: DatasetPayload;
}

/** How a run ended: the worker's reply if training finished, and the first error if any. */
interface RunEnd {
  state: RunState;
  reply: TrainReply | null;
  error: string | null;
  lastProgress: BatchProgress | null;
}

export class TrainState {
  presetId = $state<PresetId>('report-fixed');
  layers = $state<LayerSpec[]>(clone(getPreset('report-fixed').layers));
  hyper = $state<Hyperparameters>(clone(getPreset('report-fixed').hyper));
  /** Test images scored after training (0 = all): quick looks on slow backends. */
  testLimit = $state(0);

  phase = $state<RunPhase>('idle');
  progress = $state.raw<BatchProgress | null>(null);
  history = $state.raw<EpochMetrics[]>([]);
  outcome = $state.raw<TrainReply | null>(null);
  savedModelId = $state<string | null>(null);
  error = $state<string | null>(null);
  /** Live tensors in the worker after each epoch: must stay flat (no leak). */
  memory = $state.raw<{ epoch: number; numTensors: number; numBytes: number }[]>([]);

  readonly #deps: Required<TrainDeps>;
  #batchListeners = new Set<(p: BatchProgress) => void>();
  #runStartListeners = new Set<() => void>();

  constructor(deps: TrainDeps) {
    this.#deps = { notifier: browserNotifier, newRunId: () => newRunId(), ...deps };
  }

  /** The selected dataset's image shape and class count: what the network is built for. */
  readonly inputShape = $derived.by<InputShape>(() => [this.#deps.dataset.data?.rows ?? 28, this.#deps.dataset.data?.cols ?? 28, 1]);
  readonly classes = $derived.by(() => this.#deps.dataset.data?.classNames.length ?? 10);
  readonly summary = $derived(summarize(this.layers, this.inputShape));
  readonly problems = $derived(validateStack(this.layers, { inputShape: this.inputShape, classes: this.classes }));
  readonly preset = $derived(getPreset(this.presetId));
  readonly edited = $derived(JSON.stringify(this.layers) !== JSON.stringify(withClasses(this.preset.layers, this.classes)));
  readonly running = $derived(this.phase !== 'idle');

  get presets() {
    return PRESETS;
  }

  choosePreset(id: PresetId): void {
    if (this.running) return;
    this.presetId = id;
    this.layers = withClasses(clone(getPreset(id).layers), this.classes);
    this.hyper = { ...clone(getPreset(id).hyper), limit: this.hyper.limit };
  }

  resetLayers(): void {
    this.layers = withClasses(clone(getPreset(this.presetId).layers), this.classes);
  }

  /** Sizes the output layer for the selected dataset's classes (the view calls it when they change). */
  fitOutput(): void {
    if (this.running) return;
    const fitted = withClasses(this.layers, this.classes);
    if (fitted[fitted.length - 1] !== this.layers[this.layers.length - 1]) this.layers = fitted;
  }

  onBatch(fn: (p: BatchProgress) => void): () => void {
    this.#batchListeners.add(fn);
    return () => this.#batchListeners.delete(fn);
  }

  onRunStart(fn: () => void): () => void {
    this.#runStartListeners.add(fn);
    return () => this.#runStartListeners.delete(fn);
  }

  async start(): Promise<void> {
    const data = this.#deps.dataset.data;
    if (this.running || this.problems.length > 0 || !data) return;
    const plan = this.#begin(data);
    const end = await this.#run(plan);
    await this.#recordRun(plan, end);
    this.#notify(plan, end);
  }

  /** Fixes the plan, clears the last run from view and locks the dataset. */
  #begin(data: DatasetPayload): RunPlan {
    this.error = null;
    this.outcome = null;
    this.savedModelId = null;
    this.history = [];
    this.progress = null;
    this.memory = [];
    this.phase = 'preparing';
    this.#deps.dataset.lockedBy = 'a run trains on it';
    for (const fn of this.#runStartListeners) fn();
    void this.#deps.notifier.ask();
    return {
      id: this.#deps.newRunId(),
      name: this.edited ? `${this.preset.name} (custom)` : this.preset.name,
      preset: this.edited ? 'custom' : this.presetId,
      layers: clone(this.layers),
      hyper: clone(this.hyper),
      testLimit: this.testLimit,
      startedAt: new Date().toISOString(),
      data,
    };
  }

  /** Trains in the worker, then saves the model it answered; never throws. */
  async #run(plan: RunPlan): Promise<RunEnd> {
    const end: RunEnd = { state: 'failed', reply: null, error: null, lastProgress: null };
    const offs = this.#listen(end);
    try {
      const sent = await this.#deps.ml.ensureData();
      if (sent.id !== plan.data.id) throw new Error(`The worker holds ${sent.name}, not ${plan.data.name}: start the run again.`);
      const reply = await this.#deps.ml.client.call('train', { layers: plan.layers, hyper: plan.hyper, testLimit: plan.testLimit, datasetId: plan.data.id });
      end.reply = reply;
      end.state = reply.state;
      this.outcome = reply;
      this.history = reply.history;
      this.#deps.models.adoptTrained({ name: plan.name, info: reply.info, classNames: [...plan.data.classNames], dataset: datasetRefOf(plan.data) });
      this.phase = 'saving';
      this.savedModelId = await this.#saveModel(plan, reply);
    } catch (err) {
      end.error = (err as Error).message;
      this.error = end.error;
    } finally {
      for (const off of offs) off();
      this.#deps.dataset.lockedBy = null;
      this.phase = 'idle';
    }
    return end;
  }

  #listen(end: RunEnd): (() => void)[] {
    const { client } = this.#deps.ml;
    return [
      // The worker says idle when its part is done; the run is not over until the model is saved.
      client.on('phase', ({ phase }) => (this.phase = phase === 'idle' ? 'saving' : phase)),
      client.on('batch', (p) => {
        this.progress = p;
        end.lastProgress = p;
        for (const fn of this.#batchListeners) fn(p);
      }),
      client.on('epoch', ({ numTensors, numBytes, ...e }) => {
        this.history = [...this.history, e];
        this.memory = [...this.memory, { epoch: e.epoch, numTensors, numBytes }];
      }),
    ];
  }

  /** Saves exactly the weights the train call answered, with the dataset captured at the start. */
  async #saveModel(plan: RunPlan, reply: TrainReply): Promise<string> {
    const { data } = plan;
    const meta = {
      name: `${plan.name} · ${(reply.test.acc * 100).toFixed(1)}%`,
      preset: plan.preset,
      layers: plan.layers,
      hyper: plan.hyper,
      history: reply.history,
      testMetrics: reply.test,
      backend: reply.backend,
      trainingMs: reply.trainingMs,
      dataset: datasetRefOf(data),
      classNames: [...data.classNames],
      inputShape: [data.rows, data.cols, 1] as [number, number, 1],
      params: reply.params,
    };
    return (await this.#deps.models.saveTrained(meta, reply.model, reply.info.key)).id;
  }

  /** Records the run, even a failed one; a failure to record is added to the error shown. */
  async #recordRun(plan: RunPlan, end: RunEnd): Promise<void> {
    const { reply } = end;
    const run: RunRecord = {
      id: plan.id,
      name: plan.name,
      preset: plan.preset,
      layers: plan.layers,
      hyper: plan.hyper,
      dataset: datasetRefOf(plan.data),
      backend: reply?.backend ?? 'unknown',
      startedAt: plan.startedAt,
      endedAt: new Date().toISOString(),
      state: end.state,
      history: reply?.history ?? this.history,
      bestEpoch: reply?.bestEpoch ?? null,
      testMetrics: reply?.test ?? null,
      imagesPerSecond: reply?.imagesPerSecond ?? end.lastProgress?.imagesPerSecond ?? 0,
      modelId: this.savedModelId,
      ...(end.error ? { error: end.error.slice(0, 2000) } : {}),
    };
    try {
      await this.#deps.models.saveRun(run);
    } catch (err) {
      this.error = `${this.error ? `${this.error} — ` : ''}The run could not be recorded: ${(err as Error).message}`;
    }
  }

  #notify(plan: RunPlan, { reply, error }: RunEnd): void {
    const body = reply ? `Test accuracy ${(reply.test.acc * 100).toFixed(2)}% after ${reply.history.length} epochs` : `Failed: ${error}`;
    this.#deps.notifier.inBackground(`Tailor: ${plan.name} finished`, body);
  }

  /** Pause, resume and stop reach the worker; a failure shows as the run's error, not silence. */
  pause(): Promise<void> {
    return this.#control('pause');
  }
  resume(): Promise<void> {
    return this.#control('resume');
  }
  stop(): Promise<void> {
    return this.#control('stop');
  }

  async #control(action: 'pause' | 'resume' | 'stop'): Promise<void> {
    try {
      const reached = await this.#deps.ml.client.call(action, null);
      if (!reached && this.running) this.error = `Could not ${action}: the run is not training at this moment (it is ${this.phase}).`;
    } catch (err) {
      this.error = `Could not ${action} the run: ${(err as Error).message}`;
    }
  }
}
