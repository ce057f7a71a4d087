/**
 * tfjs kernels for the wasm backend built on simd.c: each reads its inputs and writes its
 * output in the backend's heap, in one pass, with 128-bit SIMD. They replace wasm's scalar
 * loops (MaxPoolGrad, Transpose) and slow general paths (binary ops, which wasm runs through
 * XNNPACK's thread pool even for ten numbers; Sum and Mean over leading axes), and do the filter gradient of thin convolutions (first layers).
 * Shapes they do not cover go to wasm's own kernel (the `fallback` each wrapper is given).
 */
import * as tf from '@tensorflow/tfjs';
import { kernelInput } from './kernel-tensors';
import { backendOf, offsetOf, simdFor, type WasmBackendLike } from './simd-module';

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** MaxPoolGrad (2-D, NHWC, float32): first maximum of each window, as on the cpu backend. */
export function simdMaxPoolGrad(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
    const x = kernelInput(args, 'input');
    const dy = kernelInput(args, 'dy');
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') return fallback(args);
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const backend = backendOf(args);
    const dx = backend.makeOutput([...x.shape], 'float32');
    simdFor(backend).max_pool_grad(
      offsetOf(backend, x),
      offsetOf(backend, dy),
      offsetOf(backend, dx),
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
    return dx;
  };
}

const BINARY_OPS = { add: 0, sub: 1, mul: 2, div: 3 } as const;

/** One operand of a binary op seen as a [rows, cols] matrix: element (r, j) at r·rowStride + j·colStride. */
export interface Strides2d {
  rowStride: number;
  colStride: number;
}

/** A broadcasting binary op's output shape, seen as a [rows, cols] matrix, and each operand's strides in it. */
export interface Broadcast2d {
  outShape: number[];
  rows: number;
  cols: number;
  a: Strides2d;
  b: Strides2d;
}

/**
 * The output of a broadcasting binary op as a [rows, cols] matrix in which each operand is the
 * whole matrix, one row (a per-channel vector), one column (e.g. a per-example sum, [N, 1]) or
 * a scalar, or null when the broadcast is not of that kind ([3, 1, 5] with [1, 4, 1]).
 */
export function broadcast2d(aShape: readonly number[], bShape: readonly number[]): Broadcast2d | null {
  const out = tf.backend_util.assertAndGetBroadcastShape([...aShape], [...bShape]);
  const operands = [aShape, bShape].map((shape) => [...Array<number>(out.length - shape.length).fill(1), ...shape]);
  for (let k = 0; k <= out.length; k++) {
    const cols = size(out.slice(k));
    const strides = operands.map((shape) => operandStrides(shape, out, k, cols));
    const [a, b] = strides;
    if (a && b) return { outShape: out, rows: size(out.slice(0, k)), cols, a, b };
  }
  return null;
}

/** The strides of one operand (its shape padded to the output's rank) when split at axis k. */
function operandStrides(shape: readonly number[], out: readonly number[], k: number, cols: number): Strides2d | null {
  const kind = (from: number, to: number): 'one' | 'full' | null => {
    const mine = shape.slice(from, to);
    if (mine.every((d) => d === 1)) return 'one';
    return mine.every((d, i) => d === out[from + i]) ? 'full' : null;
  };
  const lead = kind(0, k);
  const trail = kind(k, out.length);
  if (lead === null || trail === null) return null;
  return { rowStride: lead === 'full' ? (trail === 'full' ? cols : 1) : 0, colStride: trail === 'full' ? 1 : 0 };
}

/** broadcast2d, remembered per pair of shapes: a training step meets the same few dozen pairs every step. */
const views = new Map<string, Broadcast2d | null>();
function cachedBroadcast2d(aShape: readonly number[], bShape: readonly number[]): Broadcast2d | null {
  const key = `${aShape.join()}|${bShape.join()}`;
  let view = views.get(key);
  if (view === undefined) {
    view = broadcast2d(aShape, bShape);
    if (views.size > 4096) views.clear();
    views.set(key, view);
  }
  return view;
}

/**
 * Add, Sub, Multiply or RealDiv of float32 tensors in one SIMD pass on the calling thread, for
 * every broadcast that `broadcast2d` can express (same shapes, scalars, per-channel vectors,
 * per-row columns). wasm's own kernels go through XNNPACK's thread pool, whose wake-up costs
 * more than the work for the small tensors of the loss and the optimizer (in a step at batch 2,
 * Add and Multiply took 1.3 and 1.9 ms on two threads against 0.7 and 0.8 on one), and
 * broadcast a bias over an activation element by element.
 */
export function simdBinary(op: keyof typeof BINARY_OPS, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const a = kernelInput(args, 'a');
    const b = kernelInput(args, 'b');
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const view = cachedBroadcast2d(a.shape, b.shape);
    if (view === null) return fallback(args);
    const backend = backendOf(args);
    const out = backend.makeOutput([...view.outShape], 'float32');
    if (view.rows * view.cols === 0) return out;
    simdFor(backend).binary_2d(
      BINARY_OPS[op],
      offsetOf(backend, a),
      offsetOf(backend, b),
      offsetOf(backend, out),
      view.rows,
      view.cols,
      view.a.rowStride,
      view.a.colStride,
      view.b.rowStride,
      view.b.colStride,
    );
    return out;
  };
}

/**
 * Sum or Mean of a float32 tensor over its leading axes ([N, H, W, C] over N, H, W: bias
 * gradients, batch-norm moments): one streaming pass of column sums.
 */
export function simdLeadingReduction(mean: boolean, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const x = kernelInput(args, 'x');
    if (x.dtype !== 'float32') return fallback(args);
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (!leading) return fallback(args);
    const rows = size(x.shape.slice(0, axes.length));
    const rest = x.shape.slice(axes.length);
    const backend = backendOf(args);
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
    simdFor(backend).column_sum(offsetOf(backend, x), offsetOf(backend, out), rows, size(rest), mean ? 1 / rows : 1);
    return out;
  };
}

/**
 * A permutation with size-1 axes dropped and runs of axes that stay adjacent merged, e.g.
 * [N, H, W, C] by [3, 1, 2, 0] → shape [N, H·W, C] by [2, 1, 0].
 */
export function mergePermutation(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  const groups: number[][] = [];
  for (const axis of kept) {
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    // Axes adjacent in the output stay one group if they were adjacent (ignoring size-1 axes) in the input.
    const between = prev === undefined ? [] : shape.slice(prev + 1, axis);
    if (last && prev !== undefined && axis > prev && between.every((d) => d === 1)) last.push(axis);
    else groups.push([axis]);
  }
  const byInputOrder = [...groups].sort((g, h) => g[0]! - h[0]!);
  return {
    shape: byInputOrder.map((g) => size(g.map((a) => shape[a]!))),
    perm: groups.map((g) => byInputOrder.indexOf(g)),
  };
}

/** Transpose of float32 data whose merged permutation is a 2-D transpose, [2, 1, 0] or [1, 0, 2]. */
export function simdTranspose(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    const x = kernelInput(args, 'x');
    if (x.dtype !== 'float32') return fallback(args);
    const merged = mergePermutation(x.shape, perm);
    const key = merged.perm.join();
    const outShape = perm.map((axis) => x.shape[axis]!);
    const run = (fn: 'transpose_outer' | 'transpose_rows', a: number, b: number, c: number): tf.TensorInfo => {
      const backend = backendOf(args);
      const out = backend.makeOutput(outShape, 'float32');
      simdFor(backend)[fn](offsetOf(backend, x), offsetOf(backend, out), a, b, c);
      return out;
    };
    const [d0 = 1, d1 = 1, d2 = 1] = merged.shape;
    if (key === '1,0') return run('transpose_outer', d0, 1, d1);
    if (key === '2,1,0') return run('transpose_outer', d0, d1, d2);
    if (key === '1,0,2') return run('transpose_rows', d0, d1, d2);
    return fallback(args);
  };
}

/** Geometry of a convolution, as the filter-gradient kernel takes it. */
export interface FilterGradGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  stride: [number, number];
  padTop: number;
  padLeft: number;
}

/** dW of a convolution computed directly (for few KH·KW·Cin rows, where GEMMs are thin). */
export function simdFilterGradSmall(backendArg: unknown, x: tf.TensorInfo, dy: tf.TensorInfo, g: FilterGradGeometry): tf.TensorInfo {
  const backend = backendArg as WasmBackendLike;
  const dw = backend.makeOutput([g.filterHeight, g.filterWidth, g.inChannels, g.outChannels], 'float32');
  simdFor(backend).conv_filter_grad_small(
    offsetOf(backend, x),
    offsetOf(backend, dy),
    offsetOf(backend, dw),
    g.batch,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.outChannels,
    g.filterHeight,
    g.filterWidth,
    g.stride[0],
    g.stride[1],
    g.padTop,
    g.padLeft,
  );
  return dw;
}

/**
 * Identity that shares the data (one more reference) instead of copying it, as the cpu backend's
 * does: tfjs's engine clones every tensor a gradient saves, three full activations per conv
 * layer per step, and tensors are never written in place.
 */
export function sharedIdentity(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = kernelInput(args, 'x');
    if (x.dtype === 'string') return fallback(args);
    backendOf(args).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** The filter of the input gradient: `filter` rotated 180° with in/out channels swapped. */
export function simdFlipFilter(backendArg: unknown, filter: tf.TensorInfo): tf.TensorInfo {
  const backend = backendArg as WasmBackendLike;
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([kh, kw, cout, cin], 'float32');
  simdFor(backend).flip_filter(offsetOf(backend, filter), offsetOf(backend, out), kh, kw, cin, cout);
  return out;
}

/** dx = dy where x > 0, else 0, in one pass. */
export const simdReluGrad: tf.KernelFunc = (args) => {
  const x = kernelInput(args, 'x');
  const dy = kernelInput(args, 'dy');
  const backend = backendOf(args);
  const dx = backend.makeOutput([...x.shape], 'float32');
  simdFor(backend).relu_grad(offsetOf(backend, x), offsetOf(backend, dy), offsetOf(backend, dx), size(x.shape));
  return dx;
};

/** The convolution's geometry as im2col and col2im take it, after their two pointers. */
function geometryArgs(g: FilterGradGeometry): [number, number, number, number, number, number, number, number, number, number, number, number] {
  return [g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.filterHeight, g.filterWidth, g.stride[0], g.stride[1], g.padTop, g.padLeft];
}

/** The transposed im2col of x for a convolution: [KH·KW·Cin, N·OH·OW], zeros in the padding. */
export function simdIm2colTransposed(backendArg: unknown, x: tf.TensorInfo, g: FilterGradGeometry): tf.TensorInfo {
  const backend = backendArg as WasmBackendLike;
  const rows = g.filterHeight * g.filterWidth * g.inChannels;
  const out = backend.makeOutput([rows, g.batch * g.outHeight * g.outWidth], 'float32');
  simdFor(backend).im2col_transposed(offsetOf(backend, x), offsetOf(backend, out), ...geometryArgs(g));
  return out;
}

/** dx [N, H, W, Cin] from the gradient of the im2col matrix, cols [N·OH·OW, KH·KW·Cin]. */
export function simdCol2im(backendArg: unknown, cols: tf.TensorInfo, g: FilterGradGeometry): tf.TensorInfo {
  const backend = backendArg as WasmBackendLike;
  const dx = backend.makeOutput([g.batch, g.inHeight, g.inWidth, g.inChannels], 'float32');
  simdFor(backend).col2im_add(offsetOf(backend, cols), offsetOf(backend, dx), ...geometryArgs(g));
  return dx;
}
