// A model's description (meta.json), what models:save carries, and what models:updateMeta may change.
import { z } from 'zod';
import { MODEL_LIMITS, PAYLOAD_LIMITS } from '../limits';
import { bytesSchema, datasetRefSchema, finite, idSchema, intIn, jsonObjectSchema, nameSchema } from './common';
import { historySchema, testMetricsSchema } from './run';
import { hyperparametersSchema, layersSchema, pixelScaleSchema } from './train';

/** Class names, in the order of a model's outputs (or a dataset's labels). */
export const classNamesSchema = z
  .array(z.string().trim().min(1).max(PAYLOAD_LIMITS.name))
  .min(MODEL_LIMITS.classes.min)
  .max(MODEL_LIMITS.classes.max);

export { datasetRefSchema } from './common';

/** [rows, cols, channels] of one input image; Tailor's models take one grey channel. */
export const inputShapeSchema = z.tuple([intIn(MODEL_LIMITS.side), intIn(MODEL_LIMITS.side), z.literal(MODEL_LIMITS.channels)]);

/**
 * Photos a model also learnt from (`npm run train -- --photos DIR --map classes.json`): where they
 * were, how many, a digest of their files, and which classes each folder allowed.
 */
export const photoSetSchema = z.strictObject({
  folder: z.string().max(300),
  photos: z.number().int().min(0),
  /** SHA-256 over the photos' own SHA-256s, in path order. */
  sha256: z.string().max(64),
  /** Folder → the classes that counted as right for its photos (classes.json, strict or lenient). */
  mapping: z.record(z.string().max(PAYLOAD_LIMITS.name), z.array(z.string().max(PAYLOAD_LIMITS.name)).max(MODEL_LIMITS.classes.max)),
  /** Fashion-MNIST images drawn per photo per epoch (the mix), when it was mixed in. */
  mixRatio: finite.min(0).optional(),
  /**
   * Set when the weights are an average of the fine-tuned ones (share `blend`) and the starting
   * model's (scripts/blend-models.ts): that keeps more of what the start knew.
   */
  blend: finite.min(0).max(1).optional(),
});

const modelMetaFields = {
  name: nameSchema,
  preset: z.string().max(64),
  layers: layersSchema,
  hyper: hyperparametersSchema,
  history: historySchema,
  testMetrics: testMetricsSchema.nullable(),
  backend: z.string().max(32),
  trainingMs: finite.min(0),
  dataset: datasetRefSchema,
  classNames: classNamesSchema,
  inputShape: inputShapeSchema,
  params: z.number().int().min(0),
  /** Set for the model shipped in resources/: it cannot be renamed or deleted. */
  builtIn: z.boolean().optional(),
  /** Imported without Tailor's meta.json: hyper.pixelScale is a guess ('unit') the user may correct. */
  pixelScaleAssumed: z.boolean().optional(),
  /** Imported without Tailor's meta.json: the dataset and class names were inferred from its shape. */
  datasetAssumed: z.boolean().optional(),
  /** Photos learnt from besides `dataset` (the shipped model: ../shared/photos/train). */
  photoSet: photoSetSchema.optional(),
};

/** What the app records beside every model (meta.json in the model's folder). */
export const modelMetaSchema = z.strictObject({ ...modelMetaFields, id: idSchema, createdAt: z.string().max(40) });

/** models:save — the renderer may name the id to replace a model; main stamps createdAt. */
export const modelSaveSchema = z.strictObject({
  meta: z.strictObject({ ...modelMetaFields, id: idSchema.optional() }),
  modelJson: jsonObjectSchema,
  weights: bytesSchema(MODEL_LIMITS.weightBytes),
});

/** Which dataset a measurement was made on: it must be the model's own for metrics to be kept. */
export const measuredOnSchema = datasetRefSchema.pick({ id: true, checksums: true });

/** models:updateMeta — every field optional; absent = unchanged. */
export const modelMetaPatchSchema = z.strictObject({
  /** New test metrics with the dataset they were measured on (refused unless it is the model's own); null clears them. */
  testMetrics: z.strictObject({ measuredOn: measuredOnSchema, metrics: testMetricsSchema }).nullable().optional(),
  /** How the model expects its pixels (corrects an imported model's assumed 'unit'). */
  pixelScale: pixelScaleSchema.optional(),
});
