/**
 * Starting a run from a saved model. Its layers and weights are kept; its output layer is kept
 * too when the run's classes are the model's own (photo folders mapped onto them), and replaced by
 * a new, seeded one otherwise (a user's own classes). The first layers can be frozen: they keep
 * their weights, and their batch norms keep the statistics they learnt (Keras' rule for a frozen
 * BatchNormalization), since a small photo set gives noisy batch statistics and a frozen
 * convolution should see what it was trained on.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelFiles } from '../../../src-shared/types/model';
import type { Hyperparameters } from '../../../src-shared/types/train';
import { DEFAULT_PHOTO_AUGMENT } from './augment';
import { artifactsToModel } from './serialize';
import { mulberry32, nextSeed } from './random';

export interface FineTune {
  /** How many of the first layers that hold weights (convolutions, batch norms, dense) keep theirs. */
  freezeLayers: number;
  /** Learning rate of the other kept layers, × the run's; the output layer trains at the run's rate. */
  baseLrFactor: number;
  /**
   * How far each epoch evens out the dataset's classes (ml/class-balance.ts): 0 as many of each
   * as it has, 1 every class equally often (a small class's photos repeat, each copy augmented anew).
   */
  balance: number;
}

/**
 * Measured on ../shared/photos (scripts/measure-own-photos.ts, notes in README): for a kept output
 * layer (folders mapped onto the model's classes), the kept layers at 0.3× the rate.
 */
export const DEFAULT_FINE_TUNE: FineTune = { freezeLayers: 0, baseLrFactor: 0.3, balance: 0.5 };

/**
 * For a new output layer (classes of one's own), every layer at the run's rate: 79.5% top-1 on
 * validation/ over 15 epochs, against 79.2% in 20 epochs and 78.0% in 10 at 0.3×.
 */
export const NEW_HEAD_FINE_TUNE: FineTune = { ...DEFAULT_FINE_TUNE, baseLrFactor: 1 };

/** A fresh copy of the fine-tune settings a run starts with, by whether the output layer is kept. */
export function fineTuneDefaults(headKept: boolean): FineTune {
  return { ...(headKept ? DEFAULT_FINE_TUNE : NEW_HEAD_FINE_TUNE) };
}

/**
 * The run's hyperparameters for a fine-tune on photos (over the preset's), as measured on
 * ../shared/photos by scripts/measure-own-photos.ts: small batches (a few thousand photos give few
 * steps), label smoothing, photo-like augmentation on, and — with Fashion-MNIST mixed in under
 * mapped folders — `mixRatio` of its images per photo each epoch.
 */
export const FINE_TUNE_HYPER = {
  epochs: 15,
  learningRate: 1e-3,
  batchSize: 64,
  labelSmoothing: 0.1,
  augment: { shift: 1, flip: true, photo: DEFAULT_PHOTO_AUGMENT },
} as const satisfies Partial<Hyperparameters>;

/** Mapped folders: the learning rate (lower: the output layer is kept) and Fashion-MNIST's share. */
export const FINE_TUNE_MAPPED = { epochs: 8, learningRate: 5e-4, mixRatio: 1 } as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The layer configs of a layers-model topology, and the name of its output layer. */
function topologyLayers(topology: Json): { layers: Json[]; output: string | null } {
  const config = topology['config'];
  const layers = (Array.isArray(config) ? config : isObject(config) ? config['layers'] : undefined) as Json[] | undefined;
  if (!Array.isArray(layers) || layers.length === 0) throw new Error('model.json has no layers');
  const outputs = isObject(config) ? config['output_layers'] : undefined;
  const output = Array.isArray(outputs) && Array.isArray(outputs[0]) ? String(outputs[0][0]) : null;
  return { layers, output };
}

/** A copy of the topology whose output Dense layer gives `classes` outputs, its initialiser seeded. */
export function withOutputUnits(topology: Json, classes: number, seed: number): Json {
  const copy = structuredClone(topology);
  const { layers, output } = topologyLayers(copy);
  const head = output === null ? layers[layers.length - 1] : layers.find((l) => isObject(l['config']) && l['config']['name'] === output);
  const config = head?.['config'];
  if (!head || head['class_name'] !== 'Dense' || !isObject(config)) {
    throw new Error('The model does not end in a Dense layer, so its output layer cannot be replaced for other classes.');
  }
  config['units'] = classes;
  const init = config['kernel_initializer'];
  if (isObject(init) && isObject(init['config'])) init['config']['seed'] = seed;
  return copy;
}

/**
 * The saved model, ready to train on `classes` classes: itself when `keepHead`, else the same
 * network with a new output layer (seeded from `seed`) and every other weight copied.
 */
export async function modelFromBase(files: ModelFiles, opts: { keepHead: boolean; classes: number; seed: number }): Promise<tf.LayersModel> {
  const base = await artifactsToModel(files);
  if (opts.keepHead) {
    const outputs = base.outputs[0]?.shape;
    if (outputs?.[outputs.length - 1] !== opts.classes) {
      base.dispose();
      throw new Error(`The model gives ${String(outputs?.[outputs.length - 1])} outputs, not one for each of ${opts.classes} classes.`);
    }
    return base;
  }
  try {
    const topology = files.modelJson['modelTopology'];
    if (!isObject(topology)) throw new Error('model.json has no modelTopology');
    const headSeed = nextSeed(mulberry32(opts.seed ^ 0x5eed));
    const modelTopology = withOutputUnits(topology, opts.classes, headSeed) as tf.io.ModelJSON['modelTopology'];
    const model = await tf.models.modelFromJSON({ modelTopology } as tf.io.ModelJSON);
    const head = model.layers[model.layers.length - 1]!;
    const headWeights = new Set(head.weights.map((w) => w.originalName));
    // getWeights() answers the variables themselves (not copies): nothing here is disposed, and
    // setWeights shares the saved values' data, which outlives base.dispose().
    const fresh = model.getWeights();
    const old = base.getWeights();
    if (fresh.length !== old.length || fresh.some((w, i) => !headWeights.has(model.weights[i]!.originalName) && !tf.util.arraysEqual(w.shape, old[i]!.shape))) {
      model.dispose();
      throw new Error('The rebuilt model has other weights than the saved one.');
    }
    model.setWeights(fresh.map((w, i) => (headWeights.has(model.weights[i]!.originalName) ? w : old[i]!)));
    return model;
  } finally {
    if (!opts.keepHead) base.dispose();
  }
}

/**
 * Freezes the first `count` layers that hold weights; returns their names. A frozen batch norm
 * runs on its moving statistics in training too (tfjs would otherwise normalise by the batch and
 * keep updating them).
 */
export function freezeLeading(model: tf.LayersModel, count: number): string[] {
  const frozen: string[] = [];
  for (const layer of model.layers) {
    if (frozen.length >= count) break;
    if (layer.weights.length === 0) continue;
    layer.trainable = false;
    if (layer.getClassName() === 'BatchNormalization') {
      const call = layer.call.bind(layer);
      layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
    }
    frozen.push(layer.name);
  }
  return frozen;
}

/** Whether a run on `classNames` keeps the saved model's output layer: the same classes, in the same order. */
export function keepsHead(modelClassNames: readonly string[], classNames: readonly string[]): boolean {
  return modelClassNames.length === classNames.length && modelClassNames.every((c, i) => c === classNames[i]);
}
