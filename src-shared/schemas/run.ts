// A training run as recorded (runs:save) and its metrics.
import { z } from 'zod';
import { PAYLOAD_LIMITS } from '../limits';
import { datasetRefSchema, finite, idSchema, nameSchema } from './common';
import { hyperparametersSchema, layersSchema } from './train';

export const epochMetricsSchema = z.strictObject({
  epoch: z.number().int().min(0),
  loss: finite,
  acc: finite,
  valLoss: finite.nullable(),
  valAcc: finite.nullable(),
  lr: finite,
  ms: finite,
});
export const historySchema = z.array(epochMetricsSchema).max(PAYLOAD_LIMITS.history);

export const testMetricsSchema = z.strictObject({
  loss: finite,
  acc: finite,
  /** confusion[true][predicted] counts. */
  confusion: z.array(z.array(z.number().int().min(0)).max(1000)).max(1000).optional(),
  /** Test images scored (absent: the whole test set). */
  count: z.number().int().min(0).optional(),
});

export const runStateSchema = z.enum(['completed', 'stopped', 'early-stopped', 'failed']);

export const runRecordSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  preset: z.string().max(64),
  layers: layersSchema,
  hyper: hyperparametersSchema,
  /** The dataset the run trained on, captured when it started (absent in records made before it was kept). */
  dataset: datasetRefSchema.optional(),
  backend: z.string().max(32),
  startedAt: z.string().max(40),
  endedAt: z.string().max(40),
  state: runStateSchema,
  history: historySchema,
  bestEpoch: z.number().int().min(0).nullable(),
  testMetrics: testMetricsSchema.nullable(),
  imagesPerSecond: finite.min(0),
  modelId: idSchema.nullable(),
  error: z.string().max(2000).optional(),
});
