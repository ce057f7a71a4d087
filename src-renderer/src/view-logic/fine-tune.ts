// Starting a run from a saved model, the parts without Svelte: the settings a fine-tune starts
// with (the recipe measured by scripts/measure-own-photos.ts: a new output layer learns at 1e-3 for
// 15 epochs with every layer at that rate, a kept one at 5e-4 for 8 with the kept layers at 0.3×;
// photo augmentation on; classes evened out by half),
// whether the model's output layer is kept, and Fashion-MNIST as a mix under a photo set, its
// labels turned into the run's classes by name.
import { PAYLOAD_LIMITS } from '../../../src-shared/limits';
import type { Hyperparameters } from '../../../src-shared/types/train';
import { DEFAULT_PHOTO_AUGMENT } from '../ml/augment';
import { FINE_TUNE_HYPER, FINE_TUNE_MAPPED, keepsHead } from '../ml/fine-tune';
import { getPreset } from '../ml/presets';
import type { MixRequest } from '../worker/protocol';

export { DEFAULT_FINE_TUNE, fineTuneDefaults, keepsHead } from '../ml/fine-tune';

/** Epochs and learning rate of a fine-tune, by whether the model's output layer is kept. */
const RECIPE = {
  newHead: { epochs: FINE_TUNE_HYPER.epochs, learningRate: FINE_TUNE_HYPER.learningRate },
  keptHead: { epochs: FINE_TUNE_MAPPED.epochs, learningRate: FINE_TUNE_MAPPED.learningRate },
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

/** A saved model as a choice in a list: its name, marked as the shipped one unless its name says so. */
export function modelChoiceLabel(m: { name: string; builtIn?: boolean }): string {
  return m.builtIn && !/shipped/i.test(m.name) ? `${m.name} (shipped)` : m.name;
}

/** Room a run's name leaves for the " · 93.5%" its saved model gets (names stop at 120 characters). */
const RUN_NAME_MAX = PAYLOAD_LIMITS.name - ' · 100.0%'.length;

/**
 * The name of a run that fine-tunes `baseName` on `dataName`: "Shipped tuned on My photos". The
 * base's score is dropped (the new model gets its own), and teaching the same set again counts
 * instead of growing: "… tuned on Corrections for My photos (3×)". Cut to fit the name limit.
 */
export function fineTunedName(baseName: string, dataName: string): string {
  const base = baseName.replace(/ · \d+(?:\.\d+)?%$/, '');
  const again = /^(.+) tuned on (.+?)(?: \((\d+)×\))?$/.exec(base);
  const name = again && again[2] === dataName ? `${again[1]} tuned on ${dataName} (${Number(again[3] ?? 1) + 1}×)` : `${base} tuned on ${dataName}`;
  return name.length <= RUN_NAME_MAX ? name : `${name.slice(0, RUN_NAME_MAX - 1)}…`;
}

/** Whether a run on `classNames` keeps the output layer of a model of `modelClasses`. */
export const headKeptFor = (modelClasses: readonly string[], classNames: readonly string[]): boolean => keepsHead(modelClasses, classNames);

/** A dataset as a mix source: its classes, and its label names where labels are folders mapped onto them. */
export interface MixSourceSet {
  classNames: readonly string[];
  labelNames?: readonly string[];
  allowed?: readonly (readonly number[])[];
  rows: number;
  cols: number;
  train: { images: Uint8Array; labels: Uint8Array };
}

/**
 * The class each of a set's labels teaches: the class itself, or for a mapped folder the one class
 * it allows (a folder allowing several, shoes → Sandal, Sneaker, Ankle boot, has no one class: null).
 */
export function mixClassOf(set: Pick<MixSourceSet, 'classNames' | 'labelNames' | 'allowed'>): (string | null)[] {
  if (!set.labelNames || !set.allowed) return [...set.classNames];
  return set.allowed.map((a) => (a.length === 1 ? (set.classNames[a[0]!] ?? null) : null));
}

/**
 * Another dataset's training images as a mix for a run on `classNames`: the images of the classes
 * the run has (matched by name), labelled with the run's class index. Null when none match.
 * The arrays are fresh copies, ready to be transferred to the worker.
 */
export function mixFrom(other: MixSourceSet, classNames: readonly string[], ratio = MIX_RATIO): MixRequest | null {
  const to = mixClassOf(other).map((c) => (c === null ? -1 : classNames.indexOf(c)));
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

/** Images from the model's own dataset per epoch when it is taught its corrections: enough to remember by. */
const TEACH_MIX_IMAGES = 300;

/**
 * Teaching a model its corrections: its own output layer kept, 15 epochs at 5e-4 in batches of 32,
 * and its own dataset mixed in at ~300 images an epoch (1–50 per correction), so the few corrected
 * photos move it without the rest being forgotten.
 */
export function teachAgainSettings(pixelScale: Hyperparameters['pixelScale'], seed: number, corrections: number): { hyper: Hyperparameters; mixRatio: number } {
  const hyper = { ...fineTuneHyper(true, pixelScale, seed), epochs: 15, batchSize: 32 };
  return { hyper, mixRatio: Math.min(50, Math.max(1, Math.round(TEACH_MIX_IMAGES / Math.max(1, corrections)))) };
}

/** The Corrections dataset of a set of classes: one per class list, so any model's corrections fit it. */
export function correctionsId(classNames: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const ch of classNames.join('\n')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return `corrections-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * The dataset mixed in when a model is taught its corrections, so it keeps what it knew: the one it
 * was trained on; for a model already taught (trained on the Corrections dataset itself), another
 * ready dataset of exactly its classes (the set it was tuned on first, or Fashion-MNIST). Null: none.
 */
export function teachMixSource(
  model: { classNames: readonly string[]; datasetId: string | null },
  statuses: readonly { id: string; classNames: readonly string[]; ready: boolean }[],
): string | null {
  const corrections = correctionsId(model.classNames);
  if (model.datasetId && model.datasetId !== corrections) return model.datasetId;
  const same = (names: readonly string[]): boolean => names.length === model.classNames.length && names.every((c, i) => c === model.classNames[i]);
  return statuses.find((s) => s.id !== corrections && s.ready && same(s.classNames))?.id ?? null;
}
