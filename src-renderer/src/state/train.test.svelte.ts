import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { LayerSpec } from '../../../src-shared/types/train';
import { buildModel } from '../ml/layers';
import { modelToArtifacts } from '../ml/serialize';
import type { Notifier } from '../lib/notify';
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

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The app's state objects over an in-memory main and the real worker (tfjs cpu), as instances.ts wires them. */
async function app(datasets: DatasetPayload[] = [makeDataset()]) {
  const fake = fakeApi(datasets);
  const { client, worker } = inThreadWorker();
  const dataset = new DatasetState(fake.api);
  dataset.selectedId = datasets[0]!.id;
  const ml = new MlState({ start: () => client, dataset });
  const models = new ModelsState({ api: fake.api, ml });
  const notes: string[] = [];
  const notifier: Notifier = { ask: async () => undefined, inBackground: (title, body) => void notes.push(`${title}: ${body}`) };
  const train = new TrainState({ ml, models, dataset, notifier, newRunId: () => 'run-1' });
  await dataset.ensureLoaded();
  train.layers = tiny(datasets[0]!.classNames.length);
  train.hyper = { ...train.hyper, epochs: 2, batchSize: 16, validationSplit: 0, limit: 0, seed: 11, pixelScale: 'unit' };
  return { fake, worker, dataset, ml, models, train, notes };
}

/** The shipped model of a first launch: saved, built in, active. */
async function shipBuiltin(a: Awaited<ReturnType<typeof app>>, data: DatasetPayload): Promise<{ id: string; weights: Uint8Array }> {
  const m = buildModel(tiny(data.classNames.length), { seed: 99, inputShape: [data.rows, data.cols, 1], classes: data.classNames.length });
  const files = await modelToArtifacts(m);
  m.dispose();
  const id = a.fake.seed(
    {
      name: 'Built-in',
      preset: 'best',
      layers: tiny(data.classNames.length),
      hyper: a.train.hyper,
      history: [],
      testMetrics: null,
      backend: 'wasm',
      trainingMs: 0,
      dataset: { id: data.id, name: data.name, checksums: data.checksums },
      classNames: data.classNames,
      inputShape: [data.rows, data.cols, 1],
      params: 0,
      builtIn: true,
    },
    files,
  );
  a.fake.setActive(id);
  return { id, weights: files.weights };
}

/** Makes one worker method fail as a crashed worker would. */
function failCall(a: Awaited<ReturnType<typeof app>>, failing: string, message: string): void {
  const call = a.ml.client.call.bind(a.ml.client);
  a.ml.client.call = ((method: string, ...rest: unknown[]) =>
    method === failing ? Promise.reject(new Error(message)) : (call as (...args: unknown[]) => unknown)(method, ...rest)) as typeof call;
}

type SaveArg = { meta: Record<string, unknown>; weights: Uint8Array };
const savedArg = (a: Awaited<ReturnType<typeof app>>): SaveArg => a.fake.of('models:save')[0]!.args[0] as SaveArg;

describe('TrainState: the trained model is the model kept (issue 10, item 1)', () => {
  it('first launch, train, open Classify during the run: the built-in load lands after the run ends and the save still holds the trained weights', async () => {
    // The same run with nothing else going on: the bytes a correct save must hold (cpu is deterministic).
    const quiet = await app();
    await quiet.train.start();
    const expected = savedArg(quiet).weights;

    const a = await app();
    const builtin = await shipBuiltin(a, a.dataset.data!);
    const loadGate = deferred();
    const saveGate = deferred();
    a.fake.gates.load = loadGate.promise; // the built-in model's files arrive only after the run has ended…
    a.fake.gates.save = saveGate.promise; // …and before its model is saved
    const run = a.train.start();
    await until(() => a.train.phase === 'training', 'training');
    const opened = a.models.ensureCurrent(); // Classify (or Evaluate) opens: no model is current yet
    await until(() => a.train.outcome !== null, 'the end of the run');
    loadGate.resolve();
    await opened;
    saveGate.resolve();
    await run;

    const saved = savedArg(a);
    expect(Array.from(saved.weights)).toEqual(Array.from(expected));
    expect(Array.from(saved.weights)).not.toEqual(Array.from(builtin.weights));
    // The load decided before the run ended did not replace the trained model: it is current, saved and active.
    const savedId = a.models.list.find((m) => !m.builtIn)!.id;
    expect(a.models.current).toMatchObject({ id: savedId, key: a.train.outcome!.info.key });
    expect(a.worker.current?.key).toBe(a.train.outcome!.info.key);
    expect(a.models.activeId).toBe(savedId);
    expect(a.train.error).toBeNull();
  });

  it('a model the user picks between the run end and its save is used, and the save still holds the trained weights', async () => {
    const quiet = await app();
    await quiet.train.start();
    const expected = savedArg(quiet).weights;

    const a = await app();
    const builtin = await shipBuiltin(a, a.dataset.data!);
    const saveGate = deferred();
    a.fake.gates.save = saveGate.promise;
    const run = a.train.start();
    await until(() => a.fake.of('models:save').length === 1, 'the save');
    expect(await a.models.use(builtin.id)).toBe(true); // an explicit choice replaces the current model at once
    saveGate.resolve();
    await run;

    expect(Array.from(savedArg(a).weights)).toEqual(Array.from(expected));
    expect(a.models.current).toMatchObject({ id: builtin.id, name: 'Built-in' });
    expect(a.models.activeId).toBe(builtin.id);
  });
});

describe('TrainState runs', () => {
  it('records the dataset it started on in the model and the run, and locks the selector while it trains', async () => {
    const other = makeDataset({ id: 'other', name: 'Other set', seed: 3 });
    const a = await app([makeDataset(), other]);
    const run = a.train.start();
    await until(() => a.train.phase === 'training', 'training');
    expect(a.dataset.lockedBy).not.toBeNull();
    await a.dataset.select('other');
    expect(a.dataset.selectedId).toBe('toy');
    expect(a.dataset.error).toMatch(/cannot change while a run trains on it/);
    await run;
    expect(a.dataset.lockedBy).toBeNull();
    const data = a.dataset.data!;
    const meta = savedArg(a).meta;
    expect(meta).toMatchObject({
      dataset: { id: 'toy', name: 'Toy set', checksums: data.checksums },
      classNames: data.classNames,
      inputShape: [8, 8, 1],
    });
    const record = a.fake.runs.get('run-1')!;
    expect(record).toMatchObject({ state: 'completed', dataset: { id: 'toy', checksums: data.checksums }, modelId: a.train.savedModelId });
    expect(record.history).toHaveLength(2);
    expect(a.notes).toEqual(['Tailor: Report CNN, corrected (custom) finished: Test accuracy 100.00% after 2 epochs']);
    await a.dataset.select('other');
    expect(a.dataset.selectedId).toBe('other');
  });

  it('trains a 3-class 12×12 set with the preset output layer resized, and the model knows its class names', async () => {
    const a = await app([makeDataset({ side: 12, classes: 3 })]);
    a.train.choosePreset('report-fixed');
    expect(a.train.layers.at(-1)).toMatchObject({ type: 'dense', units: 3 });
    expect(a.train.edited).toBe(false);
    a.train.layers = tiny(10); // a stack edited for Fashion-MNIST…
    expect(a.train.problems[0]?.message).toMatch(/Dense with 3 units/);
    a.train.fitOutput(); // …fitted to the selected dataset
    expect(a.train.problems).toEqual([]);
    await a.train.start();
    expect(a.train.error).toBeNull();
    expect(a.models.current).toMatchObject({ classNames: a.dataset.data!.classNames, info: { inputShape: [12, 12, 1], classes: 3 } });
    expect(savedArg(a).meta).toMatchObject({ inputShape: [12, 12, 1], classNames: a.dataset.data!.classNames });
  });

  it('keeps a raw-pixel run’s scale through save and reload: the worker feeds the reloaded model 0–255', async () => {
    const a = await app();
    a.train.hyper = { ...a.train.hyper, pixelScale: 'raw' };
    await a.train.start();
    expect(a.train.outcome?.info.pixelScale).toBe('raw');
    expect((savedArg(a).meta.hyper as { pixelScale: string }).pixelScale).toBe('raw');
    // Evaluating the freshly trained model and the reloaded one gives the same figures only if both get 0–255.
    const fresh = (await a.models.evaluateCurrent())!.evaluation;
    const b = await app();
    const [id, stored] = [...a.fake.models.entries()][0]!;
    b.fake.seed(stored.meta, stored, id);
    await b.models.use(id);
    expect(b.worker.current?.pixelScale).toBe('raw');
    const reloaded = (await b.models.evaluateCurrent())!.evaluation;
    expect(reloaded.loss).toBeCloseTo(fresh.loss, 5);
    expect(reloaded.confusion).toEqual(fresh.confusion);
  });

  it('records a failed run with its error and unlocks the dataset', async () => {
    const a = await app();
    failCall(a, 'train', 'The ML worker failed: out of memory');
    await a.train.start();
    expect(a.train.error).toBe('The ML worker failed: out of memory');
    expect(a.fake.runs.get('run-1')).toMatchObject({ state: 'failed', modelId: null, error: a.train.error });
    expect(a.fake.of('models:save')).toEqual([]);
    expect(a.dataset.lockedBy).toBeNull();
    expect(a.train.phase).toBe('idle');
  });

  it('stops on request, shows the stopping phase, and keeps the weights trained so far', async () => {
    const a = await app([makeDataset({ train: 480 })]);
    a.train.hyper = { ...a.train.hyper, epochs: 30 };
    const phases: string[] = [];
    a.ml.client.on('phase', ({ phase }) => phases.push(phase));
    const run = a.train.start();
    await until(() => a.train.progress !== null, 'a batch');
    await a.train.stop();
    await run;
    expect(phases).toEqual(['preparing', 'training', 'stopping', 'testing', 'idle']);
    expect(a.train.outcome?.state).toBe('stopped');
    expect(a.fake.runs.get('run-1')?.state).toBe('stopped');
    expect(a.train.savedModelId).not.toBeNull();
  });

  it('shows a pause, resume or stop that did not reach the worker instead of dropping it', async () => {
    const a = await app();
    failCall(a, 'pause', 'The ML worker failed: it crashed');
    const run = a.train.start();
    await until(() => a.train.phase === 'training', 'training');
    await a.train.pause();
    expect(a.train.error).toBe('Could not pause the run: The ML worker failed: it crashed');
    await run;
  });
});
