// The Train view's state: the network being edited, its hyperparameters, and the run in progress.
// A run is four steps — run (train in the worker), saveModel, recordRun, notify — on a plan fixed
// when it starts, dataset included: the dataset is locked until the run ends, and the model and
// the run record the dataset the run trained on, whatever is selected later.
// Batch metrics stream to chart listeners directly (not through deep $state) to keep the UI cheap.
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { ModelSummary } from '../../../src-shared/types/model';
import type { EpochMetrics } from '../../../src-shared/types/run';
import type { Hyperparameters, LayerSpec } from '../../../src-shared/types/train';
import { summarize, validateStack, type InputShape } from '../ml/layers';
import { withClasses } from '../ml/output-layer';
import { getPreset, PRESETS, type PresetId } from '../ml/presets';
import { referenceFor } from '../ml/report-reference';
import type { BatchProgress } from '../ml/trainer';
import { browserNotifier, type Notifier } from '../browser/notify';
import { newRunId } from '../view-logic/train-view';
import { DEFAULT_FINE_TUNE, fineTuneDefaults, fineTunedName, fineTuneHyper, headKeptFor, MIX_RATIO, mixFrom } from '../view-logic/fine-tune';
import type { FineTune } from '../ml/fine-tune';
import type { MlClient } from '../worker/ml-client';
import type { MixRequest, TrainPhase, TrainReply } from '../worker/protocol';
import { datasetRefOf } from './current-model';
import { requestOf, runRecordOf, savedMetaOf, type RunEnd, type RunPlan } from './train-plan';
import type { ModelsState } from './models.svelte';

const clone = <T>(x: T): T => structuredClone($state.snapshot(x) as T);

/** The worker's phases, and saving: the worker is done, main is writing the model. */
export type RunPhase = TrainPhase | 'saving';

export interface TrainDeps {
  ml: { readonly client: Pick<MlClient, 'call' | 'on'>; ensureData(): Promise<DatasetPayload> };
  models: Pick<ModelsState, 'adoptTrained' | 'saveTrained' | 'saveRun' | 'artifacts'> & { readonly list: readonly ModelSummary[] };
  /** `fetch` loads another dataset (Fashion-MNIST to mix in) without selecting it. */
  dataset: { readonly data: DatasetPayload | null; lockedBy: string | null; fetch(id: string): Promise<DatasetPayload> };
  notifier?: Notifier;
  newRunId?: () => string;
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
  #runValidates = $state(true);
  outcome = $state.raw<TrainReply | null>(null);
  savedModelId = $state<string | null>(null);
  error = $state<string | null>(null);
  /** Live tensors in the worker after each epoch: must stay flat (no leak). */
  memory = $state.raw<{ epoch: number; numTensors: number; numBytes: number }[]>([]);
  /** The preset of the run whose curves are in view (running or last); null before the first run. */
  runPreset = $state<string | null>(null);
  /** A saved model to start from (fine-tune) instead of fresh weights; null: from scratch. */
  startFromId = $state<string | null>(null);
  /** Frozen first layers and the kept layers' learning-rate factor, with a start-from model. */
  fineTune = $state<FineTune>({ ...DEFAULT_FINE_TUNE });
  /**
   * A dataset whose training images (of the classes the run shares, by name) join every epoch of a
   * fine-tune, `mixRatio` per training image, so what the model knew is not forgotten: Fashion-MNIST
   * under a photo set, or a model's own dataset when it is taught its corrections. null: none.
   */
  mixWith = $state<string | null>(null);
  mixRatio = $state(MIX_RATIO);

  readonly #deps: Required<TrainDeps>;
  #batchListeners = new Set<(p: BatchProgress) => void>();
  #runStartListeners = new Set<() => void>();

  constructor(deps: TrainDeps) {
    this.#deps = { notifier: browserNotifier, newRunId: () => newRunId(), ...deps };
  }

  /** The selected dataset's image shape and class count: what the network is built for. */
  readonly inputShape = $derived.by<InputShape>(() => [this.#deps.dataset.data?.rows ?? 28, this.#deps.dataset.data?.cols ?? 28, 1]);
  readonly classes = $derived.by(() => this.#deps.dataset.data?.classNames.length ?? 10);
  /** The saved model a run starts from, as listed. */
  readonly baseModel = $derived.by(() => (this.startFromId ? (this.#deps.models.list.find((m) => m.id === this.startFromId) ?? null) : null));
  /** Whether its output layer is kept: the dataset's classes are its own, in order. */
  readonly headKept = $derived.by(() => {
    const data = this.#deps.dataset.data;
    return this.baseModel && data ? headKeptFor(this.baseModel.classNames, data.classNames) : false;
  });
  /** The network a run trains: the base model's (output sized for the dataset) or the editor's. */
  readonly runLayers = $derived(this.baseModel ? withClasses(this.baseModel.layers, this.classes) : this.layers);
  readonly summary = $derived(summarize(this.runLayers, this.inputShape));
  readonly problems = $derived(
    this.startFromId && !this.baseModel ? [{ index: -1, message: 'The model to start from is no longer there: pick another one.' }] : this.baseModel ? [] : validateStack(this.layers, { inputShape: this.inputShape, classes: this.classes }),
  );
  readonly preset = $derived(getPreset(this.presetId));
  readonly edited = $derived(JSON.stringify(this.layers) !== JSON.stringify(withClasses(this.preset.layers, this.classes)));
  readonly running = $derived(this.phase !== 'idle');
  /**
   * Whether the run in view (or, before one, the run the form describes) holds out validation
   * images: a fine-tune on photos does not (the set's held-out photos score it), so its chart has
   * no validation curves.
   */
  readonly validates = $derived(this.running || this.history.length > 0 ? this.#runValidates : this.hyper.validationSplit > 0);
  /** A published curve to show beside the epochs in view: the run's preset's, or before any run the selection's. */
  readonly reference = $derived(referenceFor(this.runPreset ?? (this.edited ? 'custom' : this.presetId)));

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

  /**
   * Starts runs from a saved model (null: from scratch). A model gets the fine-tune recipe: its
   * pixel scale, photo augmentation, and the epochs and rate measured for a new or a kept output layer.
   */
  startFrom(id: string | null): void {
    if (this.running) return;
    this.startFromId = id;
    const base = this.baseModel;
    if (!base) return;
    const kept = this.#deps.dataset.data ? headKeptFor(base.classNames, this.#deps.dataset.data.classNames) : false;
    this.hyper = fineTuneHyper(kept, base.hyper.pixelScale, this.hyper.seed);
    this.fineTune = fineTuneDefaults(kept);
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
    const plan = await this.#begin(data);
    if (!plan) return;
    const end = await this.#run(plan);
    await this.#recordRun(plan, end);
    this.#notify(plan, end);
  }

  /** Fixes the plan, clears the last run from view and locks the dataset; null when the plan could not be made. */
  async #begin(data: DatasetPayload): Promise<RunPlan | null> {
    this.error = null;
    let from: RunPlan['from'] = null;
    let mix: MixRequest | null = null;
    try {
      if (this.startFromId) from = { model: await this.#deps.models.artifacts(this.startFromId), fineTune: clone(this.fineTune) };
      if (from && this.mixWith) mix = mixFrom(await this.#deps.dataset.fetch(this.mixWith), data.classNames, this.mixRatio);
    } catch (err) {
      this.error = (err as Error).message;
      return null;
    }
    this.outcome = null;
    this.savedModelId = null;
    this.history = [];
    this.#runValidates = this.hyper.validationSplit > 0;
    this.progress = null;
    this.memory = [];
    this.phase = 'preparing';
    this.#deps.dataset.lockedBy = 'a run trains on it';
    this.runPreset = from ? 'fine-tune' : this.edited ? 'custom' : this.presetId;
    for (const fn of this.#runStartListeners) fn();
    void this.#deps.notifier.ask();
    const hyper = clone(this.hyper);
    if (from) hyper.pixelScale = from.model.meta.hyper.pixelScale; // a model is fed as it was trained
    return {
      id: this.#deps.newRunId(),
      name: from ? fineTunedName(from.model.meta.name, data.name) : this.edited ? `${this.preset.name} (custom)` : this.preset.name,
      preset: this.runPreset,
      layers: clone(this.runLayers),
      hyper,
      testLimit: this.testLimit,
      startedAt: new Date().toISOString(),
      data,
      from,
      mix,
    };
  }

  /** Trains in the worker, then saves the model it answered; never throws. */
  async #run(plan: RunPlan): Promise<RunEnd> {
    const end: RunEnd = { state: 'failed', reply: null, error: null, lastProgress: null };
    const offs = this.#listen(end);
    try {
      const sent = await this.#deps.ml.ensureData();
      if (sent.id !== plan.data.id) throw new Error(`The worker holds ${sent.name}, not ${plan.data.name}: start the run again.`);
      const { request, transfer } = requestOf(plan);
      const reply = await this.#deps.ml.client.call('train', request, transfer);
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
    return (await this.#deps.models.saveTrained(savedMetaOf(plan, reply), reply.model, reply.info.key)).id;
  }

  /** Records the run, even a failed one; a failure to record is added to the error shown. */
  async #recordRun(plan: RunPlan, end: RunEnd): Promise<void> {
    try {
      await this.#deps.models.saveRun(runRecordOf(plan, end, { history: this.history, modelId: this.savedModelId }));
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
