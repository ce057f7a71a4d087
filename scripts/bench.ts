// `npm run bench`: speed figures, printed as ratios measured side by side in one run (never as
// timed test assertions). Needs the built renderer's bridge server, Chromium and the dataset.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium';
import { buildHarness } from '../e2e/harness/build';
import { benchDrawPad } from './bench-draw';
import { benchPeer } from './bench-peer';
import { benchSegment } from './bench-segment';
import { startBridgeServer } from '../e2e/server/bridge-server';
import { DatasetStore, defaultSystemDirs } from '../src-main/services/datasets';

const root = join(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
// --train: only the wasm training rows, longer runs (40 batches of 64, best of 3): the in-app figure of issue 15.
const trainOnly = process.argv.includes('--train');
// --peer: only the Keras comparison (scripts/bench-peer.ts); --repeats N rounds of it (default 2).
const peer = process.argv.includes('--peer');
// --gpu: only what one training step asks of WebGPU and WebGL (dispatches, uploads, read-backs).
const gpuCounts = process.argv.includes('--gpu');
const repeatsArg = process.argv.indexOf('--repeats');
const repeats = repeatsArg > 0 ? Number(process.argv[repeatsArg + 1]) : 2;

function table(rows: Record<string, string | number>[]): void {
  console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toFixed(2)) : v]))));
}

type Call = (fn: string, ...args: unknown[]) => Promise<Record<string, number | string>>;

/** One training step of Tailor's loop on WebGPU and WebGL (SwiftShader here): what it asks of the GPU. */
async function benchGpu(call: Call): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  for (const backend of ['webgpu', 'webgl']) {
    for (const preset of ['report-fixed', 'best']) {
      const r = await call('benchGpuStep', backend, preset, 16, 4);
      rows.push({
        backend,
        preset,
        'kernels run': Number(r['kernels']),
        submits: Number(r['submits']),
        uploads: Number(r['uploads']),
        'upload KB': Number(r['uploadBytes']) / 1024,
        'read-backs': Number(r['readbacks']),
        'read-back KB': Number(r['readbackBytes']) / 1024,
        'new shaders': Number(r['compiles']),
      });
      console.log(`  counted ${backend} ${preset}`);
    }
  }
  console.log('\nGPU work per training step (batch 16, Tailor loop; per-run costs excluded: a run of 8 batches minus a run of 4, ÷ 4)');
  table(rows);
}

/** Main process: the first load (system copy verified, cache written) and a cold load from the cache (a fresh store, as at app start). */
async function mainProcessLoad(dataDir: string): Promise<{ firstMs: number; coldMs: number }> {
  const root = join(dataDir, 'datasets');
  const first = new DatasetStore({ root, systemDirs: defaultSystemDirs(), emit: () => undefined });
  let t = performance.now();
  await first.load('fashion-mnist');
  const firstMs = performance.now() - t;
  const cold = new DatasetStore({ root, systemDirs: defaultSystemDirs(), emit: () => undefined });
  t = performance.now();
  await cold.load('fashion-mnist');
  return { firstMs, coldMs: performance.now() - t };
}

/** The dataset's way from the app cache to ready-to-train tensors. */
async function benchLoadTable(call: Call, firstMs: number, coldMs: number): Promise<void> {
  const load = await call('benchLoad');
  console.log('\nDataset: 70,000 Fashion-MNIST images, cold load from the app cache to ready-to-train tensors');
  table([
    { step: 'main: first load (verify system copy, write cache)', ms: firstMs },
    { step: 'main: cold load from cache (fresh store)', ms: coldMs },
    { step: 'renderer: bytes from main (HTTP test transport)', ms: Number(load['fetchMs']) },
    { step: 'renderer: upload to tensors + first batch read', ms: Number(load['tensorsMs']) },
    { step: 'renderer total (target ≤ 1000 ms)', ms: Number(load['totalMs']) },
  ]);
}

/** Tailor's training loop against a plain model.fit of the same model, per backend and preset. */
async function benchTraining(call: Call): Promise<void> {
  // [backend, batches, batch size, repeats (best of)]
  const plan: [string, number, number, number][] = trainOnly
    ? [['wasm', 40, 64, 3]]
    : quick
    ? [['wasm', 8, 64, 2]]
    : [
        ['wasm', 12, 64, 3],
        ['webgl', 3, 32, 2],
        ['webgpu', 3, 32, 2],
        // The cpu backend trains at a few images/s here: one small batch says enough.
        ['cpu', 1, 16, 1],
      ];
  const rows: Record<string, string | number>[] = [];
  for (const [backend, batches, size, repeats] of plan) {
    for (const preset of ['report', 'report-fixed', 'best']) {
      const r = await call('benchTrain', backend, preset, batches, size, repeats);
      rows.push({
        backend,
        preset,
        batch: size,
        'Tailor img/s': Number(r['tailor']),
        'model.fit img/s': Number(r['fit']),
        'Tailor / fit': Number(r['tailor']) / Number(r['fit']),
      });
      console.log(`  measured ${backend} ${preset}`);
    }
  }
  console.log('\nTraining speed, Tailor loop vs plain model.fit of the same model on the same backend (interleaved, best of the repeats, warm-up excluded)');
  table(rows);
}

/** One live prediction per backend. */
async function benchPrediction(call: Call): Promise<void> {
  const predict = [];
  for (const backend of quick ? ['wasm'] : ['webgpu', 'wasm', 'webgl']) {
    const r = await call('benchPredict', backend);
    predict.push({ backend, 'median ms': Number(r['medianMs']), 'p90 ms': Number(r['p90Ms']), 'within 16 ms frame': Number(r['medianMs']) <= 16 ? 'yes' : 'no' });
  }
  console.log('\nOne live prediction (Tailor best network, 28×28 in, probabilities read back)');
  table(predict);
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tailor-bench-'));
  try {
    const { firstMs, coldMs } = await mainProcessLoad(dataDir);

    // Chromium: the rest, through the real renderer transport of the tests.
    const port = Number(process.env['TAILOR_E2E_PORT'] ?? 4791);
    const server = await startBridgeServer({
      port,
      rendererDir: join(root, 'out/renderer'),
      harnessDir: join(root, 'test-results/harness'),
      resourcesDir: join(root, 'resources'),
      dataDir,
    });
    await buildHarness('bench');
    const executablePath = chromiumPath();
    const browser = await chromium.launch({ args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) });
    try {
      if (peer) {
        await benchPeer(browser, server.url, repeats);
        return;
      }
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.goto(`http://localhost:${port}/__test/bench.html`);
      await page.waitForFunction(() => 'benchTrain' in window);
      type W = Record<string, (...a: unknown[]) => Promise<Record<string, number | string>>>;
      const call = (fn: string, ...args: unknown[]) =>
        page.evaluate(([f, a]) => (window as unknown as W)[f as string]!(...(a as unknown[])), [fn, args] as const);
      if (gpuCounts) {
        await benchGpu(call);
        return;
      }

      if (trainOnly) {
        await benchTraining(call);
        return;
      }
      await benchSegment(quick ? 12 : 40);

      await benchLoadTable(call, firstMs, coldMs);
      await benchTraining(call);
      await benchPrediction(call);
      const gpu = await page.evaluate(async () => {
        const a = await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter();
        return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : 'none';
      });
      console.log(`\nWebGPU adapter: ${gpu}; cores: ${await page.evaluate(() => navigator.hardwareConcurrency)}`);

      console.log('\nThe draw pad in the app (shipped model): predictions while drawing, Why? overlay off and on, twice each');
      table(await benchDrawPad(browser, server.url));
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
