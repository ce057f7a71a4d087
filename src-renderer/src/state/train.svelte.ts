// The Train view's state: the network being edited, its hyperparameters, and the run in progress.
// Batch metrics stream to chart listeners directly (not through deep $state) to keep the UI cheap.
import type { Hyperparameters, LayerSpec } from '../../../src-shared/types/train';
import type { EpochMetrics, RunRecord, RunState } from '../../../src-shared/types/run';
import { getPreset, PRESETS, type PresetId } from '../ml/presets';
import { summarize, validateStack } from '../ml/layers';
import type { BatchProgress } from '../ml/trainer';
import type { ModelInfo, TrainOutcome, TrainPhase } from '../worker/protocol';
import { newRunId } from '../lib/train-view';
import { dataset } from './dataset.svelte';
import { ml } from './ml.svelte';
import { models } from './models.svelte';

const clone = <T>(x: T): T => structuredClone($state.snapshot(x) as T);

export class TrainState {
  presetId = $state<PresetId>('report-fixed');
  layers = $state<LayerSpec[]>(clone(getPreset('report-fixed').layers));
  hyper = $state<Hyperparameters>(clone(getPreset('report-fixed').hyper));
  /** Test images scored after training (0 = all): quick looks on slow backends. */
  testLimit = $state(0);

  phase = $state<TrainPhase>('idle');
  progress = $state.raw<BatchProgress | null>(null);
  history = $state.raw<EpochMetrics[]>([]);
  outcome = $state.raw<TrainOutcome | null>(null);
  savedModelId = $state<string | null>(null);
  error = $state<string | null>(null);
  startedAt = $state<number | null>(null);
  /** Live tensors in the worker after each epoch: must stay flat (no leak). */
  memory = $state.raw<{ epoch: number; numTensors: number; numBytes: number }[]>([]);

  readonly summary = $derived(summarize(this.layers));
  /** Checked against the selected dataset: its image size and its number of classes. */
  readonly problems = $derived(
    validateStack(this.layers, {
      inputShape: [dataset.data?.rows ?? 28, dataset.data?.cols ?? 28, 1],
      classes: dataset.data?.classNames.length ?? 10,
    }),
  );
  readonly edited = $derived(JSON.stringify(this.layers) !== JSON.stringify(getPreset(this.presetId).layers));
  readonly running = $derived(this.phase !== 'idle');
  readonly preset = $derived(getPreset(this.presetId));

  #batchListeners = new Set<(p: BatchProgress) => void>();
  #runStartListeners = new Set<() => void>();

  get presets() {
    return PRESETS;
  }

  choosePreset(id: PresetId): void {
    if (this.running) return;
    this.presetId = id;
    this.layers = clone(getPreset(id).layers);
    this.hyper = { ...clone(getPreset(id).hyper), limit: this.hyper.limit };
  }

  resetLayers(): void {
    this.layers = clone(getPreset(this.presetId).layers);
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
    if (this.running || this.problems.length > 0) return;
    this.error = null;
    this.outcome = null;
    this.savedModelId = null;
    this.history = [];
    this.progress = null;
    this.memory = [];
    this.phase = 'preparing';
    this.startedAt = Date.now();
    for (const fn of this.#runStartListeners) fn();
    void askNotificationPermission();

    const layers = clone(this.layers);
    const hyper = clone(this.hyper);
    const presetName = this.edited ? `${this.preset.name} (custom)` : this.preset.name;
    const startedAt = new Date().toISOString();
    const runId = newRunId();
    // Filled by worker events (closures), so not a narrowed local.
    const latest: { model: ModelInfo | null; progress: BatchProgress | null } = { model: null, progress: null };
    const offs = [
      ml.client.on('phase', ({ phase }) => (this.phase = phase === 'idle' ? 'testing' : phase)),
      ml.client.on('batch', (p) => {
        this.progress = p;
        latest.progress = p;
        for (const fn of this.#batchListeners) fn(p);
      }),
      ml.client.on('epoch', ({ numTensors, numBytes, ...e }) => {
        this.history = [...this.history, e];
        this.memory = [...this.memory, { epoch: e.epoch, numTensors, numBytes }];
      }),
      ml.client.on('model', (info) => (latest.model = info)),
    ];

    let state: RunState = 'failed';
    let outcome: TrainOutcome | null = null;
    let error: string | undefined;
    try {
      await ml.ensureData();
      outcome = await ml.client.call('train', { layers, hyper, testLimit: this.testLimit });
      this.outcome = outcome;
      state = outcome.state;
      this.history = outcome.history;
      if (latest.model) models.trainedModelIsCurrent(presetName, latest.model);
      const saved = await models.saveTrained({
        name: `${presetName} · ${(outcome.test.acc * 100).toFixed(1)}%`,
        preset: this.edited ? 'custom' : this.presetId,
        layers,
        hyper,
        history: outcome.history,
        testMetrics: outcome.test,
        backend: outcome.backend,
        trainingMs: outcome.trainingMs,
        dataset: { id: dataset.data?.id ?? '', name: dataset.data?.name ?? '', checksums: { ...(dataset.data?.checksums ?? {}) } },
        classNames: [...(dataset.data?.classNames ?? [])],
        inputShape: [dataset.data?.rows ?? 0, dataset.data?.cols ?? 0, 1],
        params: outcome.params,
      });
      this.savedModelId = saved.id;
    } catch (err) {
      error = (err as Error).message;
      this.error = error;
    } finally {
      for (const off of offs) off();
      this.phase = 'idle';
    }

    const run: RunRecord = {
      id: runId,
      name: presetName,
      preset: this.edited ? 'custom' : this.presetId,
      layers,
      hyper,
      backend: outcome?.backend ?? ml.backend?.name ?? 'unknown',
      startedAt,
      endedAt: new Date().toISOString(),
      state,
      history: outcome?.history ?? this.history,
      bestEpoch: outcome?.bestEpoch ?? null,
      testMetrics: outcome?.test ?? null,
      imagesPerSecond: outcome?.imagesPerSecond ?? latest.progress?.imagesPerSecond ?? 0,
      modelId: this.savedModelId,
      ...(error ? { error: error.slice(0, 2000) } : {}),
    };
    try {
      await models.saveRun(run);
    } catch (err) {
      this.error = `${this.error ? `${this.error} — ` : ''}The run could not be recorded: ${(err as Error).message}`;
    }
    notifyDone(presetName, outcome, error);
  }

  pause(): void {
    void ml.client.call('pause', null);
  }
  resume(): void {
    void ml.client.call('resume', null);
  }
  stop(): void {
    void ml.client.call('stop', null);
  }
}

async function askNotificationPermission(): Promise<void> {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') {
    try {
      await Notification.requestPermission();
    } catch {
      // not granted: no notification, nothing else changes
    }
  }
}

/** Tells the user a run ended when the window is in the background. */
function notifyDone(name: string, outcome: TrainOutcome | null, error?: string): void {
  if (typeof document === 'undefined' || !document.hidden) return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const body = outcome ? `Test accuracy ${(outcome.test.acc * 100).toFixed(2)}% after ${outcome.history.length} epochs` : `Failed: ${error}`;
  new Notification(`Tailor: ${name} finished`, { body, silent: false });
}

export const train = new TrainState();
