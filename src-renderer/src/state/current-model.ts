// The model loaded in the ML worker as the UI knows it, and the rules that tie it to datasets:
// its own class names, the dataset it was trained on, and when a measurement may go into its record.
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { DatasetRef, ModelMeta } from '../../../src-shared/types/model';
import type { Evaluation } from '../ml/evaluate';
import type { ModelInfo } from '../worker/protocol';

export interface CurrentModel {
  /** The worker's key for it: a larger key became current later. */
  key: number;
  /** Saved model id, or null for a model that exists only in the worker. */
  id: string | null;
  name: string;
  builtIn: boolean;
  info: ModelInfo;
  /** One per output, in order: what Evaluate and Classify call the classes. */
  classNames: string[];
  /** The dataset it was trained on (id '' when not known, as for a foreign model). */
  dataset: DatasetRef;
  /** Imported without Tailor's metadata: its pixel scale is a guess the user may correct. */
  pixelScaleAssumed: boolean;
}

/** An evaluation with what it measured: which model, on which dataset, and whether it was recorded. */
export interface EvaluationResult {
  evaluation: Evaluation;
  modelKey: number;
  modelName: string;
  datasetId: string;
  datasetName: string;
  classNames: string[];
  /** True when the metrics went into the model's saved record. */
  recorded: boolean;
  /** Why they did not, when the user should know. */
  note: string | null;
}

/** The model's class names, one per output; numbered names where its record has none that fit. */
export function classNamesFor(names: readonly string[] | undefined, classes: number): string[] {
  if (names && names.length === classes) return [...names];
  return Array.from({ length: classes }, (_, i) => `Class ${i}`);
}

export function currentFromMeta(meta: ModelMeta, info: ModelInfo): CurrentModel {
  return {
    key: info.key,
    id: meta.id,
    name: meta.name,
    builtIn: meta.builtIn === true,
    info,
    classNames: classNamesFor(meta.classNames, info.classes),
    dataset: meta.dataset,
    pixelScaleAssumed: meta.pixelScaleAssumed === true,
  };
}

/** The dataset a run trains on, as models and runs record it. */
export function datasetRefOf(data: DatasetPayload): DatasetRef {
  return { id: data.id, name: data.name, checksums: { ...data.checksums } };
}

/** The same dataset: same id and the same files (every checksum equal). */
export function sameDataset(ref: DatasetRef, data: Pick<DatasetPayload, 'id' | 'checksums'>): boolean {
  if (!ref.id || ref.id !== data.id) return false;
  const mine = Object.entries(ref.checksums);
  const theirs = Object.entries(data.checksums);
  return mine.length === theirs.length && theirs.every(([part, sum]) => ref.checksums[part] === sum);
}

/**
 * Whether metrics measured on `data` go into `model`'s saved record: only when it is the dataset
 * the model was trained on (same id, same files). Otherwise a note says why they did not.
 */
export function recordDecision(model: CurrentModel, data: DatasetPayload): { record: boolean; note: string | null } {
  if (!model.id || model.builtIn) return { record: false, note: null };
  if (sameDataset(model.dataset, data)) return { record: true, note: null };
  const why =
    model.dataset.id === data.id
      ? `the files of ${data.name} changed since it was trained`
      : `it was trained on ${model.dataset.name || 'another dataset'}`;
  return { record: false, note: `Measured on ${data.name}; ${why}, so the test metrics kept with ${model.name} are unchanged.` };
}
