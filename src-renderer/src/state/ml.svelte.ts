// The ML Worker as app state: which backend runs and why. Views call the worker through `ml.client`.
import type { BackendName } from '../ml/backend-rule';
import { startMlWorker, type WorkerClient } from '../worker/client';
import type { BackendInfo } from '../worker/protocol';

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
  #client: WorkerClient | null = null;

  get client(): WorkerClient {
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
