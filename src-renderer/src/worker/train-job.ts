// One training run in the worker, as named steps: prepare the data on the device, build the model
// for the dataset (its image size and class count), train, score on the test set, export. The run
// owns its model until the end; the caller makes it current only after its weights are exported.
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../ml/backend-rule';
import { TrainData } from '../ml/data';
import { evaluate } from '../ml/evaluate';
import { buildModel } from '../ml/layers';
import { modelToArtifacts, type ModelFiles } from '../ml/serialize';
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
    model = buildModel(req.layers, { seed: req.hyper.seed, inputShape: [d.rows, d.cols, 1], classes: d.classCount });
    phase('training');
    const result = await train(model, data, req, hooks);
    data.dispose(); // frees the uploaded training set before the test pass (finally repeats it harmlessly)
    phase('testing');
    const test = await testModel(model, d, req, hooks.onEvalProgress);
    const files = await modelToArtifacts(model);
    return { reply: replyOf(result, test, model.countParams(), files), model };
  } catch (err) {
    model?.dispose();
    throw err;
  } finally {
    hooks.setTrainer(null);
    data.dispose();
  }
}

function prepareData({ hyper }: TrainRequest, d: WorkerDataset): TrainData {
  return new TrainData(d.trainImages, d.trainLabels, {
    rows: d.rows,
    cols: d.cols,
    classCount: d.classCount,
    validationSplit: hyper.validationSplit,
    seed: hyper.seed,
    limit: hyper.limit,
    pixelScale: hyper.pixelScale,
  });
}

async function train(model: tf.LayersModel, data: TrainData, { hyper }: TrainRequest, hooks: TrainJobHooks): Promise<TrainResult> {
  const trainer = new Trainer(model, data, hyper, {
    onBatch: (p) => hooks.emit('batch', p),
    onEpoch: (e) => {
      const { numTensors, numBytes } = tf.memory();
      hooks.emit('epoch', { ...e, numTensors, numBytes });
    },
    // 'paused' once the trainer really waits (after its batch and its last report), not on the request.
    onPause: () => hooks.emit('phase', { phase: 'paused' }),
  });
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
