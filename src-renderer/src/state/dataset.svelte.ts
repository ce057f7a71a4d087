// The dataset as app state: its status from main, the pixels once loaded (kept out of deep
// reactivity: 55 MB in $state.raw), and download/import actions with their progress.
import type { DatasetPayload, DatasetStatus, DownloadProgress } from '../../../src-shared/types/dataset';
import { tailor, unwrap } from '../lib/api';

export const DEFAULT_DATASET = 'fashion-mnist';

export class DatasetState {
  statuses = $state.raw<DatasetStatus[]>([]);
  selectedId = $state(DEFAULT_DATASET);
  data = $state.raw<DatasetPayload | null>(null);
  loading = $state(false);
  loadMs = $state<number | null>(null);
  error = $state<string | null>(null);
  progress = $state.raw<DownloadProgress | null>(null);
  #unsubscribe: (() => void) | null = null;
  #pending: Promise<DatasetPayload | null> | null = null;

  get status(): DatasetStatus | null {
    return this.statuses.find((s) => s.id === this.selectedId) ?? null;
  }

  async refresh(): Promise<void> {
    try {
      this.statuses = await unwrap(tailor.datasets.list());
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Loads the selected dataset's pixels once (concurrent callers share the request). */
  ensureLoaded(): Promise<DatasetPayload | null> {
    if (this.data?.id === this.selectedId) return Promise.resolve(this.data);
    this.#pending ??= this.#load().finally(() => (this.#pending = null));
    return this.#pending;
  }

  async #load(): Promise<DatasetPayload | null> {
    this.loading = true;
    this.error = null;
    const t0 = performance.now();
    try {
      const payload = await unwrap(tailor.datasets.load(this.selectedId));
      this.data = payload;
      this.loadMs = performance.now() - t0;
      await this.refresh();
      return payload;
    } catch (err) {
      this.error = (err as Error).message;
      await this.refresh();
      return null;
    } finally {
      this.loading = false;
    }
  }

  async select(id: string): Promise<void> {
    if (id === this.selectedId) return;
    this.selectedId = id;
    this.data = null;
    await this.ensureLoaded();
  }

  async download(): Promise<void> {
    this.#unsubscribe ??= tailor.on('datasets:progress', (p) => {
      if (p.id === this.selectedId) this.progress = p;
    });
    await this.#changeFiles(async () => {
      await unwrap(tailor.datasets.download(this.selectedId));
      this.progress = null;
    });
  }

  async cancelDownload(): Promise<void> {
    await tailor.datasets.cancelDownload(this.selectedId);
  }

  /** Imports IDX files (gz or raw) the user picked or dropped, as bytes. */
  async importFiles(files: File[], id = this.selectedId, name?: string, classNames?: string[]): Promise<void> {
    await this.#changeFiles(async () => {
      const payload = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      await unwrap(tailor.datasets.import({ id, files: payload, ...(name ? { name } : {}), ...(classNames ? { classNames } : {}) }));
      this.selectedId = id;
    });
  }

  /** Runs a change of the dataset's files, then reloads the pixels and the statuses. */
  async #changeFiles(change: () => Promise<void>): Promise<void> {
    this.error = null;
    try {
      await change();
      this.data = null;
      await this.ensureLoaded();
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      await this.refresh();
    }
  }
}

export const dataset = new DatasetState();
