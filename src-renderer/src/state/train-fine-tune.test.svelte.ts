// Fine-tuning from a saved model in the Train state, with the real worker (tfjs cpu): the run
// starts from the model's weights with the recipe's settings, a new output layer for other
// classes (or the model's own kept), Fashion-MNIST-like data mixed in by class name, and the
// result is an ordinary saved model with the dataset's class names.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { LayerSpec } from '../../../src-shared/types/train';
import { buildModel } from '../ml/layers';
import { modelToArtifacts } from '../ml/serialize';
import { DatasetState } from './dataset.svelte';
import { MlState } from './ml.svelte';
import { ModelsState } from './models.svelte';
import { fakeApi, inThreadWorker, makeDataset } from './test-doubles';
import { TrainState } from './train.svelte';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny = (classes: number): LayerSpec[] => [
  { type: 'conv2d', filters: 2, kernel: 3, padding: 'same', activation: 'relu' },
  { type: 'flatten' },
  { type: 'dense', units: classes, activation: 'softmax' },
];

/** Three toy sets of 8×8 images: the base model's, one with other classes, and one sharing two of its classes. */
function sets() {
  const base = makeDataset({ id: 'base', name: 'Base', classes: 3 });
  const other = { ...makeDataset({ id: 'mine', name: 'Mine', classes: 2, seed: 3 }), classNames: ['caps', 'socks'] };
  const mapped = { ...makeDataset({ id: 'fashion-mnist', name: 'Fashion-like', classes: 3, seed: 5 }), classNames: base.classNames };
  return { base, other, mapped };
}

async function app(datasets: DatasetPayload[], selected: string) {
  const fake = fakeApi(datasets);
  const { client } = inThreadWorker();
  const dataset = new DatasetState(fake.api);
  dataset.selectedId = selected;
  const ml = new MlState({ start: () => client, dataset });
  const models = new ModelsState({ api: fake.api, ml });
  const calls: unknown[] = [];
  const spy = { call: ((method: string, arg: unknown, transfer?: Transferable[]) => (method === 'train' && calls.push(arg), client.call(method as 'train', arg as never, transfer))) as typeof client.call, on: client.on.bind(client) };
  const train = new TrainState({ ml: { client: spy, ensureData: () => ml.ensureData() }, models, dataset, notifier: { ask: async () => undefined, inBackground: () => undefined }, newRunId: () => 'run-1' });
  await dataset.ensureLoaded();
  const b = datasets.find((d) => d.id === 'base')!;
  const m = buildModel(tiny(3), { seed: 9, inputShape: [8, 8, 1], classes: 3 });
  const files = await modelToArtifacts(m);
  m.dispose();
  const hyper = { ...train.hyper, pixelScale: 'unit' as const };
  const id = fake.seed({ name: 'Shipped', preset: 'best', layers: tiny(3), hyper, history: [], testMetrics: null, backend: 'cpu', trainingMs: 0, dataset: { id: 'base', name: 'Base', checksums: b.checksums }, classNames: b.classNames, inputShape: [8, 8, 1], params: 0, builtIn: true }, files);
  await models.refresh();
  return { fake, models, train, calls, id };
}

describe('fine-tuning from a saved model', () => {
  it('gives other classes a new output layer and saves an ordinary model with their names', async () => {
    const { base, other } = sets();
    const a = await app([base, other], 'mine');
    a.train.startFrom(a.id);
    expect(a.train.baseModel?.name).toBe('Shipped');
    expect(a.train.headKept).toBe(false);
    expect(a.train.hyper).toMatchObject({ epochs: 15, learningRate: 1e-3, batchSize: 64, augment: { photo: expect.any(Object) } });
    expect(a.train.fineTune).toEqual({ freezeLayers: 0, baseLrFactor: 1, balance: 0.5 });
    expect(a.train.runLayers.at(-1)).toMatchObject({ type: 'dense', units: 2 });
    expect(a.train.validates).toBe(false); // the set's held-out photos score it: no validation curves
    a.train.hyper = { ...a.train.hyper, epochs: 1, batchSize: 16 };
    await a.train.start();
    expect(a.train.error).toBeNull();
    expect(a.train.outcome?.startedFrom).toEqual({ headKept: false, frozen: [] });
    expect(a.train.validates).toBe(false);
    const saved = a.fake.models.get(a.train.savedModelId!)!.meta;
    expect(saved).toMatchObject({ preset: 'fine-tune', classNames: ['caps', 'socks'], dataset: { id: 'mine' }, name: expect.stringMatching(/^Shipped tuned on Mine · /) });
    expect(a.calls[0]).toMatchObject({ startFrom: { meta: { classNames: base.classNames } }, fineTune: { freezeLayers: 0, baseLrFactor: 1, balance: 0.5 } });
    expect((a.calls[0] as { mix?: unknown }).mix).toBeUndefined();
  });

  it('keeps the output layer for the model’s own classes and mixes in the classes another set shares', async () => {
    const { base, mapped } = sets();
    const photos = { ...makeDataset({ id: 'photos', name: 'Photos', classes: 3, seed: 8 }), classNames: base.classNames };
    // The mix source shares two of the three classes by name: the third is left out of the mix.
    const fm = { ...mapped, classNames: [base.classNames[0]!, 'Other', base.classNames[2]!] };
    const a = await app([base, photos, fm], 'photos');
    a.train.startFrom(a.id);
    a.train.mixWith = 'fashion-mnist';
    expect(a.train.headKept).toBe(true);
    expect(a.train.hyper).toMatchObject({ epochs: 8, learningRate: 5e-4 });
    expect(a.train.fineTune).toEqual({ freezeLayers: 0, baseLrFactor: 0.3, balance: 0.5 });
    a.train.hyper = { ...a.train.hyper, epochs: 1, batchSize: 16 };
    await a.train.start();
    expect(a.train.error).toBeNull();
    expect(a.train.outcome?.startedFrom?.headKept).toBe(true);
    const mix = (a.calls[0] as { mix: { labels: Uint8Array; ratio: number } }).mix;
    expect(new Set(mix.labels)).toEqual(new Set([0, 2]));
    expect(mix.labels.length).toBe(fm.train.labels.filter((l) => l !== 1).length);
  });
});
