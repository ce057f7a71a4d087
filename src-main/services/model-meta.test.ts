// A model knows its dataset, class names, input shape and pixel scale (issue 10.4, 14): meta.json
// files of earlier versions are migrated when read, imports without one are marked as assumed, and
// test metrics measured on another dataset are refused.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST, defaultClassNames } from './dataset-catalog';
import { TailorError } from './errors';
import { parseJsonObject } from './json';
import { applyPatch, metaFromImport, parseStoredMeta } from './model-meta';
import type { ModelIo } from './model-validate';
import type { ModelMeta } from '../../src-shared/types/model';

const FASHION_IO: ModelIo = { inputShape: [28, 28, 1], classes: 10 };
const rawChecksums = Object.fromEntries(Object.entries(FASHION_MNIST.parts).map(([p, v]) => [p, v.rawMd5]));

/** meta.json as versions before the dataset/classNames/inputShape/pixelScale fields wrote it. */
function legacyMeta(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'old',
    name: 'Old model',
    preset: 'report-fixed',
    layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }],
    hyper: {
      epochs: 2, batchSize: 128, optimizer: 'adam', learningRate: 0.001, decay: 0, schedule: 'none', validationSplit: 0.1,
      augment: { shift: 0, flip: false }, labelSmoothing: 0, seed: 42, patience: 0, limit: 0,
    },
    history: [],
    testMetrics: null,
    backend: 'wasm',
    trainingMs: 1000,
    createdAt: '2025-01-01T00:00:00.000Z',
    datasetId: 'fashion-mnist',
    datasetChecksums: { trainImages: 'cf8536b0aa1a6ac5fa3f23001093305c' },
    params: 7850,
    ...over,
  };
}

function failure(fn: () => unknown): TailorError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TailorError);
    return err as TailorError;
  }
  throw new Error('expected a TailorError');
}

describe('meta.json of earlier versions', () => {
  it('the shipped model: Fashion-MNIST with its class names, 28×28×1, pixels /255, and the photos it also learnt from', async () => {
    const json = parseJsonObject(await readFile(join(import.meta.dirname, '../../resources/model/meta.json')), 'meta.json');
    const meta = parseStoredMeta(json, 'builtin', true, FASHION_IO);
    expect(meta.dataset).toEqual({ id: 'fashion-mnist', name: 'Fashion-MNIST', checksums: rawChecksums });
    expect(meta.classNames).toEqual([...FASHION_MNIST.classNames]);
    expect(meta.inputShape).toEqual([28, 28, 1]);
    expect(meta.hyper.pixelScale).toBe('unit');
    expect(meta.photoSet?.mapping['shoes']).toEqual(['Sandal', 'Sneaker', 'Ankle boot']);
    expect(meta.photoSet?.photos).toBeGreaterThan(2000);
    expect(meta.hyper.augment.photo).toBeDefined();
    expect(meta).not.toHaveProperty('datasetId');
    expect(meta).not.toHaveProperty('pixelScaleAssumed');
  });

  it('the first shipped model’s meta.json (datasetId, no class names) is migrated on read', () => {
    const meta = parseStoredMeta(legacyMeta({ id: 'builtin', datasetId: 'fashion-mnist', datasetChecksums: rawChecksums }), 'builtin', true, FASHION_IO);
    expect(meta.dataset).toEqual({ id: 'fashion-mnist', name: 'Fashion-MNIST', checksums: rawChecksums });
    expect(meta.classNames).toEqual([...FASHION_MNIST.classNames]);
    expect(meta).not.toHaveProperty('datasetId');
  });

  it('an imported dataset keeps its recorded checksums; class names are 0…n−1 from the outputs', () => {
    const json = legacyMeta({ datasetId: 'kmnist', datasetChecksums: { trainImages: 'aa', testImages: 'bb' } });
    const meta = parseStoredMeta(json, 'old', false, { inputShape: [32, 32, 1], classes: 5 });
    expect(meta.dataset).toEqual({ id: 'kmnist', name: 'kmnist', checksums: { trainImages: 'aa', testImages: 'bb' } });
    expect(meta.classNames).toEqual(['0', '1', '2', '3', '4']);
    expect(meta.inputShape).toEqual([32, 32, 1]);
  });

  it('Fashion-MNIST with another class count gets numbered names', () => {
    const meta = parseStoredMeta(legacyMeta(), 'old', false, { inputShape: [28, 28, 1], classes: 3 });
    expect(meta.classNames).toEqual(defaultClassNames(2));
  });

  it('a meta.json whose class names or input size contradict the model is damaged', () => {
    const today = parseStoredMeta(legacyMeta(), 'old', false, FASHION_IO);
    expect(failure(() => parseStoredMeta({ ...today, classNames: ['a', 'b'] }, 'old', false, FASHION_IO))).toMatchObject({
      code: 'corrupt',
      message: 'meta.json names 2 classes but the model has 10 outputs',
    });
    expect(failure(() => parseStoredMeta({ ...today, inputShape: [32, 32, 1] }, 'old', false, FASHION_IO)).message).toBe(
      'meta.json says the model takes 32×32 images but it takes 28×28',
    );
  });
});

describe('an import without Tailor’s meta.json', () => {
  const specs = [{ name: 'k', shape: [784, 10], dtype: 'float32' }];

  it('is assumed to take pixels /255, and a 28×28, 10-class model to be a Fashion-MNIST one — both marked', () => {
    const meta = metaFromImport(undefined, specs, FASHION_IO);
    expect(meta).toMatchObject({ pixelScaleAssumed: true, datasetAssumed: true, classNames: [...FASHION_MNIST.classNames], params: 7840 });
    expect(meta.hyper.pixelScale).toBe('unit');
    expect(meta.dataset.id).toBe('fashion-mnist');
  });

  it('of another shape has an unknown dataset and numbered classes', () => {
    const meta = metaFromImport(undefined, specs, { inputShape: [32, 32, 1], classes: 4 });
    expect(meta.dataset).toEqual({ id: '', name: 'Unknown dataset', checksums: {} });
    expect(meta.classNames).toEqual(['0', '1', '2', '3']);
    expect(meta.inputShape).toEqual([32, 32, 1]);
  });

  it('with an older Tailor meta.json is migrated, not assumed', () => {
    const meta = metaFromImport(new TextEncoder().encode(JSON.stringify(legacyMeta())), specs, FASHION_IO);
    expect(meta).toMatchObject({ name: 'Old model', dataset: { id: 'fashion-mnist' } });
    expect(meta).not.toHaveProperty('pixelScaleAssumed');
  });
});

describe('models:updateMeta patches', () => {
  const own = (): ModelMeta => ({
    ...parseStoredMeta(legacyMeta({ datasetId: 'digits', datasetChecksums: { trainImages: 'aa', testImages: 'bb' } }), 'm', false, FASHION_IO),
  });
  const metrics = { loss: 0.2, acc: 0.9 };

  it('stores metrics measured on the model’s own dataset', () => {
    const next = applyPatch(own(), { testMetrics: { measuredOn: { id: 'digits', checksums: { trainImages: 'aa', testImages: 'bb' } }, metrics } });
    expect(next.testMetrics).toEqual(metrics);
  });

  it.each([
    ['another dataset', { id: 'fashion-mnist', checksums: { trainImages: 'aa', testImages: 'bb' } }, /trained on digits, the metrics are from "fashion-mnist"/],
    ['the same id with other files', { id: 'digits', checksums: { trainImages: 'aa', testImages: 'zz' } }, /digits has changed since: its testImages differs/],
    ['the same id without checksums', { id: 'digits', checksums: {} }, /its trainImages differs/],
  ])('refuses metrics measured on %s, as a conflict', (_what, measuredOn, message) => {
    const err = failure(() => applyPatch(own(), { testMetrics: { measuredOn, metrics } }));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/^These test metrics were not measured on the data "Old model" was trained on/);
    expect(err.message).toMatch(message);
  });

  it('never stores metrics for a model whose dataset is unknown', () => {
    const meta = { ...own(), dataset: { id: '', name: 'Unknown dataset', checksums: {} } };
    expect(failure(() => applyPatch(meta, { testMetrics: { measuredOn: { id: 'digits', checksums: {} }, metrics } })).code).toBe('conflict');
  });

  it('refuses a confusion matrix of another class count', () => {
    const measuredOn = { id: 'digits', checksums: { trainImages: 'aa', testImages: 'bb' } };
    const err = failure(() => applyPatch(own(), { testMetrics: { measuredOn, metrics: { ...metrics, confusion: [[1, 0], [0, 1]] } } }));
    expect(err).toMatchObject({ code: 'invalid-argument', message: 'The confusion matrix has 2 rows; the model has 10 classes' });
  });

  it('sets the pixel scale and drops the "assumed" mark', () => {
    const meta = { ...own(), pixelScaleAssumed: true };
    const next = applyPatch(meta, { pixelScale: 'raw' });
    expect(next.hyper.pixelScale).toBe('raw');
    expect(next).not.toHaveProperty('pixelScaleAssumed');
  });
});
