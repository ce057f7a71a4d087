// The model shipped in resources/model (made by `npm run train`, see README) must load as any
// saved model does, score what its meta.json records on the real Fashion-MNIST test set (and never
// below FLOOR), stay under 2 MB, and classify dataset images rendered as white-background product
// photos mostly the same as the originals (AGREEMENT_FLOOR).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fashionMnistFile } from '../src-main/services/datasets';
import { readIdxFile } from '../src-main/services/idx';
import { ModelStore } from '../src-main/services/models';
import { evaluate } from '../src-renderer/src/ml/evaluate';
import { artifactsToModel } from '../src-renderer/src/ml/serialize';
import { classAgreement, roundTrip } from '../src-renderer/src/classify/roundtrip';
import { predictBatch, saliency } from '../src-renderer/src/ml/saliency';
import { mulberry32 } from '../src-renderer/src/ml/random';
import { registerWasmTrainingKernels } from '../src-renderer/src/ml/wasm-kernels';

const MODEL_DIR = join(import.meta.dirname, '../resources/model');
const TEST_IMAGES = fashionMnistFile('t10k-images-idx3-ubyte.gz');
const TEST_LABELS = fashionMnistFile('t10k-labels-idx1-ubyte.gz');
/** Skipped without the dataset on a developer machine; CI installs it, so there it must run. */
const skip = (!TEST_IMAGES || !TEST_LABELS) && !process.env['CI'];
/**
 * Issues 6 and 13 ask for 93.5%. The shipped model, which has also learnt from photos
 * (meta.json photoSet), scores 93.52% (the Fashion-MNIST-only one before it: 93.89%).
 */
const FLOOR = 0.935;
/** Issue 6 asks for 95%. Without `autoSharpen` in preprocessing it was 91.6%. */
const AGREEMENT_FLOOR = 0.95;

let model: tf.LayersModel;
let images: Uint8Array;
let labels: Uint8Array;
let userDir: string;
let recorded = Number.NaN;

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  // Loaded through the app's own store (it validates the files) as the built-in model.
  userDir = await mkdtemp(join(tmpdir(), 'tailor-shipped-'));
  const store = new ModelStore({ root: userDir, builtInDir: MODEL_DIR, pickFolder: async () => null });
  const artifacts = await store.load('builtin');
  model = await artifactsToModel({ modelJson: artifacts.modelJson, weights: artifacts.weights });
  if (skip) return;
  images = (await readIdxFile(TEST_IMAGES ?? 't10k-images-idx3-ubyte.gz')).data;
  labels = (await readIdxFile(TEST_LABELS ?? 't10k-labels-idx1-ubyte.gz', { classCount: 10 })).data;
}, 120_000);

afterAll(() => rm(userDir, { recursive: true, force: true }));

describe.skipIf(skip)('the shipped model', () => {
  it('is under 2 MB and recorded as built by npm run train', async () => {
    const weights = await stat(join(MODEL_DIR, 'weights.bin'));
    const json = await stat(join(MODEL_DIR, 'model.json'));
    expect(weights.size + json.size).toBeLessThan(2 * 1024 * 1024);
    const meta = JSON.parse(await readFile(join(MODEL_DIR, 'meta.json'), 'utf8')) as { testMetrics: { acc: number }; history: unknown[] };
    expect(meta.history.length).toBeGreaterThan(0);
    expect(meta.testMetrics.acc).toBeGreaterThanOrEqual(FLOOR);
    recorded = meta.testMetrics.acc;
  });

  it('scores on the 10,000 test images what its meta.json records', async () => {
    const before = tf.memory().numTensors;
    const ev = await evaluate(model, images, labels, 10);
    console.log(`shipped model: test accuracy ${(ev.acc * 100).toFixed(2)}%, loss ${ev.loss.toFixed(4)}`);
    expect(ev.acc).toBeGreaterThanOrEqual(FLOOR);
    expect(Math.abs(ev.acc - recorded)).toBeLessThan(0.0005);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('classifies product-style renderings of 1,000 test images mostly like the originals', async () => {
    const trip = roundTrip(images, 1000);
    const agreement = await classAgreement(model, trip);
    console.log(`shipped model: rendered-vs-original agreement ${(agreement * 100).toFixed(1)}%`);
    expect(agreement).toBeGreaterThanOrEqual(AGREEMENT_FLOOR);
  }, 120_000);

  it('has a saliency map that points at the pixels its decision needs', async () => {
    // Hide the 40 pixels the map ranks highest, or 40 random garment pixels, and compare how much
    // confidence is left. Measured: 0.82 → 0.30 vs 0.73.
    const rng = mulberry32(7);
    const count = 50;
    const prob = (x: Float32Array, c: number): Promise<number> => {
      const p = tf.tidy(() => (model.predict(tf.tensor4d(x, [1, 28, 28, 1])) as tf.Tensor).gather([c], 1));
      return p.data().then((d) => (p.dispose(), d[0]!));
    };
    let start = 0, afterMap = 0, afterRandom = 0;
    for (let i = 0; i < count; i++) {
      const x = Float32Array.from(images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
      const map = await saliency(model, x);
      const c = (await predictBatch(model, x, 1))[0]!;
      const hide = (order: number[]): Float32Array => {
        const y = x.slice();
        for (const p of order.slice(0, 40)) y[p] = 0;
        return y;
      };
      const byMap = Array.from(map.keys()).sort((a, b) => map[b]! - map[a]! || x[b]! - x[a]!);
      const garment = Array.from(x.keys()).filter((p) => x[p]! > 0.02);
      for (let j = garment.length - 1; j > 0; j--) {
        const r = Math.floor(rng() * (j + 1));
        [garment[j], garment[r]] = [garment[r]!, garment[j]!];
      }
      start += await prob(x, c);
      afterMap += await prob(hide(byMap), c);
      afterRandom += await prob(hide(garment), c);
    }
    console.log(`shipped model: confidence ${(start / count).toFixed(2)}, hiding the map's top 40 pixels ${(afterMap / count).toFixed(2)}, 40 random garment pixels ${(afterRandom / count).toFixed(2)}`);
    expect(afterMap).toBeLessThan(afterRandom * 0.75);
  }, 120_000);
});
