/**
 * Slice and SplitV for the wasm backend without copying the whole input. tfjs-wasm 4.22's Slice
 * starts with `readSync(x)`, a copy of all of x out of the heap, before copying the slice: the
 * flat Adam's SplitV (10 slices of a 93,322-weight vector) took ~3 ms a step, and its SplitV
 * calls that Slice directly. A contiguous slice here is one copy of its own elements, from a view
 * of the heap; any other goes to wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { kernelInput } from './kernel-tensors';
import type { WasmBackendLike } from './simd-module';

/** Numbers stored one per 4 bytes on the heap; bool and string tensors keep wasm's own path. */
const onHeap = (dtype: tf.DataType): boolean => dtype === 'float32' || dtype === 'int32';

/** x[begin : begin + size] when those elements are contiguous in x, else null. */
function contiguousSlice(backendArg: unknown, x: tf.TensorInfo, begin: number[] | number, size: number[] | number | undefined): tf.TensorInfo | null {
  if (!onHeap(x.dtype)) return null;
  const [start, extent] = tf.slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
  if (!tf.slice_util.isSliceContinous(x.shape, start, extent)) return null;
  const backend = backendArg as WasmBackendLike;
  const offset = tf.slice_util.computeFlatOffset(start, tf.util.computeStrides(x.shape));
  // makeOutput may grow the heap, which replaces its buffer: views are taken after it.
  const out = backend.makeOutput(extent, x.dtype);
  const count = tf.util.sizeFromShape(extent);
  backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x).subarray(offset, offset + count));
  return out;
}

export function heapSlice(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    return contiguousSlice(args.backend, kernelInput(args, 'x'), begin, size) ?? fallback(args);
  };
}

export function heapSplitV(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const x = kernelInput(args, 'x');
    const along = tf.util.parseAxisParam(axis, x.shape)[0]!;
    // Every piece is contiguous when the axes before the split axis are all 1 (a flat vector).
    if (!onHeap(x.dtype) || x.shape.slice(0, along).some((d) => d !== 1)) return fallback(args);
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, along);
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const extent = [...x.shape];
      extent[along] = s;
      const piece = contiguousSlice(args.backend, x, [...begin], extent);
      if (piece === null) throw new Error('SplitV: a piece along a leading axis was not contiguous.');
      begin[along]! += s;
      return piece;
    });
  };
}
