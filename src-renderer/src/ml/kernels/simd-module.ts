/**
 * Loads the SIMD kernels of simd.c into the memory of a running tfjs wasm backend and gives
 * kernels a way to call them on tensors in place: a tensor's data is a byte offset in that
 * memory, which is all a kernel of simd.c takes.
 */
import type * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from './kernel-tensors';
import { SIMD_WASM_PLAIN, SIMD_WASM_SHARED } from './simd-wasm';

/** The exports of simd.c; every pointer is a byte offset in the backend's memory. */
export interface SimdExports {
  max_pool_grad(
    x: number, dy: number, dx: number, n: number, h: number, w: number, c: number, oh: number, ow: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
  binary_2d(
    op: number, a: number, b: number, out: number, rows: number, cols: number,
    aRowStride: number, aColStride: number, bRowStride: number, bColStride: number,
  ): void;
  column_sum(x: number, out: number, rows: number, cols: number, scale: number): void;
  conv_filter_grad_small(
    x: number, dy: number, dw: number, n: number, h: number, w: number, cin: number, oh: number, ow: number,
    cout: number, fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
  transpose_outer(x: number, out: number, a: number, b: number, c: number): void;
  transpose_rows(x: number, out: number, a: number, b: number, c: number): void;
  relu_grad(x: number, dy: number, dx: number, n: number): void;
  im2col_transposed(
    x: number, out: number, n: number, h: number, w: number, cin: number, oh: number, ow: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
  col2im_add(
    cols: number, dx: number, n: number, h: number, w: number, cin: number, oh: number, ow: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): void;
  flip_filter(w: number, out: number, kh: number, kw: number, cin: number, cout: number): void;
  max_pool2_argmax(x: number, pooled: number, argmax: number, n: number, h: number, w: number, c: number, ph: number, pw: number): void;
  adam_step(
    g: number, w: number, m: number, v: number, acc1: number, acc2: number, wOut: number, mOut: number, vOut: number,
    n: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, epsilon: number, negLr: number,
  ): void;
  unpool2_relu_grad(pooled: number, argmax: number, dy: number, g: number, n: number, ph: number, pw: number, c: number): void;
  conv_relu_pool_grad(
    x: number, pooled: number, argmax: number, dy: number, dw: number, n: number, h: number, wd: number,
    cin: number, cout: number, fh: number, fw: number, padTop: number, padLeft: number, ph: number, pw: number,
  ): void;
}

/** The parts of tfjs-backend-wasm's BackendWasm that the kernels use. */
export interface WasmBackendLike {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: object): void;
  /** A view of a tensor's data on the heap (valid until the heap next grows). */
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}

/** The backend a kernel runs on, as the wasm backend the SIMD kernels take. */
export function backendOf(args: KernelArgs): WasmBackendLike {
  return args.backend as unknown as WasmBackendLike;
}

const instances = new WeakMap<WebAssembly.Memory, SimdExports>();

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The backend's heap: exported by the single-threaded build, created by the glue of the threaded one. */
function memoryOf(backend: WasmBackendLike): WebAssembly.Memory {
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('The wasm backend exposes no WebAssembly.Memory.');
  return memory;
}

/** simd.c instantiated on the backend's memory; one instance per memory, made on first use. */
export function simdFor(backend: WasmBackendLike): SimdExports {
  const memory = memoryOf(backend);
  const known = instances.get(memory);
  if (known) return known;
  // A shared memory can only be imported by a module that declares it shared, and vice versa.
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const module = new WebAssembly.Module(decode(shared ? SIMD_WASM_SHARED : SIMD_WASM_PLAIN));
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as SimdExports;
  instances.set(memory, exports);
  return exports;
}

/** Byte offset of a tensor's data in the backend's memory. */
export function offsetOf(backend: WasmBackendLike, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('Tensor data is not on the wasm backend.');
  return data.memoryOffset;
}
