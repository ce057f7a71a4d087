import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerFastGradients } from '../src-renderer/src/ml/gradients';
import { buildModel } from '../src-renderer/src/ml/layers';
import { getPreset } from '../src-renderer/src/ml/presets';
import type { LayerSpec } from '../src-shared/types/train';
import { categoricalCrossentropy, makeOptimizer } from '../src-renderer/src/ml/optim';
import { trainingForward } from '../src-renderer/src/ml/training-forward';
import { registerWasmTrainingKernels } from '../src-renderer/src/ml/wasm-kernels';
import { registerThreadedWasm } from './node-wasm-threads';

/** A small CNN with every kernel kind of the presets, fused stages included (cpu takes seconds per step on the presets). */
const LAYERS: LayerSpec[] = [
  { type: 'conv2d', filters: 8, kernel: 3, padding: 'valid', activation: 'relu' },
  { type: 'maxPool', size: 2 },
  { type: 'conv2d', filters: 8, kernel: 3, padding: 'same', activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'maxPool', size: 2 },
  // Forward with training-forward.ts: this pair runs as one fused stage.
  { type: 'conv2d', filters: 8, kernel: 3, padding: 'valid', activation: 'relu' },
  { type: 'maxPool', size: 2 },
  { type: 'flatten' },
  { type: 'dense', units: 10, activation: 'softmax' },
];

/** Losses of three Adam steps from the same seed, on one backend. */
async function threeSteps(backend: string): Promise<number[]> {
  await tf.setBackend(backend);
  const preset = getPreset('report-fixed');
  const model = buildModel(LAYERS, { seed: 3 });
  const optimizer = makeOptimizer(preset.hyper);
  const xs = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 5);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 8 }, (_, i) => i % 10), 'int32'), 10).toFloat());
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const loss = tf.tidy(() => optimizer.minimize(() => categoricalCrossentropy(ys as tf.Tensor2D, trainingForward(model, xs) as tf.Tensor2D), true)!);
    losses.push((await loss.data())[0]!);
    loss.dispose();
  }
  tf.dispose([xs, ys]);
  optimizer.dispose();
  model.dispose();
  return losses;
}

describe("tfjs's threaded wasm build in Node", () => {
  it('runs XNNPACK on 2 threads, with Tailor\'s kernels on its shared memory, and trains as cpu does', async () => {
    registerThreadedWasm(2);
    registerWasmTrainingKernels();
    registerFastGradients();
    const reference = await threeSteps('cpu');
    const before = tf.memory().numTensors;
    const threaded = await threeSteps('wasm');
    expect(getThreadsCount()).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    threaded.forEach((loss, i) => expect(loss).toBeCloseTo(reference[i]!, 4));
  });
});
