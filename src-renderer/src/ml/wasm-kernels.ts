/**
 * Training kernels that TensorFlow.js 4.22's wasm backend lacks or runs slowly.
 *
 * The wasm backend has no `Conv2DBackpropFilter` (so a CNN cannot train on it at all) and its
 * `Conv2DBackpropInput` is a scalar C++ loop. Both are rebuilt here from kernels wasm runs fast
 * (XNNPACK convolution and matrix multiply) and Tailor's SIMD kernels (kernels/simd.c: im2col,
 * the flipped filter, thin filter gradients), as is `UnsortedSegmentSum`, the gradient of
 * `gather`. wasm's `OneHot`, wrong for any dtype but int32, is fixed. Wrappers around wasm's own
 * kernels route the shapes training hits to faster paths: BatchMatMul (transposed operands),
 * Tile, MaxPoolGrad, per-channel Add/Sub/Multiply, Sum and Mean over leading axes, Transpose,
 * and Identity (shares data instead of copying). A fused ReLU gradient kernel backs
 * gradients.ts.
 *
 * A kernel may call tf ops: the engine tapes only at kernel depth 0, so nested ops never reach the
 * gradient tape, and a returned Tensor is adopted as the kernel's output as is. Each kernel runs
 * its intermediates inside `tf.tidy` so none outlive the call.
 */
import * as tf from '@tensorflow/tfjs';
// Imported for its side effect: it registers wasm's own kernels, which must happen before ours
// so that its Conv2DBackpropInput never overwrites the replacement below.
import '@tensorflow/tfjs-backend-wasm';
import {
  sharedIdentity,
  simdFilterGradSmall,
  simdIm2colTransposed,
  simdFlipFilter,
  simdReluGrad,
  simdRowBroadcast,
  simdLeadingReduction,
  simdMaxPoolGrad,
  simdTranspose,
} from './kernels/simd-kernels';
import { RELU_GRAD } from './kernels/names';

type Pair = [number, number];
type ExplicitPadding = tf.backend_util.ExplicitPadding;

interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  stride: Pair;
  /** Zero rows/columns added before the input, as the forward convolution used them. */
  padTop: number;
  padLeft: number;
}

/** Attributes shared by both convolution backprop kernels (tfjs-core's attrs, NHWC only). */
interface ConvBackpropAttrs {
  strides: number | Pair;
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function geometry(
  kernelName: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvBackpropAttrs,
): ConvGeometry {
  // wasm's own Conv2D and FusedConv2D refuse NCHW, so no NCHW graph can reach this backprop.
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`${kernelName} on wasm supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'.`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    stride: [info.strideHeight, info.strideWidth],
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Kernel inputs are normally Tensors already; a bare TensorInfo gets a Tensor view that the
 * enclosing tidy disposes (the view shares the data, so disposing it frees nothing of the input's).
 */
function asTensor<R extends tf.Rank>(info: tf.TensorInfo | undefined, name: string): tf.Tensor<R> {
  if (info === undefined) throw new Error(`Missing kernel input '${name}'.`);
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>;
}

/**
 * A copy of `t` under a data id of its own, for use as matMul's B. wasm's BatchMatMul caches its
 * XNNPACK operator, with B packed into it, under B's data id, and reshapes share data ids: had the
 * caller's tensor been B before under another shape, wasm would abort or answer garbage.
 */
function ownData<T extends tf.Tensor>(t: T): T {
  return tf.add(t, tf.scalar(0, t.dtype));
}

/**
 * Splits per-axis [before, after] amounts for the two spatial axes (1 and 2) of a 4-D tensor:
 * negative amounts are cropped off here, the rest is returned as explicit padding that
 * XNNPACK's convolution applies itself, without materialising a padded copy.
 */
function cropToPadding(x: tf.Tensor4D, height: Pair, width: Pair): [tf.Tensor4D, ExplicitPadding] {
  const [hb, ha] = height;
  const [wb, wa] = width;
  const pad: ExplicitPadding = [
    [0, 0],
    [Math.max(hb, 0), Math.max(ha, 0)],
    [Math.max(wb, 0), Math.max(wa, 0)],
    [0, 0],
  ];
  if (hb >= 0 && ha >= 0 && wb >= 0 && wa >= 0) return [x, pad];
  const [n, h, w, c] = x.shape;
  const top = Math.max(-hb, 0);
  const left = Math.max(-wb, 0);
  const cropped = tf.slice(
    x,
    [0, top, left, 0],
    [n, h - top - Math.max(-ha, 0), w - left - Math.max(-wa, 0), c],
  );
  return [cropped, pad];
}

/**
 * Inserts (stride − 1) zeros after every row and column of dy, so that the transposed
 * convolution of a strided conv becomes a stride-1 convolution. The result is
 * [N, OH·sh, OW·sw, C]: it ends with (stride − 1) zero rows/columns that callers crop.
 */
function dilate(dy: tf.Tensor4D, [sh, sw]: Pair): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(spread, [n, oh * sh, ow * sw, c]);
}

/**
 * Up to this many rows (KH·KW·Cin) the SIMD kernel computes the filter gradient directly: the
 * first layer of a 1-channel network (9 rows) is a GEMM too thin for XNNPACK.
 */
const DIRECT_MAX_ROWS = 27;

/**
 * dW[kh, kw, ci, co] = Σ over n, oh, ow of xPadded[n, oh·sh + kh, ow·sw + kw, ci] · dy[n, oh, ow, co]:
 * computed directly for few rows, else as one GEMM of the transposed im2col of x (SIMD kernel,
 * [KH·KW·Cin, N·OH·OW]) by dy as [N·OH·OW, Cout], on XNNPACK's threads. (The convolution with
 * batch and channels swapped used before ran at ~1 GFLOP/s for 'same' layers, whose "filter"
 * is the whole 14×14 output.)
 */
const conv2DBackpropFilter: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { filterShape, ...convAttrs } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const x = inputs.x;
  const dy = inputs.dy;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy.');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('Conv2DBackpropFilter on wasm takes float32 only.');
  const g = geometry(tf.Conv2DBackpropFilter, x.shape, filterShape, convAttrs);
  const rows = g.inChannels * g.filterHeight * g.filterWidth;
  if (rows <= DIRECT_MAX_ROWS) return simdFilterGradSmall(backend, x, dy, g);
  return tf.tidy(() => {
    const pixels = g.batch * g.outHeight * g.outWidth;
    const columns = asTensor<tf.Rank.R2>(simdIm2colTransposed(backend, x, g), 'columns');
    const grad = tf.matMul(columns, ownData(tf.reshape(asTensor(dy, 'dy'), [pixels, g.outChannels])));
    return tf.reshape(grad, [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  });
};

/**
 * dx is the full correlation of dy (dilated by the stride) with the filter rotated 180° and its
 * in/out channels swapped — a stride-1 convolution that wasm runs through XNNPACK.
 */
const conv2DBackpropInput: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { inputShape, ...convAttrs } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(inputs.dy, 'dy');
    const filter = asTensor<tf.Rank.R4>(inputs.filter, 'filter');
    const g = geometry(tf.Conv2DBackpropInput, inputShape, filter.shape, convAttrs);
    const [sh, sw] = g.stride;
    // Input row h receives dyDilated[h + padTop − kh] · W[kh]: pad KH − 1 − padTop zeros before,
    // and after as many as make the output H rows long (negative amounts crop instead).
    const top = g.filterHeight - 1 - g.padTop;
    const left = g.filterWidth - 1 - g.padLeft;
    const [source, pad] = cropToPadding(
      dilate(dy, g.stride),
      [top, g.inHeight + g.filterHeight - 1 - top - g.outHeight * sh],
      [left, g.inWidth + g.filterWidth - 1 - left - g.outWidth * sw],
    );
    const flipped =
      filter.dtype === 'float32'
        ? asTensor<tf.Rank.R4>(simdFlipFilter(backend, filter), 'flipped')
        : tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    return tf.conv2d(source, flipped, 1, pad);
  });
};

/**
 * out[s, ...] = Σ of data[i, ...] over the i whose segment id is s: a one-hot [N, S] matrix,
 * transposed, times data reshaped to [N, rest]. Out-of-range ids give an all-zero one-hot row, so
 * they contribute nothing, as in tfjs-core.
 */
const unsortedSegmentSum: tf.KernelFunc = ({ inputs, attrs }) => {
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  return tf.tidy(() => {
    const data = asTensor(inputs.x, 'x');
    const ids = asTensor(inputs.segmentIds, 'segmentIds');
    const rowCount = ids.size;
    const rest = data.shape.slice(ids.rank);
    const data2d = tf.reshape(data, [rowCount, rest.reduce((a, b) => a * b, 1)]);
    // An int32 one-hot, cast (see fixedOneHot). wasm's matMul is float32-only; integer sums stay
    // exact below 2^24.
    const selector = tf.cast(tf.oneHot(tf.cast(tf.reshape(ids, [rowCount]), 'int32'), numSegments), 'float32');
    const summed = tf.matMul(tf.transpose(selector), ownData(tf.cast(data2d, 'float32')));
    return tf.cast(tf.reshape(summed, [numSegments, ...rest]), data.dtype);
  });
};

/**
 * wasm's OneHot always writes int32 bit patterns, whatever the dtype: a float32 one-hot comes
 * out as 1.4e-45 instead of 1. Non-int32 requests are built from wasm's int32 one-hot instead.
 */
function fixedOneHot(wasmOneHot: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { dtype, depth, onValue, offValue } = args.attrs as unknown as tf.OneHotAttrs;
    if (dtype === 'int32') return wasmOneHot.kernelFunc(args);
    return tf.tidy(() => {
      // Re-enters this kernel with int32, which goes straight to wasm's.
      const hot = tf.oneHot(asTensor(args.inputs.indices, 'indices'), depth);
      return onValue === 1 && offValue === 0
        ? tf.cast(hot, dtype)
        : tf.where(tf.cast(hot, 'bool'), tf.scalar(onValue, dtype), tf.scalar(offValue, dtype));
    });
  };
}

/**
 * wasm's BatchMatMul runs XNNPACK only for untransposed operands; transposeA/transposeB fall to a
 * scalar loop ~10× slower than transposing first (dense layers' dW = xᵀ·dy and dx = dy·Wᵀ:
 * [128, 3136]ᵀ·[128, 128] takes 146 ms that way, 15 ms with the transpose).
 */
function untransposedMatMul(wasmMatMul: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return wasmMatMul.kernelFunc(args);
    return tf.tidy(() => {
      const swapLastTwo = (t: tf.Tensor): tf.Tensor => {
        const perm = t.shape.map((_, i) => i);
        perm.push(...perm.splice(-2).reverse());
        return tf.transpose(t, perm);
      };
      const a = asTensor(args.inputs.a, 'a');
      const b = asTensor(args.inputs.b, 'b');
      // Re-enters this kernel untransposed, which goes straight to wasm's.
      return tf.matMul(transposeA ? swapLastTwo(a) : a, transposeB ? swapLastTwo(b) : b);
    });
  };
}

/**
 * wasm's Tile walks the output element by element: BatchNorm's gradient tiles [1, 1, 1, C] to
 * the activation's shape, 640 ms for [128, 28, 28, 32]. A broadcasting add of zeros does the same
 * in 30 ms: each tiled axis d becomes (reps, d), with x broadcast along reps.
 */
function broadcastingTile(wasmTile: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { reps } = args.attrs as unknown as tf.TileAttrs;
    const x = args.inputs.x;
    if (x === undefined || (x.dtype !== 'float32' && x.dtype !== 'int32')) return wasmTile.kernelFunc(args);
    const xShape: number[] = [];
    const zerosShape: number[] = [];
    x.shape.forEach((size, axis) => {
      const times = reps[axis] ?? 1;
      if (times === 1 || size === 1) {
        xShape.push(size);
        zerosShape.push(times);
      } else {
        xShape.push(1, size);
        zerosShape.push(times, 1);
      }
    });
    // XNNPACK broadcasts up to 6 dimensions; beyond that wasm's own Tile is the only path.
    if (xShape.length > 6) return wasmTile.kernelFunc(args);
    return tf.tidy(() => {
      const tiled = tf.add(tf.reshape(asTensor(x, 'x'), xShape), tf.zeros(zerosShape, x.dtype));
      return tf.reshape(tiled, x.shape.map((size, axis) => size * (reps[axis] ?? 1)));
    });
  };
}

let kernels: readonly tf.KernelConfig[] | undefined;

function wasmTrainingKernels(): readonly tf.KernelConfig[] {
  if (kernels !== undefined) return kernels;
  const wasmKernel = (name: string): tf.KernelConfig => {
    const config = tf.getKernel(name, 'wasm');
    if (config === undefined) throw new Error(`The wasm backend registered no ${name} kernel.`);
    return config;
  };
  // Overrides keep wasm's config (its setupFunc wires the C++ function when the backend starts)
  // and call its kernelFunc for the cases they do not take over.
  const override = (name: string, wrap: (wasm: tf.KernelConfig) => tf.KernelFunc): tf.KernelConfig => {
    const wasm = wasmKernel(name);
    return { ...wasm, kernelFunc: wrap(wasm) };
  };
  kernels = [
    { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
    { kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInput },
    { kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum },
    override(tf.OneHot, fixedOneHot),
    override(tf.BatchMatMul, untransposedMatMul),
    override(tf.Tile, broadcastingTile),
    override(tf.Sum, (wasm) => simdLeadingReduction(false, wasm.kernelFunc)),
    override(tf.Mean, (wasm) => simdLeadingReduction(true, wasm.kernelFunc)),
    override(tf.MaxPoolGrad, (wasm) => simdMaxPoolGrad(wasm.kernelFunc)),
    override(tf.Add, (wasm) => simdRowBroadcast('add', wasm.kernelFunc)),
    override(tf.Sub, (wasm) => simdRowBroadcast('sub', wasm.kernelFunc)),
    override(tf.Multiply, (wasm) => simdRowBroadcast('mul', wasm.kernelFunc)),
    override(tf.Transpose, (wasm) => simdTranspose(wasm.kernelFunc)),
    override(tf.Identity, (wasm) => sharedIdentity(wasm.kernelFunc)),
    { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: simdReluGrad },
  ];
  return kernels;
}

/**
 * Registers the kernels above for the 'wasm' backend, replacing any registered under the same
 * names (wasm's own, which the wrappers keep calling). Idempotent, and valid before or after
 * `tf.setBackend('wasm')`: the engine looks kernels up by name on every call.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels()) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
