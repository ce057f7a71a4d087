// The Worker's call handlers, one per protocol method. The Worker owns the dataset (sent once),
// the current model and at most one running Trainer.
import * as tf from '@tensorflow/tfjs';
import { evaluate, type Evaluation } from '../ml/evaluate';
import { registerFastGradients } from '../ml/gradients';
import { buildModel } from '../ml/layers';
import { TrainData } from '../ml/data';
import { Trainer } from '../ml/trainer';
import { artifactsToModel, modelToArtifacts } from '../ml/serialize';
import { saliency } from '../ml/saliency';
import type { BackendName } from '../ml/backend-rule';
import { initBackend } from './backends';
import { probe } from './probe';
import type { ModelInfo, TrainOutcome, WorkerCalls, WorkerDataset, WorkerEvents } from './protocol';
import type { Handlers } from './rpc';

type Emitter = <E extends keyof WorkerEvents>(event: E, payload: WorkerEvents[E], transfer?: Transferable[]) => void;
let emit: Emitter = () => undefined;
export function setEmitter(fn: Emitter): void {
  emit = fn;
}

registerFastGradients();

let probed: Awaited<ReturnType<typeof probe>> | null = null;
let dataset: WorkerDataset | null = null;
let model: tf.LayersModel | null = null;
let modelLabel = '';
let trainer: Trainer | null = null;
/** Serialises evaluate/predict/saliency against training and model swaps. */
let busy: Promise<unknown> = Promise.resolve();

function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const next = busy.then(fn, fn);
  busy = next.catch(() => undefined);
  return next;
}

function requireData(): WorkerDataset {
  if (!dataset) throw new Error('No dataset is loaded yet: open the Data view or check the dataset files.');
  return dataset;
}

function requireModel(): tf.LayersModel {
  if (!model) throw new Error('No model is loaded: train one, or use a saved model from the Models view.');
  return model;
}

function infoOf(m: tf.LayersModel, label: string): ModelInfo {
  const out = m.outputs[0]?.shape ?? [];
  return {
    params: m.countParams(),
    label,
    inputShape: (m.inputs[0]?.shape ?? []).slice(1).map((d) => d ?? 0),
    classes: out[out.length - 1] ?? 0,
  };
}

function setModel(m: tf.LayersModel, label: string): ModelInfo {
  if (model && model !== m) model.dispose();
  model = m;
  modelLabel = label;
  const info = infoOf(m, label);
  emit('model', info);
  return info;
}

/** Scores a model on the first `limit` test images (0 = all). */
function runEvaluation(m: tf.LayersModel, d: WorkerDataset, limit = 0): Promise<Evaluation> {
  const n = limit > 0 ? Math.min(limit, d.testLabels.length) : d.testLabels.length;
  const images = d.testImages.subarray(0, n * d.rows * d.cols);
  return evaluate(m, images, d.testLabels.subarray(0, n), d.classCount, (done, total) => emit('evalProgress', { done, total }));
}

async function train({ layers, hyper, testLimit }: WorkerCalls['train']['arg']): Promise<TrainOutcome> {
  if (trainer) throw new Error('A training run is already in progress.');
  const d = requireData();
  emit('phase', { phase: 'preparing' });
  const data = new TrainData(d.trainImages, d.trainLabels, {
    rows: d.rows,
    cols: d.cols,
    classCount: d.classCount,
    validationSplit: hyper.validationSplit,
    seed: hyper.seed,
    limit: hyper.limit,
  });
  let m: tf.LayersModel | null = null;
  try {
    m = buildModel(layers, { seed: hyper.seed, inputShape: [d.rows, d.cols, 1] });
    trainer = new Trainer(m, data, hyper, {
      onBatch: (p) => emit('batch', p),
      onEpoch: (e) => {
        const { numTensors, numBytes } = tf.memory();
        emit('epoch', { ...e, numTensors, numBytes });
      },
    });
    emit('phase', { phase: 'training' });
    const result = await trainer.run();
    trainer = null;
    data.dispose(); // frees the uploaded training set before the test pass (finally repeats it harmlessly)
    emit('phase', { phase: 'testing' });
    const ev = await runEvaluation(m, d, testLimit);
    const params = m.countParams();
    setModel(m, 'Trained run');
    return {
      state: result.outcome,
      history: result.history,
      bestEpoch: result.bestEpoch,
      imagesPerSecond: result.imagesPerSecond,
      trainingMs: result.trainingMs,
      backend: tf.getBackend() as BackendName,
      params,
      test: { loss: ev.loss, acc: ev.acc, confusion: ev.confusion, count: ev.confusion.flat().reduce((a, b) => a + b, 0) },
    };
  } catch (err) {
    if (m && m !== model) m.dispose();
    throw err;
  } finally {
    trainer = null;
    data.dispose();
    emit('phase', { phase: 'idle' });
  }
}

function control(action: 'pause' | 'resume' | 'stop'): boolean {
  if (!trainer) return false;
  trainer[action]();
  emit('phase', { phase: action === 'pause' ? 'paused' : 'training' });
  return true;
}

export const handlers: Handlers<WorkerCalls> = {
  init: async ({ override }) => {
    if (trainer) throw new Error('Stop the training run before switching backends.');
    probed ??= await probe();
    const info = await initBackend(probed, override);
    emit('backend', info);
    return { value: info };
  },

  setData: async (d) => {
    const pixels = d.rows * d.cols;
    if (d.trainImages.length !== d.trainLabels.length * pixels || d.testImages.length !== d.testLabels.length * pixels) {
      throw new Error('The dataset sent to the worker has inconsistent sizes.');
    }
    if (trainer) throw new Error('Cannot change the dataset while training.');
    dataset = d;
    return { value: { train: d.trainLabels.length, test: d.testLabels.length } };
  },

  train: async (arg) => ({ value: await exclusive(() => train(arg)) }),
  pause: async () => ({ value: control('pause') }),
  resume: async () => ({ value: control('resume') }),
  stop: async () => ({ value: control('stop') }),

  evaluate: async () => ({ value: await exclusive(() => runEvaluation(requireModel(), requireData())) }),

  exportModel: async () => {
    const files = await exclusive(() => modelToArtifacts(requireModel()));
    return { value: files, transfer: [files.weights.buffer] };
  },

  loadModel: async ({ modelJson, weights, label }) => {
    const info = await exclusive(async () => setModel(await artifactsToModel({ modelJson, weights }), label));
    return { value: info };
  },

  predict: async ({ inputs }) => {
    const m = requireModel();
    const [rows, cols, ch] = infoOf(m, modelLabel).inputShape as [number, number, number];
    const per = rows * cols * ch;
    if (inputs.length === 0 || inputs.length % per !== 0) throw new Error(`Expected a multiple of ${per} inputs, got ${inputs.length}.`);
    const t0 = performance.now();
    const out = tf.tidy(() => m.predict(tf.tensor4d(inputs, [inputs.length / per, rows, cols, ch])) as tf.Tensor);
    try {
      const probs = (await out.data()) as Float32Array;
      return { value: { probs, ms: performance.now() - t0 }, transfer: [probs.buffer] };
    } finally {
      out.dispose();
    }
  },

  saliency: async ({ input, classIndex }) => {
    const map = await saliency(requireModel(), input, classIndex ?? undefined);
    return { value: { map }, transfer: [map.buffer] };
  },
};
