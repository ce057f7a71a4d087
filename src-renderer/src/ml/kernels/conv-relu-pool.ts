/**
 * A convolution stage — conv (stride 1) + bias + ReLU + 2×2 max pooling — as one op on wasm,
 * with its own gradients. Run as four ops, a stage wrote and re-read its full-size activation
 * about ten times a step (conv, bias add, ReLU, pool and their gradients) and the tape kept
 * three copies of it; fused, the full map exists only inside the forward kernel (XNNPACK's
 * convolution with bias and ReLU in one pass, then simd.c max_pool2_argmax), and the tape keeps
 * the pooled map and which window position won each maximum (int32, 0–3).
 *
 * The gradients start from that: dy reaches only the winning position, where the ReLU was open
 * (pooled > 0). The first layer's filter gradient (few input channels) is one direct SIMD pass
 * (conv_relu_pool_grad); deeper layers scatter dy back to the convolution's output
 * (unpool2_relu_grad) and take the GEMM routes of conv-backprop.ts — on the part of the output
 * pooling read only: a 'valid' 11×11 output pooled to 5×5 leaves its last row and column without
 * gradient, 17% of both GEMMs. ../training-forward.ts decides where the op applies.
 */
import * as tf from '@tensorflow/tfjs';
import { filterGradient, geometry as convGeometry, inputGradient, type ConvGeometry } from './conv-backprop';
import { asTensor, kernelInput } from './kernel-tensors';
import { CONV_RELU_POOL, CONV_RELU_POOL_FILTER_GRAD, CONV_RELU_POOL_INPUT_GRAD, RELU_GRAD } from './names';
import { backendOf, offsetOf, simdFor, type WasmBackendLike } from './simd-module';

export interface ConvReluPoolAttrs {
  padding: 'valid' | 'same';
}

/** Up to this many input channels the filter gradient is one direct pass over x (first layers). */
const DIRECT_MAX_IN_CHANNELS = 4;

/** The convolution, with its output cut to the 2·PH × 2·PW part that pooling reads. */
interface StageGeometry {
  conv: ConvGeometry;
  pooledHeight: number;
  pooledWidth: number;
}

function stageGeometry(xShape: readonly number[], filterShape: readonly number[], padding: 'valid' | 'same'): StageGeometry {
  const conv = convGeometry(CONV_RELU_POOL, xShape, filterShape, { strides: 1, pad: padding, dataFormat: 'NHWC' });
  if (conv.outChannels % 4 !== 0) throw new Error(`${CONV_RELU_POOL} takes a multiple of 4 filters, got ${conv.outChannels}.`);
  const pooledHeight = Math.floor(conv.outHeight / 2);
  const pooledWidth = Math.floor(conv.outWidth / 2);
  return { conv: { ...conv, outHeight: 2 * pooledHeight, outWidth: 2 * pooledWidth }, pooledHeight, pooledWidth };
}

const float32 = (t: tf.TensorInfo, name: string): tf.TensorInfo => {
  if (t.dtype !== 'float32') throw new Error(`${CONV_RELU_POOL}: ${name} must be float32.`);
  return t;
};

/** [pooled, argmax] of relu(conv(x, filter) + bias), pooled 2×2 with stride 2. */
const convReluPoolKernel: tf.KernelFunc = (args) => {
  const { padding } = args.attrs as unknown as ConvReluPoolAttrs;
  const backend = backendOf(args);
  const x = float32(kernelInput(args, 'x'), 'x');
  const filter = float32(kernelInput(args, 'filter'), 'filter');
  const bias = float32(kernelInput(args, 'bias'), 'bias');
  const g = stageGeometry(x.shape, filter.shape, padding);
  const convAttrs = { strides: 1, pad: padding, dataFormat: 'NHWC', dilations: 1, activation: 'relu' };
  const activation = tf.engine().runKernel(tf.FusedConv2D, { x, filter, bias } as unknown as tf.NamedTensorMap, convAttrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  try {
    const [, convHeight, convWidth] = activation.shape;
    const outShape = [g.conv.batch, g.pooledHeight, g.pooledWidth, g.conv.outChannels];
    const pooled = backend.makeOutput(outShape, 'float32');
    const argmax = backend.makeOutput(outShape, 'int32');
    simdFor(backend).max_pool2_argmax(
      offsetOf(backend, activation),
      offsetOf(backend, pooled),
      offsetOf(backend, argmax),
      g.conv.batch,
      convHeight,
      convWidth,
      g.conv.outChannels,
      g.pooledHeight,
      g.pooledWidth,
    );
    return [pooled, argmax];
  } finally {
    activation.dispose();
  }
};

/** The stage's gradient at the convolution's output (the part pooling read), [N, 2·PH, 2·PW, C]. */
function unpooled(backend: WasmBackendLike, pooled: tf.TensorInfo, argmax: tf.TensorInfo, dy: tf.TensorInfo): tf.Tensor4D {
  const [n, ph, pw, c] = pooled.shape as [number, number, number, number];
  const g = backend.makeOutput([n, 2 * ph, 2 * pw, c], 'float32');
  simdFor(backend).unpool2_relu_grad(offsetOf(backend, pooled), offsetOf(backend, argmax), offsetOf(backend, dy), offsetOf(backend, g), n, ph, pw, c);
  return asTensor<tf.Rank.R4>(g, 'g');
}

/** dW from x, the forward's outputs and dy of the pooled map. */
const filterGradKernel: tf.KernelFunc = (args) => {
  const { padding, filterShape } = args.attrs as unknown as ConvReluPoolAttrs & { filterShape: number[] };
  const backend = backendOf(args);
  const x = float32(kernelInput(args, 'x'), 'x');
  const pooled = float32(kernelInput(args, 'pooled'), 'pooled');
  const argmax = kernelInput(args, 'argmax');
  const dy = float32(kernelInput(args, 'dy'), 'dy');
  const g = stageGeometry(x.shape, filterShape, padding);
  if (g.conv.inChannels > DIRECT_MAX_IN_CHANNELS) {
    return tf.tidy(() => filterGradient(backend, x, unpooled(backend, pooled, argmax, dy), g.conv) as tf.Tensor);
  }
  const dw = backend.makeOutput([...filterShape], 'float32');
  const c = g.conv;
  simdFor(backend).conv_relu_pool_grad(
    offsetOf(backend, x),
    offsetOf(backend, pooled),
    offsetOf(backend, argmax),
    offsetOf(backend, dy),
    offsetOf(backend, dw),
    c.batch,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.outChannels,
    c.filterHeight,
    c.filterWidth,
    c.padTop,
    c.padLeft,
    g.pooledHeight,
    g.pooledWidth,
  );
  return dw;
};

/** dx from the filter, the forward's outputs and dy of the pooled map. */
const inputGradKernel: tf.KernelFunc = (args) => {
  const { padding, inputShape } = args.attrs as unknown as ConvReluPoolAttrs & { inputShape: number[] };
  const backend = backendOf(args);
  const pooled = float32(kernelInput(args, 'pooled'), 'pooled');
  const argmax = kernelInput(args, 'argmax');
  const dy = float32(kernelInput(args, 'dy'), 'dy');
  return tf.tidy(() => {
    const filter = asTensor<tf.Rank.R4>(float32(kernelInput(args, 'filter'), 'filter'), 'filter');
    const g = stageGeometry(inputShape, filter.shape, padding);
    return inputGradient(backend, unpooled(backend, pooled, argmax, dy), filter, g.conv);
  });
};

export const convReluPoolKernels: readonly tf.KernelConfig[] = [
  { kernelName: CONV_RELU_POOL, backendName: 'wasm', kernelFunc: convReluPoolKernel },
  { kernelName: CONV_RELU_POOL_FILTER_GRAD, backendName: 'wasm', kernelFunc: filterGradKernel },
  { kernelName: CONV_RELU_POOL_INPUT_GRAD, backendName: 'wasm', kernelFunc: inputGradKernel },
];

const attrMap = (attrs: object): tf.NamedAttrMap => attrs as unknown as tf.NamedAttrMap;

/**
 * The stage's gradients. The bias gets dy where pooled > 0 (ReLU's gradient taken at its
 * output, > 0 exactly where its input was), summed over all but the channels; each closure runs
 * only if the engine needs it (a network's input needs no dx).
 */
export const convReluPoolGradient: tf.GradConfig = {
  kernelName: CONV_RELU_POOL,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, filter, pooled, argmax] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor4D;
    const { padding } = attrs as unknown as ConvReluPoolAttrs;
    return {
      x: () => tf.engine().runKernel(CONV_RELU_POOL_INPUT_GRAD, { filter, pooled, argmax, dy }, attrMap({ padding, inputShape: x.shape })) as tf.Tensor,
      filter: () => tf.engine().runKernel(CONV_RELU_POOL_FILTER_GRAD, { x, pooled, argmax, dy }, attrMap({ padding, filterShape: filter.shape })) as tf.Tensor,
      bias: () => tf.sum(tf.engine().runKernel(RELU_GRAD, { x: pooled, dy }) as tf.Tensor, [0, 1, 2]),
    };
  },
};

/** relu(conv2d(x, filter, stride 1, padding) + bias), max-pooled 2×2 with stride 2, on a backend with the kernel. */
export function convReluPool(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, padding: 'valid' | 'same'): tf.Tensor4D {
  const [pooled, argmax] = tf.engine().runKernel(CONV_RELU_POOL, { x, filter, bias }, attrMap({ padding })) as [tf.Tensor4D, tf.Tensor4D];
  // The tape holds its own reference to argmax for the gradient.
  argmax.dispose();
  return pooled;
}
