/**
 * Where a training step's time goes, kernel by kernel, by self time (a kernel's own time, less
 * the kernels it calls): wraps the engine's kernel entry point for one call of `step`. Sync
 * backends only (wasm, cpu), whose kernels finish before they return. Used by
 * scripts/bench-kernels.ts --profile in Node and by the bench harness in Chromium.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelTime {
  kernel: string;
  /** Input shapes, e.g. "64x26x26x32,32". */
  shapes: string;
  calls: number;
  ms: number;
}

type RunKernelFunc = (params: { kernelName?: string; inputs?: Record<string, tf.TensorInfo | undefined> }) => unknown;

export async function profileStep(step: () => Promise<void>): Promise<{ ms: number; kernels: KernelTime[] }> {
  const engine = tf.engine() as unknown as { runKernelFunc: RunKernelFunc };
  const original = engine.runKernelFunc;
  const open: number[] = [];
  const totals = new Map<string, KernelTime>();
  engine.runKernelFunc = function (this: unknown, params) {
    const kernel = params.kernelName ?? 'custom op';
    const shapes = Object.values(params.inputs ?? {})
      .map((t) => t?.shape.join('x') ?? '')
      .join(',');
    open.push(0);
    const t0 = performance.now();
    try {
      return original.call(this, params);
    } finally {
      const ms = performance.now() - t0;
      const nested = open.pop()!;
      if (open.length > 0) open[open.length - 1]! += ms;
      const key = `${kernel} ${shapes}`;
      const entry = totals.get(key) ?? { kernel, shapes, calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += ms - nested;
      totals.set(key, entry);
    }
  };
  const t0 = performance.now();
  try {
    await step();
  } finally {
    engine.runKernelFunc = original;
  }
  return { ms: performance.now() - t0, kernels: [...totals.values()].sort((a, b) => b.ms - a.ms) };
}
