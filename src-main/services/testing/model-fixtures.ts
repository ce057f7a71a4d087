// Small real TensorFlow.js models and their artifacts as the renderer sends them, for the model
// store's tests (never imported by the app).
import * as tf from '@tensorflow/tfjs';
import { FASHION_MNIST_CLASSES } from '../../../src-shared/types/dataset';
import type { ModelSave } from '../../../src-shared/types/model';

export interface Artifacts {
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}

/** conv → pool → dense(classes), input [rows, cols, 1]. */
export function tinyModel(seed: number, opts: { rows?: number; cols?: number; classes?: number } = {}): tf.Sequential {
  const init = () => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [opts.rows ?? 28, opts.cols ?? 28, 1], filters: 2, kernelSize: 3, activation: 'relu', kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: opts.classes ?? 10, activation: 'softmax', kernelInitializer: init(), biasInitializer: 'ones' }),
    ],
  });
}

/** model.json content and weights, as the renderer sends them (via tf.io.withSaveHandler). */
export async function artifactsOf(model: tf.LayersModel): Promise<Artifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved?.weightData || !saved.weightSpecs) throw new Error('no artifacts');
  const { weightData, weightSpecs, ...rest } = saved;
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData));
  return { modelJson: { ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] }, weights };
}

/** Builds `model`, takes its artifacts and disposes of it. */
export async function artifactsOfBuilt(model: tf.LayersModel): Promise<Artifacts> {
  try {
    return await artifactsOf(model);
  } finally {
    model.dispose();
  }
}

/** What the app records for a model trained on Fashion-MNIST (or `classes`/`rows`×`cols` of another set). */
export function meta(name = 'My model', opts: { rows?: number; cols?: number; classes?: number } = {}): ModelSave['meta'] {
  const classes = opts.classes ?? 10;
  const fashion = classes === 10 && (opts.rows ?? 28) === 28;
  return {
    name,
    preset: 'tiny',
    layers: [{ type: 'conv2d', filters: 2, kernel: 3, padding: 'valid', activation: 'relu' }, { type: 'maxPool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: classes, activation: 'softmax' }],
    hyper: {
      epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.001, decay: 0, schedule: 'none', validationSplit: 0.1,
      augment: { shift: 0, flip: false }, labelSmoothing: 0, seed: 7, patience: 0, limit: 0, pixelScale: 'unit',
    },
    history: [{ epoch: 1, loss: 0.5, acc: 0.8, valLoss: 0.55, valAcc: 0.79, lr: 0.001, ms: 1200 }],
    testMetrics: null,
    backend: 'cpu',
    trainingMs: 3600,
    dataset: fashion
      ? { id: 'fashion-mnist', name: 'Fashion-MNIST', checksums: { trainImages: 'abc' } }
      : { id: 'letters', name: 'Letters', checksums: { trainImages: 'def' } },
    classNames: fashion ? [...FASHION_MNIST_CLASSES] : Array.from({ length: classes }, (_, i) => `class ${i}`),
    inputShape: [opts.rows ?? 28, opts.cols ?? 28, 1],
    params: 3410,
  };
}
