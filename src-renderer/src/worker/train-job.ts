// One training run in the worker, as named steps: prepare the data on the device, build the model
// for the dataset (its image size and class count), train, score on the test set, export. The run
// owns its model until the end; the caller makes it current only after its weights are exported.
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../ml/backend-rule';
import { TrainData } from '../ml/data';
import { evaluate } from '../ml/evaluate';
import { DEFAULT_FINE_TUNE, freezeLeading, keepsHead, modelFromBase } from '../ml/fine-tune';
import { buildModel } from '../ml/layers';
import type { ModelFiles } from '../../../src-shared/types/model';
import { imageInputShape } from '../ml/model-input';
import { modelToArtifacts } from '../ml/serialize';
import { Trainer, type TrainResult } from '../ml/trainer';
import type { TrainPhase, TrainReply, TrainRequest, WorkerDataset, WorkerEvents } from './protocol';

export type Emitter = <E extends keyof WorkerEvents>(event: E, payload: WorkerEvents[E], transfer?: Transferable[]) => void;

export interface TrainJobHooks {
  emit: Emitter;
  /** The trainer while it runs (null after), so pause/resume/stop can reach it. */
  setTrainer: (trainer: Trainer | null) => void;
  /** Makes the evaluation's progress visible (the test pass after training). */
  onEvalProgress?: (done: number, total: number) => void;
}

/** A finished run: its reply (less the `info` the caller adds) and the trained model. */
export interface TrainedRun {
  reply: Omit<TrainReply, 'info'>;
  model: tf.LayersModel;
}

export async function runTrainJob(req: TrainRequest, d: WorkerDataset, hooks: TrainJobHooks): Promise<TrainedRun> {
  if (req.datasetId !== d.id) {
    throw new Error(`The run was started on dataset "${req.datasetId}" but the worker holds "${d.id}": start it again.`);
  }
  const phase = (p: TrainPhase): void => hooks.emit('phase', { phase: p });
  phase('preparing');
  const data = prepareData(req, d);
  let model: tf.LayersModel | null = null;
  try {
    const made = await makeModel(req, d);
    model = made.model;
    phase('training');
    const result = await train(model, data, req, hooks, made.startedFrom ? (req.fineTune ?? DEFAULT_FINE_TUNE).baseLrFactor : 1);
    data.dispose(); // frees the uploaded training set before the test pass (finally repeats it harmlessly)
    phase('testing');
    const test = await testModel(model, d, req, hooks.onEvalProgress);
    // Layers frozen for a fine-tune are saved trainable (their weights in layer order), so the
    // saved model trains like any other when it is the start of the next run.
    for (const layer of model.layers) layer.trainable = true;
    const files = await modelToArtifacts(model);
    const reply = replyOf(result, test, model.countParams(), files);
    return { reply: made.startedFrom ? { ...reply, startedFrom: made.startedFrom } : reply, model };
  } catch (err) {
    model?.dispose();
    throw err;
  } finally {
    hooks.setTrainer(null);
    data.dispose();
  }
}

/** The dataset's labels as evaluate and TrainData take them. */
export function targetsOf(d: WorkerDataset): { targets?: { labelNames: string[]; allowed: number[][] } } {
  return d.labelNames && d.allowed ? { targets: { labelNames: d.labelNames, allowed: d.allowed } } : {};
}

function prepareData({ hyper, mix, startFrom, fineTune }: TrainRequest, d: WorkerDataset): TrainData {
  // Class balance is a fine-tune option: a user's own photo folders are small and uneven.
  // The form's number field may hold anything typed into it: out of [0, 1] it is clamped, blank is 0.
  const asked = startFrom ? (fineTune ?? DEFAULT_FINE_TUNE).balance : 0;
  const balance = Number.isFinite(asked) ? Math.min(1, Math.max(0, asked)) : 0;
  return new TrainData(d.trainImages, d.trainLabels, {
    rows: d.rows,
    cols: d.cols,
    classCount: d.classCount,
    validationSplit: hyper.validationSplit,
    seed: hyper.seed,
    limit: hyper.limit,
    pixelScale: hyper.pixelScale,
    ...targetsOf(d),
    ...(mix ? { mix } : {}),
    ...(balance > 0 ? { balance } : {}),
  });
}

/** A fresh model of the request's layers, or the saved model it starts from (head kept or replaced, first layers frozen). */
async function makeModel(req: TrainRequest, d: WorkerDataset): Promise<{ model: tf.LayersModel; startedFrom?: TrainReply['startedFrom'] }> {
  const from = req.startFrom;
  if (!from) return { model: buildModel(req.layers, { seed: req.hyper.seed, inputShape: [d.rows, d.cols, 1], classes: d.classCount }) };
  if (!d.classNames) throw new Error('The worker was sent the dataset without its class names: a run cannot start from a saved model.');
  if (from.meta.hyper.pixelScale !== req.hyper.pixelScale) {
    throw new Error(`The saved model takes pixels on the ${from.meta.hyper.pixelScale} scale, the run asks for ${req.hyper.pixelScale}.`);
  }
  const headKept = keepsHead(from.meta.classNames, d.classNames);
  const model = await modelFromBase(from, { keepHead: headKept, classes: d.classCount, seed: req.hyper.seed });
  try {
    const [rows, cols] = imageInputShape(model);
    if (rows !== d.rows || cols !== d.cols) throw new Error(`The saved model takes ${rows}×${cols} images and ${d.name} has ${d.rows}×${d.cols}.`);
    const frozen = freezeLeading(model, (req.fineTune ?? DEFAULT_FINE_TUNE).freezeLayers);
    return { model, startedFrom: { headKept, frozen } };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

async function train(model: tf.LayersModel, data: TrainData, { hyper }: TrainRequest, hooks: TrainJobHooks, baseLrFactor: number): Promise<TrainResult> {
  const trainer = new Trainer(model, data, hyper, {
    onBatch: (p) => hooks.emit('batch', p),
    onEpoch: (e) => {
      const { numTensors, numBytes } = tf.memory();
      hooks.emit('epoch', { ...e, numTensors, numBytes });
    },
    // 'paused' once the trainer really waits (after its batch and its last report), not on the request.
    onPause: () => hooks.emit('phase', { phase: 'paused' }),
  }, { baseLrFactor });
  hooks.setTrainer(trainer);
  try {
    return await trainer.run();
  } finally {
    hooks.setTrainer(null);
  }
}

/** Scores the trained model on the first `testLimit` test images (0 = all). */
async function testModel(model: tf.LayersModel, d: WorkerDataset, { hyper, testLimit }: TrainRequest, onProgress?: (done: number, total: number) => void) {
  const n = testLimit > 0 ? Math.min(testLimit, d.testLabels.length) : d.testLabels.length;
  const images = d.testImages.subarray(0, n * d.rows * d.cols);
  const ev = await evaluate(model, images, d.testLabels.subarray(0, n), d.classCount, {
    pixelScale: hyper.pixelScale,
    ...targetsOf(d),
    ...(onProgress ? { onProgress } : {}),
  });
  return { loss: ev.loss, acc: ev.acc, confusion: ev.confusion, count: n };
}

function replyOf(result: TrainResult, test: TrainReply['test'], params: number, files: ModelFiles): Omit<TrainReply, 'info'> {
  return {
    state: result.outcome,
    history: result.history,
    bestEpoch: result.bestEpoch,
    imagesPerSecond: result.imagesPerSecond,
    trainingMs: result.trainingMs,
    backend: tf.getBackend() as BackendName,
    params,
    test,
    model: files,
  };
}
