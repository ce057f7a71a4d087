// What Tailor records beside a model (meta.json), checked whenever it is read back: a hand-edited or
// foreign meta.json must surface as a damaged model, not as a crash in the renderer. meta.json files
// written by earlier versions are migrated as they are read (model-meta-migrate.ts).
import { z } from 'zod';
import { modelMetaSchema } from '../../src-shared/schemas/model';
import { hyperparametersSchema, photoAugmentSchema } from '../../src-shared/schemas/train';
import type { DatasetRef, MeasuredOn, ModelMeta, ModelMetaPatch } from '../../src-shared/types/model';
import type { Hyperparameters } from '../../src-shared/types/train';
import { TailorError } from './errors';
import { parseJsonObject } from './json';
import { assumedDataset, migrateMeta } from './model-meta-migrate';
import type { TopologyIo } from './model-topology';
import type { ModelIo, WeightSpec } from './model-validate';

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
  pixelScale: 'unit',
};
const num = z.number().finite();
const storedHyper = hyperparametersSchema.extend({
  epochs: num,
  batchSize: num,
  learningRate: num,
  decay: num,
  validationSplit: num,
  augment: z.strictObject({ shift: num, flip: z.boolean(), photo: photoAugmentSchema.optional() }),
  labelSmoothing: num,
  seed: num,
  patience: num,
  limit: num,
});
const storedMeta = modelMetaSchema.extend({ id: z.string().max(64), hyper: storedHyper });
const importedMeta = storedMeta.partial({ id: true, createdAt: true });

/** meta.json as read from disk; the folder decides the id and whether the model is built in. */
export function parseStoredMeta(json: Record<string, unknown>, id: string, builtIn: boolean, io: TopologyIo): ModelMeta {
  const parsed = storedMeta.safeParse(migrateMeta(json, io));
  if (!parsed.success) throw new TailorError('corrupt', `meta.json is not a model description: ${describeIssue(parsed.error)}`);
  const { builtIn: _builtIn, ...meta } = parsed.data;
  checkMetaFitsModel(meta, io, 'corrupt');
  return builtIn ? { ...meta, id, builtIn: true } : { ...meta, id };
}

/** Refuses to write a meta.json that parseStoredMeta would later call damaged. */
export function checkStorable(meta: ModelMeta, io: TopologyIo): void {
  const parsed = storedMeta.safeParse(meta);
  if (!parsed.success) throw new TailorError('invalid-argument', `Model description: ${describeIssue(parsed.error)}`);
  checkMetaFitsModel(meta, io, 'invalid-argument');
}

/** The description must tell the truth about the network: its input size and its class list. */
function checkMetaFitsModel(meta: Pick<ModelMeta, 'classNames' | 'inputShape'>, io: TopologyIo, code: 'corrupt' | 'invalid-argument'): void {
  if (io.classes !== null && meta.classNames.length !== io.classes) {
    throw new TailorError(code, `meta.json names ${meta.classNames.length} classes but the model has ${io.classes} outputs`);
  }
  const [rows, cols] = meta.inputShape;
  if (io.inputShape && (rows !== io.inputShape[0] || cols !== io.inputShape[1])) {
    throw new TailorError(code, `meta.json says the model takes ${rows}×${cols} images but it takes ${io.inputShape[0]}×${io.inputShape[1]}`);
  }
}

export function describeIssue(error: z.ZodError): string {
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
    dataset: { id: '', name: '', checksums: {} },
    classNames: ['0', '1'],
    inputShape: [28, 28, 1],
    params: 0,
    ...(builtIn ? { builtIn: true } : {}),
  };
}

/**
 * The description of an imported model: its meta.json when it has a valid one (a Tailor export).
 * Without one, the dataset, class names and pixel scale are inferred and marked as assumed.
 */
export function metaFromImport(bytes: Uint8Array | undefined, specs: WeightSpec[], io: ModelIo): Omit<ModelMeta, 'id' | 'createdAt'> {
  const params = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  let described: z.infer<typeof importedMeta> | null = null;
  try {
    if (bytes) described = importedMeta.parse(migrateMeta(parseJsonObject(bytes, 'meta.json'), io));
  } catch {
    // A foreign or damaged meta.json does not make the model itself unusable.
  }
  if (!described) {
    const { dataset, classNames } = assumedDataset(io);
    return {
      name: 'Imported model',
      preset: 'imported',
      layers: [],
      hyper: UNKNOWN_HYPER,
      history: [],
      testMetrics: null,
      backend: '',
      trainingMs: 0,
      dataset,
      classNames,
      inputShape: io.inputShape,
      params,
      pixelScaleAssumed: true,
      datasetAssumed: true,
    };
  }
  const { id: _id, createdAt: _createdAt, builtIn: _builtIn, ...meta } = described;
  checkMetaFitsModel(meta, io, 'invalid-argument');
  return { ...meta, params };
}

/** Applies models:updateMeta's patch. Metrics measured on another dataset are refused, never stored. */
export function applyPatch(meta: ModelMeta, patch: ModelMetaPatch): ModelMeta {
  let next = meta;
  if (patch.testMetrics === null) next = { ...next, testMetrics: null };
  else if (patch.testMetrics) {
    checkMeasuredOn(meta, patch.testMetrics.measuredOn);
    const confusion = patch.testMetrics.metrics.confusion;
    if (confusion && confusion.length !== meta.classNames.length) {
      throw new TailorError('invalid-argument', `The confusion matrix has ${confusion.length} rows; the model has ${meta.classNames.length} classes`);
    }
    next = { ...next, testMetrics: patch.testMetrics.metrics };
  }
  if (patch.pixelScale) {
    const { pixelScaleAssumed: _assumed, ...rest } = next;
    next = { ...rest, hyper: { ...rest.hyper, pixelScale: patch.pixelScale } };
  }
  return next;
}

function checkMeasuredOn(meta: ModelMeta, measured: MeasuredOn): void {
  const own: DatasetRef = meta.dataset;
  const refuse = (why: string) =>
    new TailorError('conflict', `These test metrics were not measured on the data "${meta.name}" was trained on (${why}); they were not saved`);
  if (!own.id) throw refuse('the model does not know its dataset');
  if (measured.id !== own.id) throw refuse(`it was trained on ${own.name || own.id}, the metrics are from "${measured.id}"`);
  for (const [part, md5] of Object.entries(own.checksums)) {
    if (measured.checksums[part] !== md5) throw refuse(`${own.name || own.id} has changed since: its ${part} differs`);
  }
}
