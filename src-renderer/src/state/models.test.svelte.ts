import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { ModelMeta } from '../../../src-shared/types/model';
import type { LayerSpec } from '../../../src-shared/types/train';
import { buildModel } from '../ml/layers';
import { DEFAULT_HYPERPARAMETERS } from '../ml/presets';
import { modelToArtifacts } from '../ml/serialize';
import { DatasetState } from './dataset.svelte';
import { MlState } from './ml.svelte';
import { ModelsState } from './models.svelte';
import { fakeApi, inThreadWorker, makeDataset } from './test-doubles';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const layers = (classes: number): LayerSpec[] => [{ type: 'flatten' }, { type: 'dense', units: classes, activation: 'softmax' }];

/** Main, the worker and the three state objects; `saveModel` stores a model trained on `trainedOn`. */
async function app(datasets: DatasetPayload[]) {
  const fake = fakeApi(datasets);
  const { client, worker } = inThreadWorker();
  const dataset = new DatasetState(fake.api);
  dataset.selectedId = datasets[0]!.id;
  const ml = new MlState({ start: () => client, dataset });
  const models = new ModelsState({ api: fake.api, ml });
  const saveModel = async (trainedOn: DatasetPayload, extra: Partial<ModelMeta> = {}, seed = 1) => {
    const classes = trainedOn.classNames.length;
    const m = buildModel(layers(classes), { seed, inputShape: [trainedOn.rows, trainedOn.cols, 1], classes });
    const files = await modelToArtifacts(m);
    m.dispose();
    const meta = {
      name: `Model on ${trainedOn.name}`,
      preset: 'custom',
      layers: layers(classes),
      hyper: { ...DEFAULT_HYPERPARAMETERS, pixelScale: 'unit' as const },
      history: [],
      testMetrics: { loss: 9, acc: 0.01 },
      backend: 'cpu',
      trainingMs: 1,
      dataset: { id: trainedOn.id, name: trainedOn.name, checksums: trainedOn.checksums },
      classNames: trainedOn.classNames,
      inputShape: [trainedOn.rows, trainedOn.cols, 1] as [number, number, 1],
      params: 0,
      ...extra,
    };
    return fake.seed(meta, files);
  };
  return { fake, worker, dataset, ml, models, saveModel };
}

describe('ModelsState: the current model', () => {
  it('loads the active model on first use, with its own class names and dataset', async () => {
    const toy = makeDataset();
    const a = await app([toy]);
    const id = await a.saveModel(toy);
    a.fake.setActive(id);
    expect(await a.models.ensureCurrent()).toBe(true);
    expect(a.models.current).toMatchObject({ id, name: 'Model on Toy set', classNames: toy.classNames, dataset: { id: 'toy' }, builtIn: false });
    expect(a.worker.current?.key).toBe(a.models.current?.key);
    // Concurrent callers share one load.
    await Promise.all([a.models.ensureCurrent(), a.models.ensureCurrent()]);
    expect(a.fake.of('models:load')).toHaveLength(1);
  });

  it('says there is no model yet when none is saved', async () => {
    const a = await app([makeDataset()]);
    expect(await a.models.ensureCurrent()).toBe(false);
    expect(a.models.error).toMatch(/^No model yet/);
  });

  it('numbers the class names of a model whose record has none that fit', async () => {
    const toy = makeDataset();
    const a = await app([toy]);
    const id = await a.saveModel(toy, { classNames: ['only', 'two'] });
    await a.models.use(id);
    expect(a.models.current?.classNames).toEqual(['Class 0', 'Class 1', 'Class 2']);
  });

  it('reloads the current model in the worker when its pixel scale is corrected', async () => {
    const toy = makeDataset();
    const a = await app([toy]);
    const id = await a.saveModel(toy, { pixelScaleAssumed: true });
    await a.models.use(id);
    expect(a.worker.current?.pixelScale).toBe('unit');
    expect(a.models.current?.pixelScaleAssumed).toBe(true);
    await a.models.setPixelScale(id, 'raw');
    expect(a.models.error).toBeNull();
    expect(a.fake.of('models:updateMeta')[0]?.args).toEqual([id, { pixelScale: 'raw' }]);
    expect(a.worker.current?.pixelScale).toBe('raw');
    expect(a.models.current).toMatchObject({ id, pixelScaleAssumed: false, info: { pixelScale: 'raw' } });
  });

  it('keeps the current model in step with renames and deletes', async () => {
    const toy = makeDataset();
    const a = await app([toy]);
    const id = await a.saveModel(toy);
    await a.models.use(id);
    await a.models.rename(id, 'Renamed');
    expect(a.models.current?.name).toBe('Renamed');
    await a.models.remove(id);
    expect(a.models.current).toMatchObject({ id: null, name: 'Renamed' }); // still in the worker, no longer saved
  });
});

describe('ModelsState: evaluation knows its model and its dataset (issue 10, item 4)', () => {
  it('records metrics measured on the model’s own dataset, saying which one', async () => {
    const toy = makeDataset();
    const a = await app([toy]);
    const id = await a.saveModel(toy);
    await a.models.use(id);
    const result = await a.models.evaluateCurrent();
    expect(a.models.error).toBeNull();
    expect(result).toMatchObject({ recorded: true, note: null, datasetId: 'toy', datasetName: 'Toy set', classNames: toy.classNames, modelName: 'Model on Toy set' });
    const [patchId, patch] = a.fake.of('models:updateMeta')[0]!.args as [string, { testMetrics: { measuredOn: unknown; metrics: { acc: number } } }];
    expect(patchId).toBe(id);
    expect(patch.testMetrics.measuredOn).toEqual({ id: 'toy', checksums: toy.checksums });
    expect(patch.testMetrics.metrics.acc).toBe(result!.evaluation.acc);
    expect(a.models.list.find((m) => m.id === id)?.testMetrics?.acc).toBe(result!.evaluation.acc);
  });

  it('evaluates on another dataset of the same shape but leaves the model’s record alone, and says why', async () => {
    const toy = makeDataset();
    const digits = makeDataset({ id: 'digits', name: 'Digits', seed: 5 });
    const a = await app([digits, toy]);
    const id = await a.saveModel(toy);
    await a.models.use(id);
    const result = await a.models.evaluateCurrent();
    expect(result).toMatchObject({ recorded: false, datasetId: 'digits', classNames: toy.classNames });
    expect(result!.note).toBe('Measured on Digits; it was trained on Toy set, so the test metrics kept with Model on Toy set are unchanged.');
    expect(a.fake.of('models:updateMeta')).toEqual([]);
  });

  it('does not record metrics when the dataset’s files changed since the model was trained', async () => {
    const toy = makeDataset();
    const a = await app([toy]);
    const id = await a.saveModel(toy, { dataset: { id: 'toy', name: 'Toy set', checksums: { ...toy.checksums, trainImages: 'older' } } });
    await a.models.use(id);
    const result = await a.models.evaluateCurrent();
    expect(result?.note).toMatch(/the files of Toy set changed since it was trained/);
    expect(a.fake.of('models:updateMeta')).toEqual([]);
  });

  it('refuses a dataset whose image size or class count does not fit the model, before asking the worker', async () => {
    const big = makeDataset({ id: 'big', name: 'Big', side: 12 });
    const four = makeDataset({ id: 'four', name: 'Four', classes: 4 });
    const toy = makeDataset();
    const a = await app([big, four, toy]);
    const id = await a.saveModel(toy);
    await a.models.use(id);
    expect(await a.models.evaluateCurrent()).toBeNull();
    expect(a.models.error).toBe('This model takes 8×8 images and Big has 12×12 images: pick a dataset of its size, or a model trained on Big.');
    await a.dataset.select('four');
    expect(await a.models.evaluateCurrent()).toBeNull();
    expect(a.models.error).toMatch(/^This model tells 3 classes apart and Four has 4/);
    expect(a.models.evaluation).toBeNull();
  });

  it('forgets an evaluation when another model becomes current', async () => {
    const toy = makeDataset();
    const a = await app([toy]);
    const first = await a.saveModel(toy, {}, 1);
    const second = await a.saveModel(toy, { name: 'Second' }, 2);
    await a.models.use(first);
    await a.models.evaluateCurrent();
    expect(a.models.evaluation).not.toBeNull();
    await a.models.use(second);
    expect(a.models.evaluation).toBeNull();
  });
});
