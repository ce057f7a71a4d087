// Starting a run from a saved model, the parts without Svelte: the settings a fine-tune starts
// with (photoml's measured recipe, scripts/lib/photo-run.ts: a new output layer learns at 1e-3 for
// 10 epochs, a kept one at 5e-4 for 8; the kept layers at 0.3× the rate; photo augmentation on),
// whether the model's output layer is kept, and Fashion-MNIST as a mix under a photo set, its
// labels turned into the run's classes by name.
import type { Hyperparameters } from '../../../src-shared/types/train';
import { DEFAULT_PHOTO_AUGMENT } from '../ml/augment';
import { keepsHead } from '../ml/fine-tune';
import { getPreset } from '../ml/presets';
import type { MixRequest } from '../worker/protocol';

export { DEFAULT_FINE_TUNE, keepsHead } from '../ml/fine-tune';

/** Epochs and learning rate of a fine-tune, by whether the model's output layer is kept. */
const RECIPE = {
  newHead: { epochs: 10, learningRate: 1e-3 },
  keptHead: { epochs: 8, learningRate: 5e-4 },
} as const;

/** Fashion-MNIST images per training photo and epoch when mixed in (photoml's measured ratio). */
export const MIX_RATIO = 1;

/**
 * The hyperparameters a fine-tune starts with: Tailor best's, with the recipe's epochs and rate,
 * batch 64, label smoothing 0.1, photo-like augmentation, no validation split (a photo set's
 * held-out photos score the run), and the model's own pixel scale (it must be fed as trained).
 */
export function fineTuneHyper(headKept: boolean, pixelScale: Hyperparameters['pixelScale'], seed: number): Hyperparameters {
  const best = getPreset('best').hyper;
  const r = headKept ? RECIPE.keptHead : RECIPE.newHead;
  return {
    ...structuredClone(best),
    epochs: r.epochs,
    learningRate: r.learningRate,
    batchSize: 64,
    labelSmoothing: 0.1,
    validationSplit: 0,
    patience: 0,
    limit: 0,
    seed,
    pixelScale,
    augment: { shift: 1, flip: true, photo: { ...DEFAULT_PHOTO_AUGMENT } },
  };
}

/** Whether a run on `classNames` keeps the output layer of a model of `modelClasses`. */
export const headKeptFor = (modelClasses: readonly string[], classNames: readonly string[]): boolean => keepsHead(modelClasses, classNames);

/**
 * Another dataset's training images as a mix for a run on `classNames`: the images of the classes
 * the run has (matched by name), labelled with the run's class index. Null when none match.
 * The arrays are fresh copies, ready to be transferred to the worker.
 */
export function mixFrom(other: { classNames: readonly string[]; rows: number; cols: number; train: { images: Uint8Array; labels: Uint8Array } }, classNames: readonly string[], ratio = MIX_RATIO): MixRequest | null {
  const to = other.classNames.map((c) => classNames.indexOf(c));
  const pixels = other.rows * other.cols;
  const keep: number[] = [];
  other.train.labels.forEach((l, i) => {
    if ((to[l] ?? -1) >= 0) keep.push(i);
  });
  if (keep.length === 0) return null;
  const images = new Uint8Array(keep.length * pixels);
  const labels = new Uint8Array(keep.length);
  keep.forEach((src, i) => {
    images.set(other.train.images.subarray(src * pixels, (src + 1) * pixels), i * pixels);
    labels[i] = to[other.train.labels[src]!]!;
  });
  return { images, labels, ratio };
}

/** Why mixing cannot help this run, or null. */
export function mixProblem(otherClasses: readonly string[], classNames: readonly string[], sameSize: boolean): string | null {
  if (!sameSize) return 'Fashion-MNIST’s images are not the size of this dataset’s.';
  if (!otherClasses.some((c) => classNames.includes(c))) return 'None of this dataset’s classes is a Fashion-MNIST class, so there is nothing to keep from forgetting.';
  return null;
}
