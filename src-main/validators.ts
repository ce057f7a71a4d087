// Argument schemas for every channel: main trusts nothing the renderer sends. Strict objects reject
// extra fields; sizes are capped so a bad renderer cannot make main allocate without bound.
import { z } from 'zod';
import type { Channel, Req } from '../src-shared/contract';

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lowercase slug of 1–64 characters');
const name = z.string().trim().min(1).max(120);
const bytes = (max: number) =>
  z.instanceof(Uint8Array).refine((b) => b.byteLength <= max, `must be at most ${max} bytes`);
const file = (max: number) => z.strictObject({ name: z.string().min(1).max(255), bytes: bytes(max) });
const finite = z.number().finite();

const activation = z.enum(['relu', 'sigmoid', 'softmax', 'linear', 'tanh', 'elu']);
const layer = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('conv2d'),
    filters: z.number().int().min(1).max(1024),
    kernel: z.number().int().min(1).max(15),
    stride: z.number().int().min(1).max(8).optional(),
    padding: z.enum(['valid', 'same']),
    activation,
  }),
  z.strictObject({ type: z.literal('maxPool'), size: z.number().int().min(1).max(8) }),
  z.strictObject({ type: z.literal('dense'), units: z.number().int().min(1).max(8192), activation }),
  z.strictObject({ type: z.literal('dropout'), rate: z.number().min(0).max(0.95) }),
  z.strictObject({ type: z.literal('batchNorm') }),
  z.strictObject({ type: z.literal('flatten') }),
  z.strictObject({ type: z.literal('globalAvgPool') }),
]);
const layers = z.array(layer).max(64);

const hyper = z.strictObject({
  epochs: z.number().int().min(1).max(1000),
  batchSize: z.number().int().min(1).max(8192),
  optimizer: z.enum(['adam', 'rmsprop', 'sgd']),
  learningRate: z.number().positive().max(10),
  decay: z.number().min(0).max(1),
  schedule: z.enum(['none', 'cosine', 'step']),
  validationSplit: z.number().min(0).max(0.5),
  augment: z.strictObject({ shift: z.number().int().min(0).max(8), flip: z.boolean() }),
  labelSmoothing: z.number().min(0).max(0.5),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  patience: z.number().int().min(0).max(1000),
  limit: z.number().int().min(0).max(10_000_000),
});

const epochMetrics = z.strictObject({
  epoch: z.number().int().min(0),
  loss: finite,
  acc: finite,
  valLoss: finite.nullable(),
  valAcc: finite.nullable(),
  lr: finite,
  ms: finite,
});
const testMetrics = z.strictObject({
  loss: finite,
  acc: finite,
  confusion: z.array(z.array(z.number().int().min(0)).max(1000)).max(1000).optional(),
  count: z.number().int().min(0).optional(),
});
const checksums = z.record(z.string().max(64), z.string().max(128));
const jsonObject = z.record(z.string(), z.unknown());

const modelMeta = z.strictObject({
  id: id.optional(),
  name,
  preset: z.string().max(64),
  layers,
  hyper,
  history: z.array(epochMetrics).max(10_000),
  testMetrics: testMetrics.nullable(),
  backend: z.string().max(32),
  trainingMs: finite.min(0),
  datasetId: id,
  datasetChecksums: checksums,
  params: z.number().int().min(0),
  builtIn: z.boolean().optional(),
});

const run = z.strictObject({
  id,
  name,
  preset: z.string().max(64),
  layers,
  hyper,
  backend: z.string().max(32),
  startedAt: z.string().max(40),
  endedAt: z.string().max(40),
  state: z.enum(['completed', 'stopped', 'early-stopped', 'failed']),
  history: z.array(epochMetrics).max(10_000),
  bestEpoch: z.number().int().min(0).nullable(),
  testMetrics: testMetrics.nullable(),
  imagesPerSecond: finite.min(0),
  modelId: id.nullable(),
  error: z.string().max(2000).optional(),
});

const MB = 1024 * 1024;

/** Reused by the stores to check the JSON they read back from disk or an imported meta.json. */
export const schemas = { modelMeta, run };

export const validators: { [C in Channel]: z.ZodType<Req<C>> } = {
  'app:info': z.tuple([]),
  'datasets:list': z.tuple([]),
  'datasets:status': z.tuple([id]),
  'datasets:load': z.tuple([id]),
  'datasets:download': z.tuple([id]),
  'datasets:cancelDownload': z.tuple([id]),
  'datasets:import': z.tuple([
    z.strictObject({
      id,
      name: name.optional(),
      classNames: z.array(name).min(2).max(1000).optional(),
      files: z.array(file(100 * MB)).min(1).max(4),
    }),
  ]),
  'models:list': z.tuple([]),
  'models:save': z.tuple([
    z.strictObject({ meta: modelMeta, modelJson: jsonObject, weights: bytes(256 * MB) }),
  ]),
  'models:load': z.tuple([id]),
  'models:rename': z.tuple([id, name]),
  'models:delete': z.tuple([id]),
  'models:updateMeta': z.tuple([id, z.strictObject({ testMetrics: testMetrics.nullable().optional() })]),
  'models:export': z.tuple([id]),
  'models:import': z.tuple([z.array(file(256 * MB)).min(1).max(16)]),
  'models:getActive': z.tuple([]),
  'models:setActive': z.tuple([id]),
  'runs:list': z.tuple([]),
  'runs:save': z.tuple([run]),
  'runs:get': z.tuple([id]),
  'runs:delete': z.tuple([id]),
} as { [C in Channel]: z.ZodType<Req<C>> };
