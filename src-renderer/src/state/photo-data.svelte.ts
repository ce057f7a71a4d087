// A photo dataset as the Data view shows it: its records, thumbnails and 28×28s from main
// (photos:get), and removing photos from it (photos:remove), after which the dataset's pixels are
// loaded again wherever they were.
import type { TailorApi } from '../../../src-shared/contract';
import type { DatasetStatus } from '../../../src-shared/types/dataset';
import type { PhotoDatasetView } from '../../../src-shared/types/photo-dataset';
import { unwrap } from '../api/result';

export interface PhotoDataDeps {
  api: Pick<TailorApi, 'photos'>;
  /** Main changed a dataset's files (a removal): the dataset state reloads it. */
  changed: (id: string, status: DatasetStatus | null) => Promise<void> | void;
}

export class PhotoDataState {
  view = $state.raw<PhotoDatasetView | null>(null);
  loading = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);
  readonly #deps: PhotoDataDeps;
  #asked = 0;

  constructor(deps: PhotoDataDeps) {
    this.#deps = deps;
  }

  /** Loads a dataset's records (null forgets them); a later call wins over an earlier one still running. */
  async show(id: string | null): Promise<void> {
    const asked = ++this.#asked;
    this.error = null;
    if (id === null) {
      this.view = null;
      return;
    }
    this.loading = true;
    try {
      const view = await unwrap(this.#deps.api.photos.get(id));
      if (asked === this.#asked) this.view = view;
    } catch (err) {
      if (asked === this.#asked) {
        this.view = null;
        this.error = (err as Error).message;
      }
    } finally {
      if (asked === this.#asked) this.loading = false;
    }
  }

  /** The thumbnail of a record as its own bytes (for a Blob URL), or null. */
  thumbOf(thumb: [number, number] | null): Uint8Array | null {
    if (!thumb || !this.view) return null;
    return this.view.thumbs.slice(thumb[0], thumb[0] + thumb[1]);
  }

  /** Removes photos by content hash; the dataset goes when its last training photo does. */
  async remove(hashes: readonly string[]): Promise<void> {
    const id = this.view?.id;
    if (!id || hashes.length === 0) return;
    this.busy = true;
    this.error = null;
    try {
      const status = await unwrap(this.#deps.api.photos.remove(id, [...hashes]));
      await this.#deps.changed(id, status);
      await this.show(status ? id : null);
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.busy = false;
    }
  }
}
