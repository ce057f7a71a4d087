// The ML Worker as app state: which backend runs and why, and which dataset the worker holds.
// Views call the worker through `ml.client`.
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { BackendName } from '../ml/backend-rule';
import type { MlClient } from '../worker/ml-client';
import type { BackendInfo } from '../worker/protocol';

const OVERRIDE_KEY = 'tailor.backend';

/** The part of localStorage the backend choice needs (absent or throwing: not persisted). */
export type Prefs = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface MlStateDeps {
  /** Starts the worker (once, on first use). */
  start: () => MlClient;
  dataset: { ensureLoaded(): Promise<DatasetPayload | null>; readonly error: string | null };
  prefs?: Prefs | null;
}

function storedOverride(prefs: Prefs | null | undefined): BackendName | null {
  try {
    const v = prefs?.getItem(OVERRIDE_KEY) ?? null;
    return v === 'webgpu' || v === 'webgl' || v === 'wasm' || v === 'cpu' ? v : null;
  } catch {
    return null;
  }
}

export class MlState {
  backend = $state.raw<BackendInfo | null>(null);
  override = $state<BackendName | null>(null);
  error = $state<string | null>(null);
  starting = $state(false);
  readonly #deps: MlStateDeps;
  #client: MlClient | null = null;
  #sent: DatasetPayload | null = null;
  #sending: Promise<DatasetPayload> | null = null;

  constructor(deps: MlStateDeps) {
    this.#deps = deps;
    this.override = storedOverride(deps.prefs);
  }

  get client(): MlClient {
    this.#client ??= this.#deps.start();
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
   * Sends the selected dataset's pixels to the worker once, and answers the dataset the worker
   * then holds. The worker gets copies (transferred, so no second copy is kept in flight): the UI
   * keeps its own for galleries and sample grids.
   */
  async ensureData(): Promise<DatasetPayload> {
    const data = await this.#deps.dataset.ensureLoaded();
    if (!data) throw new Error(this.#deps.dataset.error ?? 'The dataset is not available.');
    if (this.#sent === data) return data;
    // One send at a time; a caller that wanted another dataset sends it after.
    while (this.#sending) await this.#sending.catch(() => undefined);
    if (this.#sent === data) return data;
    this.#sending = this.#send(data).finally(() => (this.#sending = null));
    return this.#sending;
  }

  async #send(data: DatasetPayload): Promise<DatasetPayload> {
    const copy = {
      id: data.id,
      name: data.name,
      rows: data.rows,
      cols: data.cols,
      classCount: data.classNames.length,
      trainImages: data.train.images.slice(),
      trainLabels: data.train.labels.slice(),
      testImages: data.test.images.slice(),
      testLabels: data.test.labels.slice(),
    };
    await this.client.call('setData', copy, [copy.trainImages.buffer, copy.trainLabels.buffer, copy.testImages.buffer, copy.testLabels.buffer]);
    this.#sent = data;
    return data;
  }

  async setOverride(name: BackendName | null): Promise<void> {
    this.override = name;
    try {
      if (name) this.#deps.prefs?.setItem(OVERRIDE_KEY, name);
      else this.#deps.prefs?.removeItem(OVERRIDE_KEY);
    } catch {
      // not persisted; still applies now
    }
    await this.start();
  }
}
