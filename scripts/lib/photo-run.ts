// One training run on prepared photos with the app's own code (TrainData, Trainer, fine-tune):
// from a saved model (head kept when the classes are its own, else new) or from scratch,
// optionally with Fashion-MNIST mixed into every epoch. Used by scripts/measure-own-photos.ts.
import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters } from '../../src-shared/types/train';
import { DEFAULT_PHOTO_AUGMENT } from '../../src-renderer/src/ml/augment';
import { TrainData, type MixSource } from '../../src-renderer/src/ml/data';
import { DEFAULT_FINE_TUNE, FINE_TUNE_HYPER, FINE_TUNE_MAPPED, NEW_HEAD_FINE_TUNE } from '../../src-renderer/src/ml/fine-tune';
import { getPreset } from '../../src-renderer/src/ml/presets';
import { Trainer } from '../../src-renderer/src/ml/trainer';
import { startingModel } from './model-dir';
import type { PhotoData } from './photo-dataset';

export interface RunSettings {
  /** A model folder (model.json, weights.bin, meta.json) to start from; null: from scratch (Tailor best). */
  from: string | null;
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Fashion-MNIST images per photo per epoch (0: none). */
  mixRatio: number;
  freezeLayers: number;
  baseLrFactor: number;
  augment: 'photo' | 'basic' | 'none';
  labelSmoothing: number;
  seed: number;
  /** How far each epoch evens out the photo classes (ml/class-balance.ts): 0 as they are, 1 equal. */
  balance: number;
}

// The app's defaults (ml/fine-tune.ts): what these measurements set them to.
const COMMON = {
  batchSize: FINE_TUNE_HYPER.batchSize,
  augment: 'photo',
  labelSmoothing: FINE_TUNE_HYPER.labelSmoothing,
  seed: 42,
  freezeLayers: DEFAULT_FINE_TUNE.freezeLayers,
  baseLrFactor: DEFAULT_FINE_TUNE.baseLrFactor,
  mixRatio: 0,
  balance: DEFAULT_FINE_TUNE.balance,
} as const;
export const OWN_SETTINGS: RunSettings = {
  ...COMMON,
  from: null,
  epochs: FINE_TUNE_HYPER.epochs,
  learningRate: FINE_TUNE_HYPER.learningRate,
  baseLrFactor: NEW_HEAD_FINE_TUNE.baseLrFactor,
};
export const OWN_SCRATCH_SETTINGS: RunSettings = { ...COMMON, from: null, epochs: 30, learningRate: 2e-3, baseLrFactor: 1 };
export const MAPPED_SETTINGS: RunSettings = { ...COMMON, from: null, ...FINE_TUNE_MAPPED };

export function hyperOf(s: RunSettings): Hyperparameters {
  const best = getPreset('best').hyper;
  return {
    ...best,
    epochs: s.epochs,
    learningRate: s.learningRate,
    batchSize: s.batchSize,
    validationSplit: 0,
    labelSmoothing: s.labelSmoothing,
    seed: s.seed,
    augment: s.augment === 'none' ? { shift: 0, flip: false } : { shift: 1, flip: true, ...(s.augment === 'photo' ? { photo: DEFAULT_PHOTO_AUGMENT } : {}) },
  };
}

/** Trains on the photos (and the mix); progress lines every 20 s and per epoch. */
export async function fineTuneRun(train: PhotoData, s: RunSettings, mix: Omit<MixSource, 'ratio'> | null): Promise<{ model: tf.LayersModel; ms: number }> {
  const t0 = performance.now();
  const { model } = await startingModel({ from: s.from, layers: getPreset('best').layers, classNames: train.classNames, seed: s.seed, freeze: s.freezeLayers });
  const hyper = hyperOf(s);
  const data = new TrainData(train.images, train.labels, {
    rows: 28,
    cols: 28,
    classCount: train.classNames.length,
    validationSplit: 0,
    seed: s.seed,
    balance: s.balance,
    ...(train.targets ? { targets: train.targets } : {}),
    ...(mix && s.mixRatio > 0 ? { mix: { ...mix, ratio: s.mixRatio } } : {}),
  });
  let last = performance.now();
  const trainer = new Trainer(
    model,
    data,
    hyper,
    {
      onBatch: (b) => {
        if (performance.now() - last < 20_000) return;
        last = performance.now();
        console.log(`  epoch ${b.epoch} batch ${b.batch}/${b.batches} loss ${b.loss.toFixed(3)} acc ${b.acc.toFixed(3)} ${Math.round(b.imagesPerSecond)} img/s`);
      },
      onEpoch: (m) => console.log(`  epoch ${m.epoch}/${hyper.epochs} loss ${m.loss.toFixed(3)} acc ${m.acc.toFixed(3)} ${(m.ms / 1000).toFixed(0)} s`),
    },
    { baseLrFactor: s.from ? s.baseLrFactor : 1 },
  );
  try {
    await trainer.run();
  } finally {
    data.dispose();
  }
  return { model, ms: performance.now() - t0 };
}
