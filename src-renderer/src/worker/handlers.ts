// The ML Worker's call handlers, one per protocol method. The Worker owns the dataset (sent once),
// the current model (in a ModelSlot: jobs hold it with a lease) and at most one running Trainer.
// Everything it needs from outside comes through the constructor, so tests drive it in Node.
import * as tf from '@tensorflow/tfjs';
import { evaluate } from '../ml/evaluate';
import { targetsProblem } from '../../../src-shared/targets';
import { fitProblem } from '../ml/fit';
import { imageInputShape, type PixelScale } from '../ml/model-input';
import { predictPictures, saliency } from '../ml/saliency';
import { artifactsToModel } from '../ml/serialize';
import type { Trainer } from '../ml/trainer';
import { ModelSlot, type Lease } from './model-slot';
import type { BackendInfo, ModelInfo, WorkerCalls, WorkerDataset } from './protocol';
import type { Handlers, Reply } from './rpc';
import { runTrainJob, targetsOf, type Emitter } from './train-job';

export interface MlWorkerDeps {
  emit: Emitter;
  /** Probes and starts a backend (the override, or the best one found). */
  initBackend: (override: WorkerCalls['init']['arg']['override']) => Promise<BackendInfo>;
  /** Turns saved files into a model (tfjs' loader in the app). */
  loadModel?: typeof artifactsToModel;
}

const noModel = (): Error => new Error('No model is loaded: train one, or use a saved model from the Models view.');

export class MlWorker {
  readonly #deps: Required<MlWorkerDeps>;
  readonly #slot = new ModelSlot<tf.LayersModel>();
  #dataset: WorkerDataset | null = null;
  #trainer: Trainer | null = null;
  /** Serialises the long jobs (training, evaluation): one at a time, in the order asked. */
  #busy: Promise<unknown> = Promise.resolve();

  constructor(deps: MlWorkerDeps) {
    this.#deps = { loadModel: artifactsToModel, ...deps };
  }

  /** The table `serveCalls` answers with. */
  readonly handlers: Handlers<WorkerCalls> = {
    init: async ({ override }) => {
      if (this.#trainer) throw new Error('Stop the training run before switching backends.');
      const info = await this.#deps.initBackend(override);
      this.#deps.emit('backend', info);
      return { value: info };
    },
    setData: async (d) => ({ value: this.#setData(d) }),
    train: (arg) => this.#exclusive(() => this.#train(arg)),
    pause: async () => ({ value: this.#control('pause') }),
    resume: async () => ({ value: this.#control('resume') }),
    stop: async () => ({ value: this.#control('stop') }),
    evaluate: (_arg) => this.#exclusive(() => this.#evaluate()),
    loadModel: async (arg) => ({ value: await this.#load(arg) }),
    predict: (arg) => this.#slot.with(noModel, (lease) => this.#predict(lease, arg.inputs)),
    saliency: (arg) => this.#slot.with(noModel, (lease) => this.#saliency(lease, arg.input, arg.classIndex)),
  };

  /** The current model's description, or null. */
  get current(): ModelInfo | null {
    const c = this.#slot.peek();
    return c ? infoOf(c.model, c.meta.label, c.meta.pixelScale, c.key) : null;
  }

  #exclusive<T>(job: () => Promise<T>): Promise<T> {
    const next = this.#busy.then(job, job);
    this.#busy = next.catch(() => undefined);
    return next;
  }

  #setData(d: WorkerDataset): { train: number; test: number } {
    const pixels = d.rows * d.cols;
    if (d.trainImages.length !== d.trainLabels.length * pixels || d.testImages.length !== d.testLabels.length * pixels) {
      throw new Error('The dataset sent to the worker has inconsistent sizes.');
    }
    const problem = targetsProblem(d.classCount, d.labelNames, d.allowed);
    if (problem) throw new Error(`The dataset sent to the worker has bad labels: ${problem}.`);
    if (d.classNames && d.classNames.length !== d.classCount) throw new Error('The dataset sent to the worker has a class count unlike its class names.');
    if (this.#trainer) throw new Error('Cannot change the dataset while training.');
    this.#dataset = d;
    return { train: d.trainLabels.length, test: d.testLabels.length };
  }

  #requireData(): WorkerDataset {
    if (!this.#dataset) throw new Error('No dataset is loaded yet: open the Data view or check the dataset files.');
    return this.#dataset;
  }

  async #train(arg: WorkerCalls['train']['arg']): Promise<Reply<WorkerCalls['train']['res']>> {
    if (this.#trainer) throw new Error('A training run is already in progress.');
    try {
      const { reply, model } = await runTrainJob(arg, this.#requireData(), {
        emit: this.#deps.emit,
        setTrainer: (t) => (this.#trainer = t),
        onEvalProgress: (done, total) => this.#deps.emit('evalProgress', { done, total }),
      });
      // The weights in the reply were exported from `model` before it became current: what the
      // renderer saves is what this run trained, whatever is loaded after.
      const info = this.#makeCurrent(model, 'Trained run', arg.hyper.pixelScale);
      return { value: { ...reply, info }, transfer: [reply.model.weights.buffer] };
    } finally {
      this.#deps.emit('phase', { phase: 'idle' });
    }
  }

  #control(action: 'pause' | 'resume' | 'stop'): boolean {
    const trainer = this.#trainer;
    if (!trainer) return false;
    trainer[action]();
    // 'paused' comes from the trainer itself once it waits at its gate (see train-job.ts).
    if (action !== 'pause') this.#deps.emit('phase', { phase: action === 'stop' ? 'stopping' : 'training' });
    return true;
  }

  async #evaluate(): Promise<Reply<WorkerCalls['evaluate']['res']>> {
    const d = this.#requireData();
    return this.#slot.with(noModel, async (lease) => {
      const problem = fitProblem(infoOf(lease.model, lease.meta.label, lease.meta.pixelScale, lease.key), dataShape(d));
      if (problem) throw new Error(problem);
      const evaluation = await evaluate(lease.model, d.testImages, d.testLabels, d.classCount, {
        pixelScale: lease.meta.pixelScale,
        ...targetsOf(d),
        onProgress: (done, total) => this.#deps.emit('evalProgress', { done, total }),
      });
      return { value: { evaluation, modelKey: lease.key, datasetId: d.id } };
    });
  }

  async #load(arg: WorkerCalls['loadModel']['arg']): Promise<WorkerCalls['loadModel']['res']> {
    const model = await this.#deps.loadModel({ modelJson: arg.modelJson, weights: arg.weights });
    if (arg.ifCurrent !== undefined && this.#slot.key !== arg.ifCurrent) {
      // Another model became current while this one was on its way (a run ended): it stays.
      model.dispose();
      const current = this.current;
      if (current) return { loaded: false, info: current };
    }
    try {
      return { loaded: true, info: this.#makeCurrent(model, arg.label, arg.pixelScale) };
    } catch (err) {
      model.dispose();
      throw err;
    }
  }

  #makeCurrent(model: tf.LayersModel, label: string, pixelScale: PixelScale): ModelInfo {
    imageInputShape(model); // refuses a model that does not take images before it replaces one that does
    const key = this.#slot.put(model, { label, pixelScale });
    const info = infoOf(model, label, pixelScale, key);
    this.#deps.emit('model', info);
    return info;
  }

  async #predict(lease: Lease<tf.LayersModel>, inputs: Float32Array): Promise<Reply<WorkerCalls['predict']['res']>> {
    const PIXELS = 28 * 28;
    if (inputs.length === 0 || inputs.length % PIXELS !== 0) throw new Error(`Expected a multiple of ${PIXELS} inputs, got ${inputs.length}.`);
    const t0 = performance.now();
    const out = tf.tidy(() => predictPictures(lease.model, inputs, inputs.length / PIXELS, lease.meta.pixelScale));
    try {
      const probs = (await out.data()) as Float32Array;
      return { value: { probs, ms: performance.now() - t0, modelKey: lease.key }, transfer: [probs.buffer] };
    } finally {
      out.dispose();
    }
  }

  async #saliency(lease: Lease<tf.LayersModel>, input: Float32Array, classIndex: number | null): Promise<Reply<WorkerCalls['saliency']['res']>> {
    const map = await saliency(lease.model, input, classIndex ?? undefined, { pixelScale: lease.meta.pixelScale });
    return { value: { map, modelKey: lease.key }, transfer: [map.buffer] };
  }
}

function infoOf(m: tf.LayersModel, label: string, pixelScale: PixelScale, key: number): ModelInfo {
  const out = m.outputs[0]?.shape ?? [];
  return {
    key,
    params: m.countParams(),
    label,
    inputShape: (m.inputs[0]?.shape ?? []).slice(1).map((d) => d ?? 0),
    classes: out[out.length - 1] ?? 0,
    pixelScale,
  };
}

function dataShape(d: WorkerDataset) {
  return { name: d.name, rows: d.rows, cols: d.cols, classCount: d.classCount };
}
