import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Hyperparameters, LayerSpec } from '../../../src-shared/types/train';
import { evaluate } from '../ml/evaluate';
import { buildModel } from '../ml/layers';
import { DEFAULT_HYPERPARAMETERS } from '../ml/presets';
import { saliency } from '../ml/saliency';
import type { ModelFiles } from '../../../src-shared/types/model';
import { modelToArtifacts } from '../ml/serialize';
import { makeDataset } from '../state/test-doubles';
import { MlWorker } from './handlers';
import { workerDatasetOf } from './ml-client';
import type { BackendInfo, TrainPhase, WorkerCalls, WorkerDataset, WorkerEvents } from './protocol';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The state tests' learnable toy set (test-doubles.ts), as the worker takes it. */
const dataset = (opts: Parameters<typeof makeDataset>[0] = {}): WorkerDataset =>
  workerDatasetOf(makeDataset({ name: `Toy ${opts.id ?? 'toy'}`, ...opts }));

const layers = (classes: number): LayerSpec[] => [
  { type: 'conv2d', filters: 2, kernel: 3, padding: 'same', activation: 'relu' },
  { type: 'flatten' },
  { type: 'dense', units: classes, activation: 'softmax' },
];
const HYPER: Hyperparameters = { ...DEFAULT_HYPERPARAMETERS, epochs: 3, batchSize: 16, validationSplit: 0, seed: 5, pixelScale: 'unit' };

/** A worker in this thread, with every event it emits recorded. */
function harness() {
  const events: { event: keyof WorkerEvents; payload: unknown }[] = [];
  const listeners: ((event: keyof WorkerEvents, payload: unknown) => void)[] = [];
  const worker = new MlWorker({
    emit: (event, payload) => {
      events.push({ event, payload });
      for (const l of listeners) l(event, payload);
    },
    initBackend: async () => ({ name: 'cpu' }) as BackendInfo,
  });
  const call = async <M extends keyof WorkerCalls>(method: M, arg: WorkerCalls[M]['arg']): Promise<WorkerCalls[M]['res']> =>
    (await worker.handlers[method](arg)).value;
  const phases = () => events.filter((e) => e.event === 'phase').map((e) => (e.payload as { phase: TrainPhase }).phase);
  /** Resolves at the first event of this kind from now on. */
  const next = (kind: keyof WorkerEvents) =>
    new Promise<void>((resolve) => listeners.push((event) => event === kind && resolve()));
  return { worker, call, events, phases, next };
}

/** A saved model as it comes back from main: files of a freshly built (untrained) network. */
async function builtinFiles(d: WorkerDataset, seed = 99): Promise<ModelFiles> {
  const m = buildModel(layers(d.classCount), { seed, inputShape: [d.rows, d.cols, 1], classes: d.classCount });
  const files = await modelToArtifacts(m);
  m.dispose();
  return files;
}

const trainArg = (d: WorkerDataset, hyper = HYPER) => ({ layers: layers(d.classCount), hyper, testLimit: 0, datasetId: d.id });

describe('MlWorker training and the current model', () => {
  it('saves the trained weights even when a model load lands while the run is still going (issue 10, item 1)', async () => {
    const d = dataset();
    // The same run, undisturbed: the weights any correct save must hold (cpu is deterministic).
    const quiet = harness();
    await quiet.call('setData', d);
    const expected = (await quiet.call('train', trainArg(d))).model.weights;

    // First launch: no model yet. Training starts; Classify/Evaluate open and ask for the active
    // (built-in) model while it runs.
    const h = harness();
    await h.call('setData', d);
    const firstBatch = h.next('batch');
    const run = h.call('train', trainArg(d));
    await firstBatch;
    const builtin = await builtinFiles(d);
    const loaded = await h.call('loadModel', { ...builtin, label: 'Built-in', pixelScale: 'unit', ifCurrent: null });
    expect(loaded.loaded).toBe(true);
    const reply = await run;
    expect(Array.from(reply.model.weights)).toEqual(Array.from(expected));
    expect(Array.from(reply.model.weights)).not.toEqual(Array.from(builtin.weights));
    // The run ended last, so its model is current now, with a later key.
    expect(reply.info.key).toBeGreaterThan(loaded.info.key);
    expect(h.worker.current?.key).toBe(reply.info.key);

    // A load decided before the run ended (ifCurrent: the key it saw) cannot replace the trained model.
    const late = await h.call('loadModel', { ...(await builtinFiles(d)), label: 'Built-in', pixelScale: 'unit', ifCurrent: loaded.info.key });
    expect(late).toEqual({ loaded: false, info: reply.info });
    expect(h.worker.current?.key).toBe(reply.info.key);
  });

  it('builds the output layer for the dataset: 3 classes of 12×12 train, answer and evaluate', async () => {
    const d = dataset({ side: 12, classes: 3 });
    const h = harness();
    await h.call('setData', d);
    const reply = await h.call('train', trainArg(d, { ...HYPER, epochs: 4 }));
    expect(reply.info).toMatchObject({ inputShape: [12, 12, 1], classes: 3, pixelScale: 'unit' });
    expect(reply.test.confusion).toHaveLength(3);
    expect(reply.test.count).toBe(24);
    const { evaluation, modelKey, datasetId } = await h.call('evaluate', null);
    expect({ modelKey, datasetId }).toEqual({ modelKey: reply.info.key, datasetId: 'toy' });
    expect(evaluation.acc).toBeCloseTo(reply.test.acc, 6);
    const { probs } = await h.call('predict', { inputs: new Float32Array(2 * 784).fill(0.5) });
    expect(probs).toHaveLength(6); // 28×28 pictures resized to the model's 12×12
  });

  it('refuses a run started on another dataset, and evaluating a model on data it does not fit', async () => {
    const h = harness();
    await h.call('setData', dataset({ id: 'other' }));
    await expect(h.call('train', trainArg(dataset({ id: 'toy' })))).rejects.toThrow(/started on dataset "toy".*holds "other"/);
    await h.call('loadModel', { ...(await builtinFiles(dataset({ side: 10 }))), label: 'Ten', pixelScale: 'unit' });
    await expect(h.call('evaluate', null)).rejects.toThrow('This model takes 10×10 images and Toy other has 8×8 images');
    await h.call('loadModel', { ...(await builtinFiles(dataset({ classes: 4 }))), label: 'Four', pixelScale: 'unit' });
    await expect(h.call('evaluate', null)).rejects.toThrow('This model tells 4 classes apart and Toy other has 3');
  });

  it('reports stopping as its own phase, then testing', async () => {
    const d = dataset({ train: 480 });
    const h = harness();
    await h.call('setData', d);
    const firstBatch = h.next('batch');
    const run = h.call('train', trainArg(d, { ...HYPER, epochs: 20 }));
    await firstBatch;
    expect(await h.call('stop', null)).toBe(true);
    const reply = await run;
    expect(reply.state).toBe('stopped');
    expect(h.phases()).toEqual(['preparing', 'training', 'stopping', 'testing', 'idle']);
    expect(await h.call('stop', null)).toBe(false);
  });

  it('reports paused once the trainer waits at its gate, its last batch report delivered, and training on resume', async () => {
    const d = dataset({ train: 480 });
    const h = harness();
    await h.call('setData', d);
    const firstBatch = h.next('batch');
    const run = h.call('train', trainArg(d, { ...HYPER, epochs: 3 }));
    await firstBatch;
    const paused = h.next('phase');
    expect(await h.call('pause', null)).toBe(true);
    await paused;
    expect(h.phases().at(-1)).toBe('paused');
    const atPause = h.events.length;
    expect(await h.call('resume', null)).toBe(true);
    const reply = await run;
    expect(reply.state).toBe('completed');
    expect(h.phases()).toEqual(['preparing', 'training', 'paused', 'training', 'testing', 'idle']);
    // Batches reported after the pause came only after the resume.
    const resumedAt = h.events.findIndex((e, i) => i >= atPause && e.event === 'phase');
    expect(h.events.slice(atPause, resumedAt).filter((e) => e.event === 'batch')).toEqual([]);
    expect(h.events.slice(resumedAt).some((e) => e.event === 'batch')).toBe(true);
  });

  it('frees everything a run made except the model it leaves current', async () => {
    const d = dataset();
    const h = harness();
    await h.call('setData', d);
    await h.call('train', trainArg(d)); // warm-up: the first run leaves tfjs' cached scalars behind
    const before = tf.memory().numTensors;
    await h.call('train', trainArg(d));
    // The second trained model replaced the first one (same size), which was disposed.
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('MlWorker fine-tuning', () => {
  /** The toy set's 3 classes as 2 labels: "low" allows classes 0 and 1, "high" allows 2. */
  const mapped = (): WorkerDataset => {
    const d = dataset({ classes: 3 });
    const relabel = (l: Uint8Array) => Uint8Array.from(l, (c) => (c === 2 ? 1 : 0));
    return { ...d, classNames: ['a', 'b', 'c'], labelNames: ['low', 'high'], allowed: [[0, 1], [2]], trainLabels: relabel(d.trainLabels), testLabels: relabel(d.testLabels) };
  };
  const start = async (d: WorkerDataset, classNames: string[]) => ({
    ...(await builtinFiles({ ...d, classCount: classNames.length })),
    meta: { classNames, hyper: { pixelScale: 'unit' as const } },
  });

  it('starts from a saved model of the same classes: head kept, labels scored by their allowed classes, a mixed set in every epoch', async () => {
    const d = mapped();
    const h = harness();
    await h.call('setData', d);
    const mix = dataset({ classes: 3, train: 48 });
    const reply = await h.call('train', {
      ...trainArg(d),
      startFrom: await start(d, ['a', 'b', 'c']),
      fineTune: { freezeLayers: 1, baseLrFactor: 0.5, balance: 1 },
      mix: { images: mix.trainImages, labels: mix.trainLabels, ratio: 0.5 },
    });
    expect(reply.startedFrom).toEqual({ headKept: true, frozen: ['conv2d_1'] });
    expect(reply.info.classes).toBe(3);
    // Saved as an ordinary model: the layer frozen for the run is trainable in its model.json.
    expect(JSON.stringify(reply.model.modelJson)).not.toContain('"trainable":false');
    // Test rows are the labels, columns the classes; the last batch report counts the mixed images too.
    expect(reply.test.confusion.map((r) => r.length)).toEqual([3, 3]);
    const batches = h.events.filter((e) => e.event === 'batch').map((e) => e.payload as { seen: number });
    expect(batches.at(-1)!.seen).toBe(3 * (96 + 48));
    const { evaluation } = await h.call('evaluate', null);
    expect(evaluation.confusion).toHaveLength(2);
    expect(evaluation.acc).toBeCloseTo(reply.test.acc, 6);
  });

  it('replaces the head for classes of its own, and refuses what cannot start from a saved model', async () => {
    const d = { ...dataset({ classes: 3 }), classNames: ['x', 'y', 'z'] };
    const h = harness();
    await h.call('setData', d);
    const from = await start(d, ['a', 'b', 'c', 'd']);
    const reply = await h.call('train', { ...trainArg(d), startFrom: from });
    expect(reply.startedFrom).toEqual({ headKept: false, frozen: [] });
    expect(reply.info.classes).toBe(3);
    await expect(h.call('train', { ...trainArg(d), startFrom: { ...from, meta: { ...from.meta, hyper: { pixelScale: 'raw' } } } })).rejects.toThrow(/raw scale/);
    // A dataset sent without class names (the app always sends them) cannot take a saved model's layers.
    const { classNames: _unnamed, ...bare } = dataset();
    const h2 = harness();
    await h2.call('setData', bare);
    await expect(h2.call('train', { ...trainArg(bare), startFrom: from })).rejects.toThrow(/without its class names/);
    await expect(h2.call('setData', { ...dataset(), labelNames: ['x'], allowed: [[5]] })).rejects.toThrow(/bad labels/);
  });
});

describe('MlWorker leases', () => {
  it('finishes a saliency map on the model it started with when another is loaded between chunks, and then frees that model', async () => {
    const d = dataset({ side: 28, classes: 10 });
    const h = harness();
    const first = await builtinFiles(d, 1);
    await h.call('loadModel', { ...first, label: 'First', pixelScale: 'unit' });
    const input = Float32Array.from({ length: 784 }, (_, i) => ((i * 31) % 97) / 96);
    // The map the first model gives undisturbed.
    const reference = buildModel(layers(10), { seed: 1, inputShape: [28, 28, 1], classes: 10 });
    const expected = await saliency(reference, input, 2);
    reference.dispose();

    const before = tf.memory().numTensors;
    const map = h.call('saliency', { input, classIndex: 2 }); // 170 images in chunks of 22: it yields between them
    const second = await h.call('loadModel', { ...(await builtinFiles(d, 2)), label: 'Second', pixelScale: 'unit' });
    expect(second.loaded).toBe(true);
    const result = await map;
    expect(Array.from(result.map)).toEqual(Array.from(expected));
    expect(result.modelKey).toBeLessThan(second.info.key);
    // The first model was disposed once the map no longer held it: the same count as with one model.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('feeds a raw-pixel model 0–255 and a unit model [0, 1], in predict, saliency and evaluate', async () => {
    const d = dataset({ side: 28, classes: 10, test: 10 });
    // Two copies of one network; the raw copy's first kernel is divided by 255, so fed 0–255 it
    // computes exactly what the unit copy computes on [0, 1]. Fed the wrong scale, it would not.
    const unit = buildModel(layers(10), { seed: 3, inputShape: [28, 28, 1], classes: 10 });
    const raw = buildModel(layers(10), { seed: 3, inputShape: [28, 28, 1], classes: 10 });
    raw.layers[0]!.setWeights(unit.layers[0]!.getWeights().map((w, i) => (i === 0 ? tf.div(w, 255) : w.clone())));
    const h = harness();
    await h.call('setData', d);
    const inputs = Float32Array.from({ length: 784 }, (_, i) => ((i * 13) % 29) / 28);
    const run = async (m: tf.LayersModel, pixelScale: 'unit' | 'raw', asScale = pixelScale) => {
      await h.call('loadModel', { ...(await modelToArtifacts(m)), label: pixelScale, pixelScale: asScale });
      const { probs } = await h.call('predict', { inputs });
      const { map } = await h.call('saliency', { input: inputs, classIndex: 0 });
      const { evaluation } = await h.call('evaluate', null);
      return { probs: Array.from(probs), map: Array.from(map), loss: evaluation.loss };
    };
    const a = await run(unit, 'unit');
    const b = await run(raw, 'raw');
    a.probs.forEach((p, i) => expect(b.probs[i]).toBeCloseTo(p, 5));
    a.map.forEach((v, i) => expect(b.map[i]).toBeCloseTo(v, 3));
    expect(b.loss).toBeCloseTo(a.loss, 5);
    // The same raw model wrongly taken as 'unit' answers differently: the scale did reach each place.
    const wrong = await run(raw, 'raw', 'unit');
    expect(wrong.probs.some((p, i) => Math.abs(p - a.probs[i]!) > 1e-3)).toBe(true);
    expect(Math.abs(wrong.loss - a.loss)).toBeGreaterThan(1e-3);
    unit.dispose();
    raw.dispose();
  });

  it('trains on the scale it is given: the first step sees the images as the same initial model sees them 0–255 or in [0, 1]', async () => {
    const d = dataset({ side: 8, classes: 3, train: 48 });
    const h = harness();
    await h.call('setData', d);
    const losses: Record<string, { trained: number; expected: number }> = {};
    for (const pixelScale of ['unit', 'raw'] as const) {
      // One batch of every training image: the run's first loss is the initial model's loss on
      // all of them (computed before its update), fed on the run's scale.
      const hyper = { ...HYPER, epochs: 1, batchSize: d.trainLabels.length, pixelScale };
      const reply = await h.call('train', trainArg(d, hyper));
      const initial = buildModel(layers(3), { seed: hyper.seed, inputShape: [8, 8, 1], classes: 3 });
      const expected = (await evaluate(initial, d.trainImages, d.trainLabels, 3, { pixelScale })).loss;
      initial.dispose();
      losses[pixelScale] = { trained: reply.history[0]!.loss, expected };
    }
    expect(losses['unit']!.trained).toBeCloseTo(losses['unit']!.expected, 4);
    expect(losses['raw']!.trained).toBeCloseTo(losses['raw']!.expected, 4);
    expect(Math.abs(losses['raw']!.expected - losses['unit']!.expected)).toBeGreaterThan(1e-2);
  });
});
