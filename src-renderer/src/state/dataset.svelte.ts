// The dataset as app state: its status from main, the pixels once loaded (kept out of deep
// reactivity: 55 MB in $state.raw), and download/import actions with their progress. While a run
// trains on the selected dataset it is locked: it cannot be switched, replaced or re-downloaded.
import type { TailorApi } from '../../../src-shared/contract';
import type { DatasetPayload, DatasetStatus, DownloadProgress } from '../../../src-shared/types/dataset';
import { readFiles } from '../browser/files';
import { unwrap } from '../api/result';

export const DEFAULT_DATASET = 'fashion-mnist';

export type DatasetApi = Pick<TailorApi, 'datasets' | 'on'>;

export class DatasetState {
  statuses = $state.raw<DatasetStatus[]>([]);
  selectedId = $state(DEFAULT_DATASET);
  data = $state.raw<DatasetPayload | null>(null);
  loading = $state(false);
  loadMs = $state<number | null>(null);
  error = $state<string | null>(null);
  progress = $state.raw<DownloadProgress | null>(null);
  /** Why the selected dataset cannot change now (a run trains on it), or null. */
  lockedBy = $state<string | null>(null);
  readonly #api: DatasetApi;
  #unsubscribe: (() => void) | null = null;
  /** The load in flight, and the dataset it is for. */
  #pending: { id: string; done: Promise<DatasetPayload | null> } | null = null;

  constructor(api: DatasetApi) {
    this.#api = api;
  }

  get status(): DatasetStatus | null {
    return this.statuses.find((s) => s.id === this.selectedId) ?? null;
  }

  async refresh(): Promise<void> {
    try {
      this.statuses = await unwrap(this.#api.datasets.list());
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /**
   * Loads the selected dataset's pixels once (concurrent callers share the request). A load that
   * another selection overtook (Fashion-MNIST still loading at start-up when an import selects its
   * new set) never shows its pixels: its callers get the selected dataset's.
   */
  ensureLoaded(): Promise<DatasetPayload | null> {
    const id = this.selectedId;
    if (this.data?.id === id) return Promise.resolve(this.data);
    if (this.#pending?.id !== id) {
      const pending = {
        id,
        done: this.#load(id).finally(() => {
          if (this.#pending === pending) this.#pending = null;
        }),
      };
      this.#pending = pending;
    }
    return this.#pending.done;
  }

  async #load(id: string): Promise<DatasetPayload | null> {
    this.loading = true;
    this.error = null;
    const t0 = performance.now();
    try {
      const payload = await unwrap(this.#api.datasets.load(id));
      if (id !== this.selectedId) return this.ensureLoaded();
      this.data = payload;
      this.loadMs = performance.now() - t0;
      await this.refresh();
      return payload;
    } catch (err) {
      if (id !== this.selectedId) return this.ensureLoaded();
      this.error = (err as Error).message;
      await this.refresh();
      return null;
    } finally {
      // Still loading when this load was overtaken by another that is in flight.
      this.loading = this.#pending !== null && this.#pending.id !== id;
    }
  }

  /** Another dataset's pixels, without selecting it (Fashion-MNIST to mix into a fine-tune). */
  async fetch(id: string): Promise<DatasetPayload> {
    if (this.data?.id === id) return this.data;
    return unwrap(this.#api.datasets.load(id));
  }

  async select(id: string): Promise<void> {
    if (id === this.selectedId || this.#refuseWhileLocked()) return;
    this.selectedId = id;
    this.data = null;
    await this.ensureLoaded();
  }

  async download(): Promise<void> {
    if (this.#refuseWhileLocked()) return;
    this.#unsubscribe ??= this.#api.on('datasets:progress', (p) => {
      if (p.id === this.selectedId) this.progress = p;
    });
    await this.#changeFiles(async () => {
      await unwrap(this.#api.datasets.download(this.selectedId));
      this.progress = null;
    });
  }

  /** Asks main to cancel the download; a refusal or a failure is shown, not dropped. */
  async cancelDownload(): Promise<void> {
    try {
      // false: no download was running any more (it had just ended); nothing to report.
      await unwrap(this.#api.datasets.cancelDownload(this.selectedId));
    } catch (err) {
      this.error = `The download could not be cancelled: ${(err as Error).message}`;
    }
  }

  /** Imports IDX files (gz or raw) the user picked or dropped, as bytes. */
  async importFiles(files: File[], id = this.selectedId, name?: string, classNames?: string[]): Promise<void> {
    if (id === this.selectedId && this.#refuseWhileLocked()) return;
    await this.#changeFiles(async () => {
      const payload = await readFiles(files);
      await unwrap(this.#api.datasets.import({ id, files: payload, ...(name ? { name } : {}), ...(classNames ? { classNames } : {}) }));
      if (!this.lockedBy) this.selectedId = id;
    });
  }

  /**
   * Main committed a new version of a dataset made here (a photo import, a removal, a correction):
   * the list is refreshed and the pixels reloaded when it is the selected one. `null`: it is gone.
   */
  async changed(id: string, status: DatasetStatus | null, select = false): Promise<void> {
    await this.refresh();
    if (status === null) {
      if (id === this.selectedId && !this.lockedBy) await this.select(DEFAULT_DATASET);
      return;
    }
    if (select && id !== this.selectedId && !this.lockedBy) return this.select(id);
    if (id === this.selectedId && !this.lockedBy) {
      this.data = null;
      await this.ensureLoaded();
    }
  }

  #refuseWhileLocked(): boolean {
    if (!this.lockedBy) return false;
    this.error = `The dataset cannot change while ${this.lockedBy}.`;
    return true;
  }

  /** Runs a change of the dataset's files, then reloads the pixels and the statuses. */
  async #changeFiles(change: () => Promise<void>): Promise<void> {
    this.error = null;
    try {
      await change();
      if (!this.lockedBy) {
        this.data = null;
        await this.ensureLoaded();
      }
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      await this.refresh();
    }
  }
}
