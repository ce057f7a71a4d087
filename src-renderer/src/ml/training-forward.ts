/**
 * The training step's forward pass: model.apply(xs, { training: true }), except that each
 * conv2d (stride 1, ReLU, bias) directly followed by a 2×2 max pooling runs as one fused op
 * where the backend has it (wasm: kernels/conv-relu-pool.ts). Same maths on the same variables,
 * so the same gradients reach the same weights; the model and its saved form are untouched.
 */
import * as tf from '@tensorflow/tfjs';
import { convReluPool } from './kernels/conv-relu-pool';
import { CONV_RELU_POOL } from './kernels/names';

/** A step of the forward pass: one layer, or a conv + pooling pair run as one op. */
type Stage = { layer: tf.layers.Layer } | { conv: tf.layers.Layer; padding: 'valid' | 'same' };

const pair = (v: unknown): number[] => (Array.isArray(v) ? (v as number[]) : [v as number, v as number]);

/** Whether `conv` then `pool` is a stage the fused op computes; its padding if so. */
export function fusablePair(conv: tf.layers.Layer, pool: tf.layers.Layer | undefined): 'valid' | 'same' | null {
  if (!pool || conv.getClassName() !== 'Conv2D' || pool.getClassName() !== 'MaxPooling2D') return null;
  const c = conv.getConfig();
  const p = pool.getConfig();
  const fits =
    c['activation'] === 'relu' &&
    c['useBias'] === true &&
    c['dataFormat'] === 'channelsLast' &&
    (c['padding'] === 'valid' || c['padding'] === 'same') &&
    pair(c['strides']).every((s) => s === 1) &&
    pair(c['dilationRate']).every((d) => d === 1) &&
    (c['filters'] as number) % 4 === 0 &&
    p['padding'] === 'valid' &&
    p['dataFormat'] === 'channelsLast' &&
    pair(p['poolSize']).every((s) => s === 2) &&
    pair(p['strides']).every((s) => s === 2);
  return fits ? (c['padding'] as 'valid' | 'same') : null;
}

/**
 * The model's layers grouped into stages, conv + pooling pairs fused. Only a Sequential model is
 * a chain of its layers in order; any other graph (a Keras functional model, which may branch)
 * gets one stage per layer, i.e. model.apply.
 */
export function trainingStages(model: tf.LayersModel): Stage[] {
  const stages: Stage[] = [];
  const layers = model.layers;
  if (model.getClassName() !== 'Sequential') return layers.map((layer) => ({ layer }));
  for (let i = 0; i < layers.length; i++) {
    const padding = fusablePair(layers[i]!, layers[i + 1]);
    if (padding === null) {
      stages.push({ layer: layers[i]! });
    } else {
      stages.push({ conv: layers[i]!, padding });
      i++;
    }
  }
  return stages;
}

const plans = new WeakMap<tf.LayersModel, Stage[]>();

let fusion = true;

/** Turns the fused stages off (on by default): for side-by-side timing (scripts/profile-step.ts --unfused). */
export function setStageFusion(enabled: boolean): void {
  fusion = enabled;
}

/** The model's output for a training step (dropout and batch-norm in training mode). */
export function trainingForward(model: tf.LayersModel, xs: tf.Tensor): tf.Tensor {
  if (!fusion || tf.getKernel(CONV_RELU_POOL, tf.getBackend()) === undefined) return model.apply(xs, { training: true }) as tf.Tensor;
  let stages = plans.get(model);
  if (stages === undefined) {
    stages = trainingStages(model);
    plans.set(model, stages);
  }
  if (stages.length === model.layers.length) return model.apply(xs, { training: true }) as tf.Tensor;
  let y = xs;
  for (const stage of stages) {
    if ('layer' in stage) {
      y = stage.layer.apply(y, { training: true }) as tf.Tensor;
    } else {
      const [kernel, bias] = stage.conv.weights.map((w) => w.read());
      y = convReluPool(y as tf.Tensor4D, kernel as tf.Tensor4D, bias as tf.Tensor1D, stage.padding);
    }
  }
  return y;
}
