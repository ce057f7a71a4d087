// The model editor's layers and a run's hyperparameters.
import { z } from 'zod';
import { HYPER_LIMITS as H, LAYER_LIMITS as L, PHOTO_AUGMENT_LIMITS as P, PIXEL_SCALE_IDS } from '../limits';
import { intIn, numIn } from './common';

export const activationSchema = z.enum(['relu', 'sigmoid', 'softmax', 'linear', 'tanh', 'elu']);

export const layerSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('conv2d'),
    filters: intIn(L.filters),
    kernel: intIn(L.kernel),
    stride: intIn(L.stride).optional(),
    padding: z.enum(['valid', 'same']),
    activation: activationSchema,
  }),
  z.strictObject({ type: z.literal('maxPool'), size: intIn(L.poolSize) }),
  z.strictObject({ type: z.literal('dense'), units: intIn(L.units), activation: activationSchema }),
  z.strictObject({ type: z.literal('dropout'), rate: numIn(L.dropoutRate) }),
  z.strictObject({ type: z.literal('batchNorm') }),
  z.strictObject({ type: z.literal('flatten') }),
  z.strictObject({ type: z.literal('globalAvgPool') }),
]);
export const layersSchema = z.array(layerSpecSchema).max(L.layers.max);

export const optimizerSchema = z.enum(['adam', 'rmsprop', 'sgd']);
/** 'none' | 'cosine' (to 0 over the run) | 'step' (×0.5 every third of the run). */
export const scheduleSchema = z.enum(['none', 'cosine', 'step']);
/**
 * How pixels reach the network: 'unit' = pixel/255 in [0, 1], 'raw' = 0–255 as the report's
 * notebook fed them (its preset). A model must be used the way it was trained.
 */
export const pixelScaleSchema = z.enum(PIXEL_SCALE_IDS);

/**
 * Augmentation that mimics what the photo pipeline does to a garment (src-renderer/src/ml/augment.ts):
 * each field is the largest change drawn per image, or the share of images changed (blur, edge).
 */
export const photoAugmentSchema = z.strictObject({
  /** Size × 1 ± scale. */
  scale: numIn(P.scale),
  /** Width against height × 1 ± aspect. */
  aspect: numIn(P.aspect),
  /** Rotation, ± degrees. */
  rotate: numIn(P.rotate),
  /** Garment levels × 1 ± contrast (clipped to white). */
  contrast: numIn(P.contrast),
  /** Garment levels to the power e^±gamma. */
  gamma: numIn(P.gamma),
  /** Share of images softened by a 3×3 Gaussian (at a random strength). */
  blur: numIn(P.blur),
  /** Share of images whose garment edge loses or gains one pixel (half each), as a mask a little off would. */
  edge: numIn(P.edge),
});

export const hyperparametersSchema = z.strictObject({
  epochs: intIn(H.epochs),
  batchSize: intIn(H.batchSize),
  optimizer: optimizerSchema,
  learningRate: numIn(H.learningRate),
  /** Learning-rate decay per step as Keras' old `decay` (lr / (1 + decay·step)), or 0. */
  decay: numIn(H.decay),
  schedule: scheduleSchema,
  validationSplit: numIn(H.validationSplit),
  augment: z.strictObject({ shift: intIn(H.shift), flip: z.boolean(), photo: photoAugmentSchema.optional() }),
  labelSmoothing: numIn(H.labelSmoothing),
  seed: intIn(H.seed),
  /** 0 = off; else stop after this many epochs without val-acc gain and restore the best weights. */
  patience: intIn(H.patience),
  /** Number of training images to use (0 = all): small runs for quick looks and tests. */
  limit: intIn(H.limit),
  pixelScale: pixelScaleSchema,
});
