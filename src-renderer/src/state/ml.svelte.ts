// The ML Worker as app state: which backend runs and why. Views call the worker through `ml.client`.
import type { BackendName } from '../ml/backend-rule';
import { startMlWorker, type MlClient } from '../worker/ml-client';
import type { BackendInfo } from '../worker/protocol';
import { dataset } from './dataset.svelte';

const OVERRIDE_KEY = 'tailor.backend';

function storedOverride(): BackendName | null {
  try {
    const v = localStorage.getItem(OVERRIDE_KEY);
    return v === 'webgpu' || v === 'webgl' || v === 'wasm' || v === 'cpu' ? v : null;
  } catch {
    return null;
  }
}

export class MlState {
  backend = $state.raw<BackendInfo | null>(null);
  override = $state<BackendName | null>(storedOverride());
  error = $state<string | null>(null);
  starting = $state(false);
  #client: MlClient | null = null;
  #dataSent: string | null = null;
  #sending: Promise<void> | null = null;

  get client(): MlClient {
    this.#client ??= startMlWorker();
    return this.#client;
  }

  /** Starts the worker's backend (again, after an override change). */
  async start(): Promise<void> {
    this.starting = true;
    this.error = null;
    try {
      this.backend = await this.client.call('init', { override: this.override });
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.starting = false;
    }
  }

  /**
   * Sends the dataset's pixels to the worker once. The worker gets copies (transferred, so no
   * second copy is kept in flight): the UI keeps its own for galleries and sample grids.
   */
  async ensureData(): Promise<void> {
    const data = await dataset.ensureLoaded();
    if (!data) throw new Error(dataset.error ?? 'The dataset is not available.');
    if (this.#dataSent === data.id) return;
    this.#sending ??= (async () => {
      const copy = {
        id: data.id,
        rows: data.rows,
        cols: data.cols,
        classCount: data.classNames.length,
        trainImages: data.train.images.slice(),
        trainLabels: data.train.labels.slice(),
        testImages: data.test.images.slice(),
        testLabels: data.test.labels.slice(),
      };
      await this.client.call('setData', copy, [copy.trainImages.buffer, copy.trainLabels.buffer, copy.testImages.buffer, copy.testLabels.buffer]);
      this.#dataSent = data.id;
    })().finally(() => (this.#sending = null));
    await this.#sending;
  }

  async setOverride(name: BackendName | null): Promise<void> {
    this.override = name;
    try {
      if (name) localStorage.setItem(OVERRIDE_KEY, name);
      else localStorage.removeItem(OVERRIDE_KEY);
    } catch {
      // not persisted; still applies now
    }
    await this.start();
  }
}

export const ml = new MlState();
