// Correcting Classify's answers and teaching the model again. A corrected photo (the 28×28 the
// model saw, cut as the user marked it, and a thumbnail) joins the Corrections dataset of the
// model's classes (photos:add, replacing an earlier correction of the same photo); the user
// reviews it in the Data view. "Teach again" fine-tunes the current model on its corrections with
// its own dataset mixed in, and the result becomes the current model. Nothing leaves the machine.
import type { TailorApi } from '../../../src-shared/contract';
import type { DatasetStatus } from '../../../src-shared/types/dataset';
import { unwrap } from '../api/result';
import { correctionsId, teachAgainSettings, teachMixSource } from '../view-logic/fine-tune';
import { toBytes } from '../worker/dataset-photo';
import type { CurrentModel } from './current-model';
import type { TrainState } from './train.svelte';

export interface CorrectionsDeps {
  api: Pick<TailorApi, 'photos'>;
  hash: (blob: Blob) => Promise<string>;
  thumbnail: (blob: Blob) => Promise<Uint8Array | null>;
  models: { readonly current: CurrentModel | null };
  dataset: {
    readonly statuses: readonly DatasetStatus[];
    readonly lockedBy: string | null;
    changed(id: string, status: DatasetStatus | null): Promise<void>;
    select(id: string): Promise<void>;
  };
  train: Pick<TrainState, 'startFrom' | 'start' | 'running' | 'hyper' | 'mixWith' | 'mixRatio' | 'error' | 'savedModelId'>;
}

export class CorrectionsState {
  /**
   * File name → the class it was corrected to in this session, and the 28×28 stored with it: a
   * photo re-cut since then (a new input) shows its correction as kept with the earlier cut.
   */
  corrected = $state.raw<ReadonlyMap<string, { label: string; input: Float32Array }>>(new Map());
  busy = $state(false);
  teaching = $state(false);
  error = $state<string | null>(null);
  readonly #deps: CorrectionsDeps;

  constructor(deps: CorrectionsDeps) {
    this.#deps = deps;
  }

  /** The Corrections dataset of the current model's classes, as main lists it (null: none yet). */
  get status(): DatasetStatus | null {
    const m = this.#deps.models.current;
    return m ? (this.#deps.dataset.statuses.find((s) => s.id === correctionsId(m.classNames)) ?? null) : null;
  }

  /** Why the current model's answers cannot be corrected (null: they can). Photo sets hold 28×28s. */
  get unavailable(): string | null {
    const shape = this.#deps.models.current?.info.inputShape;
    if (!shape) return 'There is no model to correct.';
    return shape[0] === 28 && shape[1] === 28 ? null : `Corrections are kept as 28×28 photos, and this model takes ${shape[0]}×${shape[1]} images.`;
  }

  /** The class a photo was corrected to and whether it was stored with the cut it has now (null: not corrected). */
  correctionOf(name: string, input: Float32Array | null): { label: string; current: boolean } | null {
    const done = this.corrected.get(name);
    return done ? { label: done.label, current: done.input === input } : null;
  }

  /** Photos in it (every one is for training: corrections are few, and all count). */
  get count(): number {
    return this.status?.trainCount ?? 0;
  }

  /** "This is a Shirt": the photo as the model saw it joins the Corrections dataset with that class. */
  async correct(file: { blob: Blob; name: string; input: Float32Array }, classIndex: number): Promise<boolean> {
    const model = this.#deps.models.current;
    const label = model?.classNames[classIndex];
    if (!model || label === undefined) return false;
    if (this.unavailable) return this.#fail(this.unavailable);
    this.busy = true;
    this.error = null;
    try {
      const [hash, thumb] = await Promise.all([this.#deps.hash(file.blob), this.#deps.thumbnail(file.blob)]);
      const id = correctionsId(model.classNames);
      const name = `Corrections for ${model.dataset.name || model.name}`.slice(0, 120);
      const item = { path: file.name.slice(-512), hash, split: 'train' as const, label, image: toBytes(file.input), ...(thumb ? { thumb } : {}) };
      const status = await unwrap(this.#deps.api.photos.add({ id, name, classNames: [...model.classNames], items: [item], replace: true }));
      this.corrected = new Map([...this.corrected, [file.name, { label, input: file.input }]]);
      await this.#deps.dataset.changed(id, status);
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return false;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Fine-tunes the current (saved) model on its corrections, its own dataset mixed in, on the
   * Corrections dataset (selected for the run); the trained model becomes current when saved.
   */
  async teachAgain(): Promise<boolean> {
    const model = this.#deps.models.current;
    const status = this.status;
    const { train, dataset } = this.#deps;
    this.error = null;
    if (!model?.id) return this.#fail('Save the current model first: only a saved model can be taught again.');
    if (!status) return this.#fail('There are no corrections yet: correct an answer first.');
    if (train.running || dataset.lockedBy) return this.#fail('A training run is in progress: teach again when it has finished.');
    this.teaching = true;
    try {
      await dataset.select(status.id);
      train.startFrom(model.id);
      const settings = teachAgainSettings(model.info.pixelScale, train.hyper.seed, status.trainCount);
      train.hyper = settings.hyper;
      train.mixWith = teachMixSource({ classNames: model.classNames, datasetId: model.dataset.id || null }, dataset.statuses);
      train.mixRatio = settings.mixRatio;
      await train.start();
      if (train.error) return this.#fail(train.error);
      return train.savedModelId !== null;
    } finally {
      this.teaching = false;
    }
  }

  #fail(message: string): false {
    this.error = message;
    return false;
  }
}
