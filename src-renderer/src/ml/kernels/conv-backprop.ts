/**
 * The convolution gradients for the wasm backend, which has no Conv2DBackpropFilter and a scalar
 * Conv2DBackpropInput: rebuilt from XNNPACK's convolution and matrix multiply and Tailor's SIMD
 * kernels (simd.c: im2col, the flipped filter, thin filter gradients). Registered by
 * ../wasm-kernels.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { asTensor, ownData } from './kernel-tensors';
import { simdCol2im, simdFilterGradSmall, simdFlipFilter, simdIm2colTransposed, type FilterGradGeometry } from './simd-kernels';

type Pair = [number, number];
type ExplicitPadding = tf.backend_util.ExplicitPadding;

/** Where the forward convolution read its input (padTop/padLeft: zero rows/columns added before it). */
export type ConvGeometry = FilterGradGeometry;

/** Attributes shared by both convolution backprop kernels (tfjs-core's attrs, NHWC only). */
interface ConvBackpropAttrs {
  strides: number | Pair;
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function geometry(
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
 * is the whole 14×14 output. Splitting the GEMM's long K into blocks of 2,048 pixels, so that
 * XNNPACK's operands stay in L2, made a step slower: 192 → 230 ms median, report CNN, batch 128.)
 */
export const conv2DBackpropFilter: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { filterShape, ...convAttrs } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const x = inputs.x;
  const dy = inputs.dy;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy.');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('Conv2DBackpropFilter on wasm takes float32 only.');
  return filterGradient(backend, x, dy, geometry(tf.Conv2DBackpropFilter, x.shape, filterShape, convAttrs));
};

/**
 * dW for the convolution `g` from x and dy ([N, OH, OW, Cout] of g's output size, which may be
 * a top-left part of the whole output when the rest of dy is known to be zero).
 */
export function filterGradient(backend: unknown, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const rows = g.inChannels * g.filterHeight * g.filterWidth;
  if (rows <= DIRECT_MAX_ROWS) return simdFilterGradSmall(backend, x, dy, g);
  return tf.tidy(() => {
    const pixels = g.batch * g.outHeight * g.outWidth;
    const columns = asTensor<tf.Rank.R2>(simdIm2colTransposed(backend, x, g), 'columns');
    const grad = tf.matMul(columns, ownData(tf.reshape(asTensor(dy, 'dy'), [pixels, g.outChannels])));
    return tf.reshape(grad, [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  });
}

/**
 * The input gradient takes the GEMM route (dy · Wᵀ, then col2im) when the input has this many
 * times the output's pixels or more: the correlation route multiplies over the whole padded input.
 */
const COL2IM_MIN_RATIO = 1.25;

/** dx as dy [P, Cout] times the filter [KH·KW·Cin, Cout] transposed, added back by col2im. */
function inputGradByGemm(backend: unknown, dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const pixels = g.batch * g.outHeight * g.outWidth;
  const window = g.filterHeight * g.filterWidth * g.inChannels;
  const cols = tf.matMul(tf.reshape(dy, [pixels, g.outChannels]), tf.reshape(filter, [window, g.outChannels]), false, true);
  return asTensor<tf.Rank.R4>(simdCol2im(backend, cols, g), 'dx');
}

/**
 * dx is the full correlation of dy (dilated by the stride) with the filter rotated 180° and its
 * in/out channels swapped — a stride-1 convolution that wasm runs through XNNPACK — or, where the
 * output is much smaller than the input ('valid', strided), a GEMM and col2im.
 */
export const conv2DBackpropInput: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { inputShape, ...convAttrs } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  // In a tidy: the Tensor views asTensor may make of bare inputs are disposed with it.
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(inputs.dy, 'dy');
    const filter = asTensor<tf.Rank.R4>(inputs.filter, 'filter');
    return inputGradient(backend, dy, filter, geometry(tf.Conv2DBackpropInput, inputShape, filter.shape, convAttrs));
  });
};

/**
 * dx for the convolution `g` from dy (of g's output size, possibly a top-left part of the whole
 * output whose rest is zero) and the filter.
 */
export function inputGradient(backend: unknown, dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    if (dy.dtype === 'float32' && filter.dtype === 'float32' && g.inHeight * g.inWidth >= COL2IM_MIN_RATIO * g.outHeight * g.outWidth) {
      return inputGradByGemm(backend, dy, filter, g);
    }
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
}
