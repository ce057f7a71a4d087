// Small helpers for Tailor's wasm kernels (wasm-kernels.ts, conv-backprop.ts, simd-kernels.ts, slice.ts).
import * as tf from '@tensorflow/tfjs';

/**
 * Kernel inputs are normally Tensors already; a bare TensorInfo gets a Tensor view that the
 * enclosing tidy disposes (the view shares the data, so disposing it frees nothing of the input's).
 */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo | undefined, name: string): tf.Tensor<R> {
  if (info === undefined) throw new Error(`Missing kernel input '${name}'.`);
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

/**
 * A copy of `t` under a data id of its own, for use as matMul's B. wasm's BatchMatMul caches its
 * XNNPACK operator, with B packed into it, under B's data id, and reshapes share data ids: had the
 * caller's tensor been B before under another shape, wasm would abort or answer garbage.
 */
export function ownData<T extends tf.Tensor>(t: T): T {
  return tf.add(t, tf.scalar(0, t.dtype));
}

/** The arguments the engine passes a kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The kernel input `name`, or an error that names it. */
export function kernelInput(args: KernelArgs, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`Missing kernel input '${name}'.`);
  return t;
}
