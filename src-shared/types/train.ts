// Types of the model editor and of a run's settings, derived from their schemas (schemas/train.ts):
// the schema main validates with and the type the renderer writes cannot drift apart.
import type { z } from 'zod';
import type {
  activationSchema,
  hyperparametersSchema,
  layerSpecSchema,
  optimizerSchema,
  photoAugmentSchema,
  pixelScaleSchema,
} from '../schemas/train';

/** A layer of the model editor; the ml/ module turns these into tf.layers. */
export type LayerSpec = z.infer<typeof layerSpecSchema>;
export type Activation = z.infer<typeof activationSchema>;
export type OptimizerName = z.infer<typeof optimizerSchema>;
export type PixelScale = z.infer<typeof pixelScaleSchema>;
export type Hyperparameters = z.infer<typeof hyperparametersSchema>;
export type PhotoAugment = z.infer<typeof photoAugmentSchema>;
