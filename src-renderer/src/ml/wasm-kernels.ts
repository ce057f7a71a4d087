/**
 * Training kernels that TensorFlow.js 4.22's wasm backend lacks or runs slowly.
 *
 * The wasm backend has no `Conv2DBackpropFilter` (so a CNN cannot train on it at all) and its
 * `Conv2DBackpropInput` is a scalar C++ loop. Both are rebuilt here from kernels wasm runs fast
 * (XNNPACK convolution and matrix multiply) and Tailor's SIMD kernels (kernels/simd.c: im2col,
 * the flipped filter, thin filter gradients), as is `UnsortedSegmentSum`, the gradient of
 * `gather`. wasm's `OneHot`, wrong for any dtype but int32, is fixed. Wrappers around wasm's own
 * kernels route the shapes training hits to faster paths: BatchMatMul (transposed operands),
 * Tile, MaxPoolGrad, Add/Sub/Multiply/RealDiv (no thread pool), Sum and Mean over leading axes, Transpose,
 * Identity (shares data instead of copying), and contiguous Slice and SplitV (no copy of the
 * whole input first). A fused ReLU gradient kernel backs gradients.ts, the fused conv stages
 * (conv + bias + ReLU + 2×2 max pooling, with their gradients) back training-forward.ts, and a
 * one-kernel Adam step backs flat-adam.ts.
 *
 * A kernel may call tf ops: the engine tapes only at kernel depth 0, so nested ops never reach the
 * gradient tape, and a returned Tensor is adopted as the kernel's output as is. Each kernel runs
 * its intermediates inside `tf.tidy` so none outlive the call.
 */
import * as tf from '@tensorflow/tfjs';
// Imported for its side effect: it registers wasm's own kernels, which must happen before ours
// so that its Conv2DBackpropInput never overwrites the replacement below.
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilter, conv2DBackpropInput } from './kernels/conv-backprop';
import { adamStepKernelConfig } from './kernels/adam-step';
import { convReluPoolGradient, convReluPoolKernels } from './kernels/conv-relu-pool';
import { asTensor, ownData } from './kernels/kernel-tensors';
import {
  sharedIdentity,
  simdReluGrad,
  simdBinary,
  simdLeadingReduction,
  simdMaxPoolGrad,
  simdTranspose,
} from './kernels/simd-kernels';
import { RELU_GRAD } from './kernels/names';
import { heapSlice, heapSplitV } from './kernels/slice';

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
    override(tf.Add, (wasm) => simdBinary('add', wasm.kernelFunc)),
    override(tf.Sub, (wasm) => simdBinary('sub', wasm.kernelFunc)),
    override(tf.Multiply, (wasm) => simdBinary('mul', wasm.kernelFunc)),
    override(tf.RealDiv, (wasm) => simdBinary('div', wasm.kernelFunc)),
    override(tf.Transpose, (wasm) => simdTranspose(wasm.kernelFunc)),
    override(tf.Identity, (wasm) => sharedIdentity(wasm.kernelFunc)),
    override(tf.Slice, (wasm) => heapSlice(wasm.kernelFunc)),
    override(tf.SplitV, (wasm) => heapSplitV(wasm.kernelFunc)),
    { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: simdReluGrad },
    ...convReluPoolKernels,
    adamStepKernelConfig,
  ];
  return kernels;
}

/**
 * Registers the kernels above for the 'wasm' backend, replacing any registered under the same
 * names (wasm's own, which the wrappers keep calling). Idempotent, and valid before or after
 * `tf.setBackend('wasm')`: the engine looks kernels up by name on every call.
 */
let fusedGradientRegistered = false;

export function registerWasmTrainingKernels(): void {
  if (!fusedGradientRegistered) {
    tf.registerGradient(convReluPoolGradient);
    fusedGradientRegistered = true;
  }
  for (const config of wasmTrainingKernels()) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
}
