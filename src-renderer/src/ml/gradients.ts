/**
 * Faster gradients. FusedBatchNorm: tfjs-core's version multiplies dy by the per-channel
 * 1/√variance after `tile`-ing it to the full activation shape; a broadcasting multiply gives
 * the same numbers without materialising that tensor, and wasm's Tile is a slow scalar loop
 * (it was half the time of a training step of the "best" network). Same maths on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { RELU_GRAD } from './kernels/names';

const batchNormGrad: tf.GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const g = dy as tf.Tensor;
    const scaleValue = scale ?? tf.scalar(1);
    // As in tfjs-core: per-channel (1-D) statistics sum their gradient over the broadcast axes.
    const axes = tf.broadcast_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor) => tf.reshape(mean.rank === 1 ? tf.sum(t, axes) : t, mean.shape);
    const xMinusMean = tf.sub(x, mean);
    const dyTimesScale = tf.mul(g, scaleValue);
    const rsqrtVar = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    // Per-channel factors are constant over the summed axes, so they multiply the (small) sums
    // rather than every element: one full-size kernel fewer per statistic, on every backend.
    return {
      x: () => tf.mul(dyTimesScale, rsqrtVar),
      mean: () => tf.mul(tf.neg(rsqrtVar), reduce(dyTimesScale)),
      variance: () => tf.mul(tf.mul(tf.pow(rsqrtVar, 3), -0.5), reduce(tf.mul(xMinusMean, dyTimesScale))),
      scale: () => tf.mul(rsqrtVar, reduce(tf.mul(g, xMinusMean))),
      offset: () => reduce(g),
    };
  },
};

/**
 * ReLU's gradient, dy where x > 0: one fused kernel where the backend has it (wasm, see
 * kernels/simd.c), else tfjs-core's own composition (step, cast, multiply).
 */
const reluGrad: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    const g = dy as tf.Tensor;
    const fused = x.dtype === 'float32' && g.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined;
    return {
      x: () => (fused ? (tf.engine().runKernel(RELU_GRAD, { x, dy: g }) as tf.Tensor) : tf.mul(g, tf.cast(tf.step(x), 'float32'))),
    };
  },
};

let registered = false;

/** Replaces tfjs-core's FusedBatchNorm and Relu gradients; idempotent. */
export function registerFastGradients(): void {
  if (registered) return;
  tf.registerGradient(batchNormGrad);
  tf.registerGradient(reluGrad);
  registered = true;
}
