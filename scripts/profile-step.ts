/**
 * One training step of a preset as the app runs it (its layers, flat Adam, Tailor's kernels and
 * gradients) on tfjs's wasm backend in Node, with 1 or more XNNPACK threads: the median step time
 * over 40 steps, and the kernels by self time over 5 profiled steps.
 *
 *   npx tsx scripts/profile-step.ts --preset report-fixed --batch 64 --threads 2 [--top 30] [--unfused]
 *
 * --unfused also times the step without the fused conv + ReLU + pooling stages
 * (training-forward.ts), steps of the two taking turns in this one process: on this machine the
 * same step's median moves by ±15% from one process to the next, far less within one.
 *
 * The median, not the best: on a shared 2-core machine single steps vary by ±30%, and the best
 * of a few steps favoured changes that made the median slower.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { presetStep, profileStep } from '../e2e/harness/kernel-profile';
import { registerFastGradients } from '../src-renderer/src/ml/gradients';
import type { PresetId } from '../src-renderer/src/ml/presets';
import { setStageFusion } from '../src-renderer/src/ml/training-forward';
import { registerWasmTrainingKernels } from '../src-renderer/src/ml/wasm-kernels';
import { registerThreadedWasm } from './node-wasm-threads';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    preset: { type: 'string', default: 'report-fixed' },
    batch: { type: 'string', default: '128' },
    top: { type: 'string', default: '25' },
    unfused: { type: 'boolean', default: false },
  },
});
registerThreadedWasm(Number(values.threads));
registerWasmTrainingKernels();
registerFastGradients();
if (!(await tf.setBackend('wasm'))) throw new Error('The wasm backend did not start.');

const batch = Number(values.batch);
const { step, dispose } = presetStep(values.preset as PresetId, batch);

for (let i = 0; i < 3; i++) await step();
const variants = values.unfused ? [true, false] : [true];
const times = variants.map((): number[] => []);
for (let i = 0; i < 40; i++) {
  for (const [v, fused] of variants.entries()) {
    setStageFusion(fused);
    const t0 = performance.now();
    await step();
    times[v]!.push(performance.now() - t0);
  }
}
setStageFusion(true);
const medians = times.map((list) => [...list].sort((a, b) => a - b)[list.length >> 1]!);
for (const [v, fused] of variants.entries()) {
  const best = Math.min(...times[v]!);
  const label = values.unfused ? (fused ? ' (fused stages)' : ' (unfused)') : '';
  console.log(`${values.preset}, batch ${batch}, ${getThreadsCount()} thread(s)${label}: median step ${medians[v]!.toFixed(1)} ms (${Math.round((batch / medians[v]!) * 1000)} img/s), best ${best.toFixed(1)} ms`);
}
if (values.unfused) console.log(`fused / unfused: ${(medians[1]! / medians[0]!).toFixed(2)}× the images per second`);

const totals = new Map<string, { ms: number; calls: number }>();
const ROUNDS = 5;
for (let r = 0; r < ROUNDS; r++) {
  for (const k of (await profileStep(step)).kernels) {
    const key = `${k.kernel} ${k.shapes}`;
    const entry = totals.get(key) ?? { ms: 0, calls: k.calls };
    entry.ms += k.ms / ROUNDS;
    totals.set(key, entry);
  }
}
const all = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
const sum = all.reduce((a, [, v]) => a + v.ms, 0);
console.log(`kernel self time ${sum.toFixed(1)} ms a step over ${all.reduce((a, [, v]) => a + v.calls, 0)} kernel calls; the largest:`);
for (const [key, v] of all.slice(0, Number(values.top))) console.log(`${v.ms.toFixed(2).padStart(8)} ms  ×${v.calls}  ${key}`);
dispose();
// The threaded build's pthread workers would keep the process alive.
process.exit(0);
