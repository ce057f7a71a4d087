// What Tailor records beside a model (meta.json), checked whenever it is read back: a hand-edited or
// foreign meta.json must surface as a damaged model, not as a crash in the renderer.
import { z } from 'zod';
import type { ModelMeta } from '../../src-shared/types/model';
import type { Hyperparameters } from '../../src-shared/types/train';
import { schemas } from '../validators';
import { TailorError } from './errors';
import { parseJsonObject, type WeightSpec } from './model-validate';

// Hyperparameters are only known for models trained here; imported ones record zeros, so meta.json
// is read with types checked but not the ranges the save channel enforces.
const UNKNOWN_HYPER: Hyperparameters = {
  epochs: 0,
  batchSize: 0,
  optimizer: 'adam',
  learningRate: 0,
  decay: 0,
  schedule: 'none',
  validationSplit: 0,
  augment: { shift: 0, flip: false },
  labelSmoothing: 0,
  seed: 0,
  patience: 0,
  limit: 0,
};
const num = z.number().finite();
const storedMeta = schemas.modelMeta.extend({
  id: z.string().max(64),
  createdAt: z.string().max(40),
  hyper: z.strictObject({
    epochs: num,
    batchSize: num,
    optimizer: z.enum(['adam', 'rmsprop', 'sgd']),
    learningRate: num,
    decay: num,
    schedule: z.enum(['none', 'cosine', 'step']),
    validationSplit: num,
    augment: z.strictObject({ shift: num, flip: z.boolean() }),
    labelSmoothing: num,
    seed: num,
    patience: num,
    limit: num,
  }),
});
const importedMeta = storedMeta.partial({ id: true, createdAt: true });

/** meta.json as read from disk; the folder decides the id and whether the model is built in. */
export function parseStoredMeta(json: unknown, id: string, builtIn: boolean): ModelMeta {
  const parsed = storedMeta.safeParse(json);
  if (!parsed.success) throw new TailorError('corrupt', `meta.json is not a model description: ${describeIssue(parsed.error)}`);
  const { builtIn: _builtIn, ...meta } = parsed.data;
  return builtIn ? { ...meta, id, builtIn: true } : { ...meta, id };
}

/** Refuses to write a meta.json that parseStoredMeta would later call damaged. */
export function checkStorable(meta: ModelMeta): void {
  const parsed = storedMeta.safeParse(meta);
  if (!parsed.success) throw new TailorError('invalid-argument', `Model description: ${describeIssue(parsed.error)}`);
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'rejected';
}

/** Stands in for a meta.json that cannot be read, so the damaged model is still listed by its id. */
export function unknownMeta(id: string, builtIn: boolean): ModelMeta {
  return {
    id,
    name: id,
    preset: 'unknown',
    layers: [],
    hyper: UNKNOWN_HYPER,
    history: [],
    testMetrics: null,
    backend: '',
    trainingMs: 0,
    createdAt: '',
    datasetId: 'fashion-mnist',
    datasetChecksums: {},
    params: 0,
    ...(builtIn ? { builtIn: true } : {}),
  };
}

/** The description of an imported model: its meta.json when it has a valid one (a Tailor export). */
export function metaFromImport(bytes: Uint8Array | undefined, specs: WeightSpec[]): Omit<ModelMeta, 'id' | 'createdAt'> {
  const params = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  let described: z.infer<typeof importedMeta> | null = null;
  try {
    if (bytes) described = importedMeta.parse(parseJsonObject(bytes, 'meta.json'));
  } catch {
    // A foreign or damaged meta.json does not make the model itself unusable.
  }
  if (!described) {
    const { id: _id, createdAt: _createdAt, builtIn: _builtIn, ...base } = unknownMeta('', false);
    return { ...base, name: 'Imported model', preset: 'imported', params };
  }
  const { id: _id, createdAt: _createdAt, builtIn: _builtIn, ...meta } = described;
  return { ...meta, params };
}
