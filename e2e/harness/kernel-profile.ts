/**
 * Where a training step's time goes, kernel by kernel, by self time (a kernel's own time, less
 * the kernels it calls): wraps the engine's kernel entry point for one call of `step`. Sync
 * backends only (wasm, cpu), whose kernels finish before they return. Used by
 * scripts/bench-kernels.ts --profile and scripts/profile-step.ts in Node and by the bench harness
 * in Chromium; `presetStep` is the step the last two time.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../src-renderer/src/ml/layers';
import { trainingForward } from '../../src-renderer/src/ml/training-forward';
import { categoricalCrossentropy, makeOptimizer } from '../../src-renderer/src/ml/optim';
import { getPreset, type PresetId } from '../../src-renderer/src/ml/presets';

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

/**
 * One training step of a preset as the Trainer runs it (forward, loss, gradients, the preset's
 * optimizer), on a fixed random batch, on the current backend; `dispose` frees it all.
 */
export function presetStep(presetId: PresetId, batchSize: number): { step: () => Promise<void>; dispose: () => void } {
  const preset = getPreset(presetId);
  const model = buildModel(preset.layers, { seed: 1 });
  const optimizer = makeOptimizer(preset.hyper);
  const xs = tf.randomUniform([batchSize, 28, 28, 1]);
  const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([batchSize], 0, 10, 'int32'), 10).toFloat());
  const step = async (): Promise<void> => {
    const loss = tf.tidy(
      () => optimizer.minimize(() => categoricalCrossentropy(ys as tf.Tensor2D, trainingForward(model, xs) as tf.Tensor2D), true) ?? tf.scalar(0),
    );
    await loss.data();
    loss.dispose();
  };
  const dispose = (): void => {
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
  };
  return { step, dispose };
}
