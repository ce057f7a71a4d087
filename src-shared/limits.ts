// The numeric limits of every payload, in one place: the zod schemas (schemas/*) enforce them at
// the IPC boundary and the Train view's form uses them for its inputs' min/max. Plain constants,
// no zod, so the renderer can import them without pulling the schema library into its bundle.

export interface Range {
  readonly min: number;
  readonly max: number;
}

/** Hyperparameters a run may be started with. */
export const HYPER_LIMITS = {
  epochs: { min: 1, max: 1000 },
  batchSize: { min: 1, max: 8192 },
  learningRate: { min: 1e-6, max: 10 },
  decay: { min: 0, max: 1 },
  validationSplit: { min: 0, max: 0.5 },
  labelSmoothing: { min: 0, max: 0.5 },
  shift: { min: 0, max: 8 },
  patience: { min: 0, max: 1000 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  limit: { min: 0, max: 10_000_000 },
} as const satisfies Record<string, Range>;

/** Photo-like augmentation (hyper.augment.photo): the largest change each draws. */
export const PHOTO_AUGMENT_LIMITS = {
  scale: { min: 0, max: 0.5 },
  aspect: { min: 0, max: 0.5 },
  rotate: { min: 0, max: 45 },
  contrast: { min: 0, max: 0.9 },
  gamma: { min: 0, max: 1.5 },
  blur: { min: 0, max: 1 },
  edge: { min: 0, max: 1 },
} as const satisfies Record<string, Range>;

/** The model editor's layers. */
export const LAYER_LIMITS = {
  filters: { min: 1, max: 1024 },
  kernel: { min: 1, max: 15 },
  stride: { min: 1, max: 8 },
  poolSize: { min: 1, max: 8 },
  units: { min: 1, max: 8192 },
  dropoutRate: { min: 0, max: 0.95 },
  layers: { min: 0, max: 64 },
} as const satisfies Record<string, Range>;

/** What a model may take and give: one grey channel, any side the layers allow, 2–100 classes. */
export const MODEL_LIMITS = {
  classes: { min: 2, max: 100 },
  side: { min: 1, max: 1024 },
  channels: 1,
  /** Weights larger than this cannot be read back in one piece (and no model Tailor trains nears it). */
  weightBytes: 256 * 1024 * 1024,
} as const;

/** Sizes of what crosses IPC. */
export const PAYLOAD_LIMITS = {
  datasetFile: 100 * 1024 * 1024,
  modelFile: 256 * 1024 * 1024,
  modelFiles: 16,
  datasetFiles: 4,
  name: 120,
  history: 10_000,
} as const;

/**
 * How pixels reach a network — part of its recipe, stored with the model (hyper.pixelScale) and
 * applied wherever the model sees pixels. 'unit' divides bytes by 255 (every preset but the
 * report's); 'raw' feeds 0–255 as they are, as the report's notebook fed Keras.
 */
export const PIXEL_SCALE_IDS = ['unit', 'raw'] as const;

/** What the form and the Models view call each scale: `label` in a list, `short` in a sentence. */
export const PIXEL_SCALE_LABELS = {
  unit: { label: 'Pixels 0–1 (÷ 255)', short: 'pixels in [0, 1]' },
  raw: { label: 'Raw pixels 0–255', short: 'pixels as 0–255' },
} as const satisfies Record<(typeof PIXEL_SCALE_IDS)[number], { label: string; short: string }>;

/**
 * A photo dataset (photos:add): at most a photo folder's files per call, each photo's picture as
 * the 28×28 bytes the model sees and a small JPEG thumbnail. 10,000 × (784 + 8 KiB) stays well
 * under one request's limit.
 */
export const PHOTO_LIMITS = {
  items: 10_000,
  side: 28,
  thumbBytes: 8 * 1024,
  path: 512,
  reason: 300,
  /** Labels are bytes in the IDX label file. */
  labels: 255,
} as const;
