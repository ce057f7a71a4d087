/**
 * Times one training step of Tailor's CNNs (batch 128, Adam, categorical cross-entropy) on the
 * wasm backend with the added training kernels, side by side with the cpu backend, in one run.
 *
 *   npx tsx scripts/bench-kernels.ts [--steps 5] [--cpu-steps 1] [--model report|batchnorm|both] [--profile]
 *
 * The cpu backend takes minutes per step (scalar JS convolution gradients), so it gets one timed
 * step and no warm-up by default (--cpu-steps 0 skips it). --profile prints the wasm kernels that
 * took the most time in one step, by self time. This runs tfjs's single-threaded wasm build;
 * `npm run bench -- --peer` measures the threaded paths.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../src-renderer/src/ml/wasm-kernels';
import { profileStep } from '../e2e/harness/kernel-profile';

const BATCH = 128;

type ModelName = 'report' | 'batchnorm';

/** The report CNN, and the BatchNorm variant of the training guide. */
function buildModel(name: ModelName): tf.Sequential {
  const model = tf.sequential();
  if (name === 'report') {
    model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  } else {
    model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same' }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.activation({ activation: 'relu' }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same' }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.activation({ activation: 'relu' }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  }
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

interface Measurement {
  imagesPerSecond: number;
  msPerStep: number;
}

async function measure(backend: 'cpu' | 'wasm', name: ModelName, steps: number, profile = false): Promise<Measurement> {
  await tf.setBackend(backend);
  const model = buildModel(name);
  const xs = tf.randomUniform([BATCH, 28, 28, 1]);
  const ys = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32'), 10);
  const step = async (): Promise<void> => {
    // Reading the loss back waits for the step to finish, as a training loop would.
    await model.trainOnBatch(xs, ys);
  };
  // Warm-up on wasm: the first step creates XNNPACK's operators and the optimizer's slots.
  if (backend === 'wasm') await step();
  if (profile) await printProfile(step);
  const start = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const msPerStep = (performance.now() - start) / steps;
  tf.dispose([xs, ys]);
  model.optimizer.dispose();
  model.dispose();
  return { msPerStep, imagesPerSecond: (BATCH * 1000) / msPerStep };
}

async function printProfile(step: () => Promise<void>): Promise<void> {
  const { ms, kernels } = await profileStep(step);
  console.log(`  one ${tf.getBackend()} step: ${ms.toFixed(0)} ms; kernels by self time (less the kernels they call):`);
  for (const k of kernels.slice(0, 15)) {
    console.log(`    ${k.ms.toFixed(1).padStart(8)} ms ${String(k.calls).padStart(3)}× ${k.kernel.padEnd(22)} ${k.shapes}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '5' },
      'cpu-steps': { type: 'string', default: '1' },
      model: { type: 'string', default: 'both' },
      profile: { type: 'boolean', default: false },
    },
  });
  const steps = Number(values.steps);
  const cpuSteps = Number(values['cpu-steps']);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, got ${values.steps}`);
  if (!Number.isInteger(cpuSteps) || cpuSteps < 0) throw new Error(`--cpu-steps must be an integer ≥ 0, got ${values['cpu-steps']}`);
  const models: ModelName[] =
    values.model === 'both' ? ['report', 'batchnorm'] : values.model === 'report' || values.model === 'batchnorm' ? [values.model] : [];
  if (models.length === 0) throw new Error(`--model must be report, batchnorm or both, got ${values.model}`);

  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  console.log(
    `tfjs ${tf.version.tfjs}, batch ${BATCH}, wasm: ${steps} timed steps after one warm-up, cpu: ${cpuSteps}; ` +
      `wasm SIMD ${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))}, ` +
      `threads ${String(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))}`,
  );
  for (const name of models) {
    console.log(`\n${name} CNN`);
    const wasm = await measure('wasm', name, steps, values.profile);
    console.log(`  wasm: ${wasm.imagesPerSecond.toFixed(0).padStart(6)} images/s (${wasm.msPerStep.toFixed(0)} ms/step)`);
    if (cpuSteps === 0) continue;
    const cpu = await measure('cpu', name, cpuSteps);
    console.log(`  cpu:  ${cpu.imagesPerSecond.toFixed(1).padStart(6)} images/s (${cpu.msPerStep.toFixed(0)} ms/step)`);
    console.log(`  wasm / cpu: ${(wasm.imagesPerSecond / cpu.imagesPerSecond).toFixed(0)}×`);
  }
}

await main();
