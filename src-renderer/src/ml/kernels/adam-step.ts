/**
 * The whole of a flat Adam update (flat-adam.ts) as one wasm kernel (simd.c adam_step): the
 * new weights and both new moments in one pass over the gradient, instead of thirteen kernels
 * each reading and writing the ~93,000 floats (report CNN) or ~460,000 (Tailor best) again.
 * The same float32 operations in the same order, so the same numbers as the composed update.
 */
import * as tf from '@tensorflow/tfjs';
import { kernelInput } from './kernel-tensors';
import { ADAM_STEP } from './names';
import { backendOf, offsetOf, simdFor } from './simd-module';

export interface AdamStepAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

/** [value, first, second] after one step, from the gradient, the values, both moments and β1ᵗ, β2ᵗ. */
const adamStepKernel: tf.KernelFunc = (args) => {
  const { beta1, beta2, epsilon, learningRate } = args.attrs as unknown as AdamStepAttrs;
  const backend = backendOf(args);
  const names = ['gradient', 'value', 'first', 'second', 'accBeta1', 'accBeta2'] as const;
  const inputs = names.map((name) => kernelInput(args, name));
  if (inputs.some((t) => t.dtype !== 'float32')) throw new Error(`${ADAM_STEP} takes float32 only.`);
  const [gradient] = inputs as [tf.TensorInfo];
  const size = gradient.shape.reduce((a, b) => a * b, 1);
  const outputs = [0, 1, 2].map(() => backend.makeOutput([...gradient.shape], 'float32'));
  const [g, w, m, v, acc1, acc2] = inputs.map((t) => offsetOf(backend, t)) as [number, number, number, number, number, number];
  const [wOut, mOut, vOut] = outputs.map((t) => offsetOf(backend, t)) as [number, number, number];
  // The scalars as tfjs makes them: float32 tensors of the JS numbers (1 − β computed in double first).
  const f32 = Math.fround;
  simdFor(backend).adam_step(g, w, m, v, acc1, acc2, wOut, mOut, vOut, size, f32(beta1), f32(1 - beta1), f32(beta2), f32(1 - beta2), f32(epsilon), f32(-learningRate));
  return outputs;
};

export const adamStepKernelConfig: tf.KernelConfig = { kernelName: ADAM_STEP, backendName: 'wasm', kernelFunc: adamStepKernel };

/** Whether the current backend runs the fused step. */
export function hasAdamStep(): boolean {
  return tf.getKernel(ADAM_STEP, tf.getBackend()) !== undefined;
}

/** The fused step: [value, first, second] after one update. */
export function adamStep(
  inputs: { gradient: tf.Tensor; value: tf.Tensor; first: tf.Tensor; second: tf.Tensor; accBeta1: tf.Tensor; accBeta2: tf.Tensor },
  attrs: AdamStepAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(ADAM_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
}
