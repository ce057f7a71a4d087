/**
 * `npm run bench -- --peer`: Tailor against Keras on this machine, side by side in one run. The
 * three presets train the same layers, batch sizes and number of images in Keras
 * (scripts/peer/keras_bench.py), in the app's path (Chromium, wasm SIMD) and in the Node path of
 * `npm run train` (wasm), each on 1 and 2 threads. The sides take turns,
 * preset by preset, `repeats` times, and the best of each is kept, so load from other work on the
 * machine falls on every side alike. GFLOP/s use the same count of work for every engine
 * (bench-flops.ts); the wasm SIMD matrix-multiply peak is the practical limit of the wasm path.
 */
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from '@playwright/test';
import { getPreset, type PresetId } from '../src-renderer/src/ml/presets';
import { trainingFlopsPerImage } from './bench-flops';

const run = promisify(execFile);
const KERAS_SCRIPT = join(import.meta.dirname, 'peer/keras_bench.py');

/** [preset, batch size, images]: the presets' own batch sizes, a few thousand images each. */
const PLAN: [PresetId, number, number][] = [
  ['report', 512, 3072],
  ['report-fixed', 128, 3072],
  ['best', 128, 1024],
];

type Side = 'keras1' | 'keras2' | 'app1' | 'app2' | 'node1' | 'node2' | 'kerasCpu' | 'nodeCpu';
type Best = Map<PresetId, Partial<Record<Side, number>>>;

export function kerasAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import tensorflow'], { stdio: 'ignore' }).status === 0;
}

async function keras(threads: number, preset: PresetId, batch: number, images: number): Promise<{ img_per_s: number; img_per_cpu_s: number }> {
  const { stdout } = await run('python3', [KERAS_SCRIPT, '--threads', String(threads), '--plan', `${preset}:${batch}:${images}`], {
    maxBuffer: 1 << 20,
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as { img_per_s: number; img_per_cpu_s: number };
}

/** The Node path in a child process (one wasm backend, one thread count, per process). */
async function node(
  threads: number,
  preset: PresetId,
  batch: number,
  images: number,
): Promise<{ imagesPerSecond: number; imagesPerCpuSecond: number; matmulGflops: number }> {
  const script = join(import.meta.dirname, 'bench-node-train.ts');
  const args = [script, '--threads', String(threads), '--preset', preset, '--batch', String(batch), '--images', String(images)];
  const { stdout } = await run(process.execPath, ['--import', 'tsx', ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as { imagesPerSecond: number; imagesPerCpuSecond: number; matmulGflops: number };
}

type Call = (fn: string, ...args: unknown[]) => Promise<Record<string, number>>;

async function appPage(browser: Browser, url: string, threads: number): Promise<Call> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${url}/__test/bench.html?threads=${threads}`);
  await page.waitForFunction(() => 'benchTailor' in window);
  type W = Record<string, (...a: unknown[]) => Promise<Record<string, number>>>;
  return (fn, ...args) => page.evaluate(([f, a]) => (window as unknown as W)[f as string]!(...(a as unknown[])), [fn, args] as const);
}

function keep(best: Best, preset: PresetId, side: Side, value: number): void {
  const row = best.get(preset) ?? {};
  row[side] = Math.max(row[side] ?? 0, value);
  best.set(preset, row);
}

export async function benchPeer(browser: Browser, url: string, repeats: number): Promise<void> {
  const withKeras = kerasAvailable();
  if (!withKeras) {
    console.log('\nKeras peer skipped: no python3 with TensorFlow here (`pip install tensorflow-cpu`, Python 3.9–3.12, then run again).');
  }
  const app1 = await appPage(browser, url, 1);
  const app2 = await appPage(browser, url, 2);
  const best: Best = new Map();
  const nodePeak = { 1: 0, 2: 0 };
  for (let r = 0; r < repeats; r++) {
    for (const [preset, batch, images] of PLAN) {
      if (withKeras) {
        const k1 = await keras(1, preset, batch, images);
        keep(best, preset, 'keras1', k1.img_per_s);
        keep(best, preset, 'kerasCpu', k1.img_per_cpu_s);
        keep(best, preset, 'keras2', (await keras(2, preset, batch, images)).img_per_s);
      }
      keep(best, preset, 'app1', (await app1('benchTailor', 'wasm', preset, images / batch, batch, 1))['imagesPerSecond']!);
      keep(best, preset, 'app2', (await app2('benchTailor', 'wasm', preset, images / batch, batch, 1))['imagesPerSecond']!);
      for (const threads of [1, 2] as const) {
        const r = await node(threads, preset, batch, images);
        keep(best, preset, `node${threads}`, r.imagesPerSecond);
        if (threads === 1) keep(best, preset, 'nodeCpu', r.imagesPerCpuSecond);
        nodePeak[threads] = Math.max(nodePeak[threads], r.matmulGflops);
      }
      console.log(`  round ${r + 1}/${repeats}: ${preset} measured`);
    }
  }
  const peaks = {
    app1: (await app1('benchMatmulPeak', 'wasm'))['gflops']!,
    app2: (await app2('benchMatmulPeak', 'wasm'))['gflops']!,
    node1: nodePeak[1],
    node2: nodePeak[2],
  };
  printTables(best, peaks, withKeras);
}

function printTables(best: Best, peaks: Record<'app1' | 'app2' | 'node1' | 'node2', number>, withKeras: boolean): void {
  const fmt = (v: number | undefined, digits = 0) => (v === undefined ? '–' : Number(v.toFixed(digits)));
  const ratio = (a?: number, b?: number) => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}×`);
  const rows = PLAN.map(([preset, batch, images]) => {
    const b = best.get(preset) ?? {};
    return {
      preset,
      batch,
      images,
      'Keras 1t': fmt(b.keras1),
      'Keras 2t': fmt(b.keras2),
      'app 1t': fmt(b.app1),
      'app 2t': fmt(b.app2),
      'Node 1t': fmt(b.node1),
      'Node 2t': fmt(b.node2),
      'app/Keras 1t': ratio(b.app1, b.keras1),
      'app/Keras 2t': ratio(b.app2, b.keras2),
      'Node/Keras 2t': ratio(b.node2, b.keras2),
    };
  });
  console.log(`\nTraining images/s, Tailor vs Keras, same layers, batch sizes and images (best of the rounds; t = threads)${withKeras ? '' : ' — Keras not measured'}`);
  console.table(rows);
  console.log(
    '\nOne thread, per second of CPU time the process used (what load from other work cannot take away): images/CPU-s',
  );
  console.table(
    PLAN.map(([preset]) => {
      const b = best.get(preset) ?? {};
      return { preset, 'Keras 1t': fmt(b.kerasCpu), 'Tailor Node 1t': fmt(b.nodeCpu), 'Tailor/Keras': ratio(b.nodeCpu, b.kerasCpu) };
    }),
  );
  const gflops = PLAN.map(([preset]) => {
    const b = best.get(preset) ?? {};
    const perImage = trainingFlopsPerImage(getPreset(preset).layers) / 1e9;
    const g = (v?: number) => (v === undefined ? '–' : Number((v * perImage).toFixed(1)));
    return { preset, 'MFLOP/img': Number((perImage * 1e3).toFixed(1)), 'Keras 1t': g(b.keras1), 'Keras 2t': g(b.keras2), 'app 1t': g(b.app1), 'app 2t': g(b.app2), 'Node 1t': g(b.node1), 'Node 2t': g(b.node2) };
  });
  console.log('\nGFLOP/s reached (multiply-adds of convolutions and dense layers, forward and backward)');
  console.table(gflops);
  console.log(
    `WebAssembly SIMD matrix-multiply peak (1024² float32 matMul, XNNPACK): app ${peaks.app1.toFixed(1)} GFLOP/s on 1 thread, ` +
      `${peaks.app2.toFixed(1)} on 2; Node ${peaks.node1.toFixed(1)} on 1, ${peaks.node2.toFixed(1)} on 2 — the practical ceiling of the wasm path ` +
      '(128-bit SIMD; TensorFlow uses AVX2 or AVX-512 where the CPU has them).',
  );
}
