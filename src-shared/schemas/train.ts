// The model editor's layers and a run's hyperparameters.
import { z } from 'zod';
import { HYPER_LIMITS as H, LAYER_LIMITS as L } from '../limits';
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
 * How pixels reach the network: 'unit' = pixel/255 in [0, 1] (every preset), 'raw' = 0–255 as
 * the report's notebook fed them. A model must be used the way it was trained.
 */
export const pixelScaleSchema = z.enum(['unit', 'raw']);

export const hyperparametersSchema = z.strictObject({
  epochs: intIn(H.epochs),
  batchSize: intIn(H.batchSize),
  optimizer: optimizerSchema,
  learningRate: numIn(H.learningRate),
  /** Learning-rate decay per step as Keras' old `decay` (lr / (1 + decay·step)), or 0. */
  decay: numIn(H.decay),
  schedule: scheduleSchema,
  validationSplit: numIn(H.validationSplit),
  augment: z.strictObject({ shift: intIn(H.shift), flip: z.boolean() }),
  labelSmoothing: numIn(H.labelSmoothing),
  seed: intIn(H.seed),
  /** 0 = off; else stop after this many epochs without val-acc gain and restore the best weights. */
  patience: intIn(H.patience),
  /** Number of training images to use (0 = all): small runs for quick looks and tests. */
  limit: intIn(H.limit),
  pixelScale: pixelScaleSchema,
});
