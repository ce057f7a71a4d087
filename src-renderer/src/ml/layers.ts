/**
 * LayerSpec (what the editor edits) → shapes, parameter counts, plain-words validation, and
 * the tf.Sequential model. `summarize` and `validateStack` are pure so the live editor can
 * call them on every keystroke without touching tfjs; `buildModel` is the only tfjs part.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerSpec } from '../../../src-shared/types/train';
import { mulberry32, nextSeed } from './random';

export type InputShape = [number, number, number];
export const DEFAULT_INPUT_SHAPE: InputShape = [28, 28, 1];
export const CLASS_COUNT = 10;

/** A shape without the batch dimension: [h, w, c] for maps, [n] once flat. */
type Shape = number[];

export interface SummaryRow {
  name: string;
  type: LayerSpec['type'];
  /** Keras style, batch first: [null, 26, 26, 32]; [] when an earlier layer is invalid. */
  outputShape: (number | null)[];
  params: number;
}

export interface Summary {
  rows: SummaryRow[];
  total: number;
  trainable: number;
  valid: boolean;
}

export interface StackProblem {
  /** 0-based index of the layer, or -1 for the stack as a whole. */
  index: number;
  message: string;
}

const KERAS_NAMES: Record<LayerSpec['type'], string> = {
  conv2d: 'conv2d',
  maxPool: 'max_pooling2d',
  dense: 'dense',
  dropout: 'dropout',
  batchNorm: 'batch_normalization',
  flatten: 'flatten',
  globalAvgPool: 'global_average_pooling2d',
};

/** Short human label used in messages: "conv2d 3×3", "maxPool 2", "dense 64". */
export function describeLayer(spec: LayerSpec): string {
  switch (spec.type) {
    case 'conv2d':
      return `conv2d ${spec.kernel}×${spec.kernel}`;
    case 'maxPool':
      return `maxPool ${spec.size}`;
    case 'dense':
      return `dense ${spec.units}`;
    case 'dropout':
      return `dropout ${spec.rate}`;
    default:
      return spec.type;
  }
}

/** Layer names as Keras would number them (conv2d_1, conv2d_2, dense_1 …), per type. */
export function layerNames(layers: readonly LayerSpec[]): string[] {
  const seen = new Map<string, number>();
  return layers.map((l) => {
    const n = (seen.get(l.type) ?? 0) + 1;
    seen.set(l.type, n);
    return `${KERAS_NAMES[l.type]}_${n}`;
  });
}

interface Step {
  shape: Shape;
  params: number;
  trainable: number;
}

/** One layer's output shape and parameters, or the reason it cannot follow `input`. */
function step(spec: LayerSpec, input: Shape, label: string): Step | string {
  const isMap = input.length === 3;
  const [h = 0, w = 0, c = 0] = input;
  const needsMap = (what: string) =>
    `${label} comes after Flatten: ${what} needs a 3-D input`;
  switch (spec.type) {
    case 'conv2d': {
      if (!isMap) return needsMap('a convolution');
      if (!isPositiveInt(spec.filters)) return `${label} needs a whole number of filters ≥ 1`;
      if (!isPositiveInt(spec.kernel)) return `${label} needs a kernel size ≥ 1`;
      const stride = spec.stride ?? 1;
      if (!isPositiveInt(stride)) return `${label} needs a stride ≥ 1`;
      let oh: number;
      let ow: number;
      if (spec.padding === 'same') {
        oh = Math.ceil(h / stride);
        ow = Math.ceil(w / stride);
      } else {
        if (h < spec.kernel || w < spec.kernel) {
          return `${label} needs at least ${spec.kernel}×${spec.kernel} input but gets ${h}×${w} (use padding "same" or fewer poolings)`;
        }
        oh = Math.floor((h - spec.kernel) / stride) + 1;
        ow = Math.floor((w - spec.kernel) / stride) + 1;
      }
      const params = spec.kernel * spec.kernel * c * spec.filters + spec.filters;
      return { shape: [oh, ow, spec.filters], params, trainable: params };
    }
    case 'maxPool': {
      if (!isMap) return needsMap('a pooling');
      if (!isPositiveInt(spec.size) || spec.size < 2) return `${label} needs a pool size ≥ 2`;
      const oh = Math.floor(h / spec.size);
      const ow = Math.floor(w / spec.size);
      if (oh < 1 || ow < 1) return `${label} would shrink ${h}×${w} to ${oh}×${ow}`;
      return { shape: [oh, ow, c], params: 0, trainable: 0 };
    }
    case 'globalAvgPool':
      if (!isMap) return needsMap('a global pooling');
      return { shape: [c], params: 0, trainable: 0 };
    case 'flatten':
      return { shape: [input.reduce((a, b) => a * b, 1)], params: 0, trainable: 0 };
    case 'dense': {
      if (isMap) return `${label} gets a ${h}×${w}×${c} map: add Flatten or GlobalAvgPool before it`;
      if (!isPositiveInt(spec.units)) return `${label} needs a whole number of units ≥ 1`;
      const params = (input[0] ?? 0) * spec.units + spec.units;
      return { shape: [spec.units], params, trainable: params };
    }
    case 'dropout':
      if (!(spec.rate >= 0 && spec.rate < 1)) return `${label} needs a rate from 0 to below 1`;
      return { shape: input, params: 0, trainable: 0 };
    case 'batchNorm': {
      const channels = input[input.length - 1] ?? 0;
      // gamma and beta are trained; the moving mean and variance are counted but not trained.
      return { shape: input, params: 4 * channels, trainable: 2 * channels };
    }
  }
}

function isPositiveInt(n: number): boolean {
  return Number.isInteger(n) && n >= 1;
}

function labelOf(spec: LayerSpec, index: number): string {
  return `Layer ${index + 1} (${describeLayer(spec)})`;
}

/** Shapes and parameter counts without tfjs; matches model.summary()/countParams(). */
export function summarize(layers: readonly LayerSpec[], inputShape: InputShape = DEFAULT_INPUT_SHAPE): Summary {
  const names = layerNames(layers);
  const rows: SummaryRow[] = [];
  let shape: Shape | null = [...inputShape];
  let total = 0;
  let trainable = 0;
  layers.forEach((spec, i) => {
    const result = shape ? step(spec, shape, labelOf(spec, i)) : 'unknown';
    if (typeof result === 'string') {
      shape = null;
      rows.push({ name: names[i]!, type: spec.type, outputShape: [], params: 0 });
      return;
    }
    shape = result.shape;
    total += result.params;
    trainable += result.trainable;
    rows.push({ name: names[i]!, type: spec.type, outputShape: [null, ...result.shape], params: result.params });
  });
  return { rows, total, trainable, valid: shape !== null && validateStack(layers, { inputShape }).length === 0 };
}

/** Every reason the stack cannot be built or trained, in plain words. Empty when fine. */
export function validateStack(
  layers: readonly LayerSpec[],
  opts: { inputShape?: InputShape; classes?: number } = {},
): StackProblem[] {
  const classes = opts.classes ?? CLASS_COUNT;
  if (layers.length === 0) return [{ index: -1, message: 'The model has no layers' }];
  const problems: StackProblem[] = [];
  let shape: Shape = [...(opts.inputShape ?? DEFAULT_INPUT_SHAPE)];
  for (const [i, spec] of layers.entries()) {
    const result = step(spec, shape, labelOf(spec, i));
    if (typeof result === 'string') {
      // Later shapes are unknown, so later layers cannot be judged.
      problems.push({ index: i, message: result });
      break;
    }
    shape = result.shape;
  }
  const lastIndex = layers.length - 1;
  const last = layers[lastIndex]!;
  if (last.type !== 'dense' || last.units !== classes) {
    problems.push({
      index: lastIndex,
      message: `The last layer must be Dense with ${classes} units, one per class`,
    });
  } else if (last.activation !== 'softmax' && last.activation !== 'sigmoid') {
    problems.push({
      index: lastIndex,
      message: 'The last layer needs a softmax (or sigmoid) activation to give class probabilities',
    });
  }
  return problems;
}

/**
 * The tf.Sequential for a valid stack. Initialisers are seeded from `seed`, layer by layer,
 * so the same seed gives the same initial weights on any backend (tfjs draws them on the host).
 * Not compiled: the trainer runs its own loop and evaluation does not need compile().
 */
export function buildModel(
  layers: readonly LayerSpec[],
  opts: { inputShape?: InputShape; seed: number; classes?: number },
): tf.Sequential {
  const inputShape = opts.inputShape ?? DEFAULT_INPUT_SHAPE;
  const problems = validateStack(layers, { inputShape, ...(opts.classes ? { classes: opts.classes } : {}) });
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '));
  const rng = mulberry32(opts.seed);
  const names = layerNames(layers);
  const model = tf.sequential();
  layers.forEach((spec, i) => {
    const common = { name: names[i]!, ...(i === 0 ? { inputShape } : {}) };
    const kernelInitializer = () => tf.initializers.glorotUniform({ seed: nextSeed(rng) });
    switch (spec.type) {
      case 'conv2d':
        model.add(
          tf.layers.conv2d({
            ...common,
            filters: spec.filters,
            kernelSize: spec.kernel,
            strides: spec.stride ?? 1,
            padding: spec.padding,
            activation: spec.activation,
            kernelInitializer: kernelInitializer(),
          }),
        );
        break;
      case 'maxPool':
        model.add(tf.layers.maxPooling2d({ ...common, poolSize: spec.size, strides: spec.size }));
        break;
      case 'dense':
        model.add(
          tf.layers.dense({
            ...common,
            units: spec.units,
            activation: spec.activation,
            kernelInitializer: kernelInitializer(),
          }),
        );
        break;
      case 'dropout':
        model.add(tf.layers.dropout({ ...common, rate: spec.rate }));
        break;
      case 'batchNorm':
        model.add(tf.layers.batchNormalization({ ...common }));
        break;
      case 'flatten':
        model.add(tf.layers.flatten(common));
        break;
      case 'globalAvgPool':
        model.add(tf.layers.globalAveragePooling2d(common));
        break;
    }
  });
  return model;
}
