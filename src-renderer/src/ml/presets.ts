/**
 * The three starting points of the model editor. A custom model is a preset whose layer list
 * the user edited; it keeps the preset's hyperparameters until they are changed too.
 */
import type { Hyperparameters, LayerSpec } from '../../../src-shared/types/train';

export type PresetId = 'report' | 'report-fixed' | 'best';

export interface Preset {
  id: PresetId;
  name: string;
  description: string;
  layers: LayerSpec[];
  hyper: Hyperparameters;
}

export const DEFAULT_HYPERPARAMETERS: Hyperparameters = {
  epochs: 10,
  batchSize: 128,
  optimizer: 'adam',
  learningRate: 1e-3,
  decay: 0,
  schedule: 'none',
  validationSplit: 0.1,
  augment: { shift: 0, flip: false },
  labelSmoothing: 0,
  seed: 42,
  patience: 0,
  limit: 0,
  pixelScale: 'unit',
};

const conv = (filters: number, padding: 'valid' | 'same' = 'valid'): LayerSpec => ({
  type: 'conv2d',
  filters,
  kernel: 3,
  padding,
  activation: 'relu',
});

/** The report's network, layer for layer: 93,322 parameters. */
const REPORT_LAYERS: LayerSpec[] = [
  conv(32),
  { type: 'maxPool', size: 2 },
  conv(64),
  { type: 'maxPool', size: 2 },
  conv(64),
  { type: 'flatten' },
  { type: 'dense', units: 64, activation: 'relu' },
  { type: 'dense', units: 10, activation: 'sigmoid' },
];

/**
 * One conv at 28×28 and two at 14×14, pooled to 7×7, then a dense head; batch norm after each
 * stage and dropout before each dense layer. Batch norm sits after the poolings where it can,
 * where it costs a quarter as much (its moments are slow reductions on wasm). About 4× the
 * report network's multiply-adds, so one CPU core (wasm in Node) trains it at ~150 images/s,
 * and 460k parameters, so its weights (1.84 MB) are small enough to ship.
 */
const BEST_LAYERS: LayerSpec[] = [
  conv(32, 'same'),
  { type: 'maxPool', size: 2 },
  { type: 'batchNorm' },
  conv(64, 'same'),
  { type: 'batchNorm' },
  conv(64, 'same'),
  { type: 'maxPool', size: 2 },
  { type: 'batchNorm' },
  { type: 'dropout', rate: 0.25 },
  { type: 'flatten' },
  { type: 'dense', units: 128, activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'dropout', rate: 0.4 },
  { type: 'dense', units: 10, activation: 'softmax' },
];

export const PRESETS: readonly Preset[] = [
  {
    id: 'report',
    name: 'Report CNN',
    description:
      "The report's network as published: sigmoid output trained with categorical cross-entropy, RMSprop at 1e-4. It reached 83% test accuracy.",
    layers: REPORT_LAYERS,
    hyper: {
      ...DEFAULT_HYPERPARAMETERS,
      epochs: 10,
      batchSize: 512,
      optimizer: 'rmsprop',
      learningRate: 1e-4,
      decay: 1e-6,
    },
  },
  {
    id: 'report-fixed',
    name: 'Report CNN, corrected',
    description:
      'The same layers with a softmax output and Adam at 1e-3; smaller batches (128) give 4× more updates per epoch, which the report network needs to pass 91% in 10 epochs.',
    layers: REPORT_LAYERS.map((l, i) =>
      i === REPORT_LAYERS.length - 1 ? { type: 'dense', units: 10, activation: 'softmax' } : l,
    ),
    hyper: { ...DEFAULT_HYPERPARAMETERS, epochs: 10, batchSize: 128 },
  },
  {
    id: 'best',
    name: 'Tailor best',
    description:
      'Batch-normalised conv blocks with dropout, trained on shifted and mirrored images with a cosine learning-rate schedule and label smoothing.',
    layers: BEST_LAYERS,
    hyper: {
      ...DEFAULT_HYPERPARAMETERS,
      epochs: 30,
      batchSize: 128,
      learningRate: 2e-3,
      schedule: 'cosine',
      validationSplit: 0.05,
      augment: { shift: 1, flip: true },
      labelSmoothing: 0.1,
    },
  },
];

export function isPresetId(id: string): id is PresetId {
  return PRESETS.some((p) => p.id === id);
}

/** A deep copy, so editing the result never changes the preset. */
export function getPreset(id: PresetId): Preset {
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`Unknown preset "${id}"`);
  return structuredClone(preset);
}
