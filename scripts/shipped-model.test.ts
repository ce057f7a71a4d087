// The model shipped in resources/model (made by `npm run train`, see README) must load as any
// saved model does, reach ≥ 93.5% on the real Fashion-MNIST test set, stay under 2 MB, and classify
// dataset images rendered as white-background product photos the same as the originals (≥ 95%).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdxFile } from '../src-main/services/idx';
import { ModelStore } from '../src-main/services/models';
import { evaluate } from '../src-renderer/src/ml/evaluate';
import { artifactsToModel } from '../src-renderer/src/ml/serialize';
import { classAgreement, roundTrip } from '../src-renderer/src/classify/roundtrip';

const MODEL_DIR = join(import.meta.dirname, '../resources/model');
const DATA = '/usr/share/datasets/fashion-mnist';

let model: tf.LayersModel;
let images: Uint8Array;
let labels: Uint8Array;
let userDir: string;

beforeAll(async () => {
  await tf.setBackend('wasm');
  // Loaded through the app's own store (it validates the files) as the built-in model.
  userDir = await mkdtemp(join(tmpdir(), 'tailor-shipped-'));
  const store = new ModelStore({ root: userDir, builtInDir: MODEL_DIR, pickFolder: async () => null });
  const artifacts = await store.load('builtin');
  model = await artifactsToModel({ modelJson: artifacts.modelJson, weights: artifacts.weights });
  images = (await readIdxFile(join(DATA, 't10k-images-idx3-ubyte.gz'))).data;
  labels = (await readIdxFile(join(DATA, 't10k-labels-idx1-ubyte.gz'), { classCount: 10 })).data;
}, 120_000);

afterAll(() => rm(userDir, { recursive: true, force: true }));

describe('the shipped model', () => {
  it('is under 2 MB and recorded as built by npm run train', async () => {
    const weights = await stat(join(MODEL_DIR, 'weights.bin'));
    const json = await stat(join(MODEL_DIR, 'model.json'));
    expect(weights.size + json.size).toBeLessThan(2 * 1024 * 1024);
    const meta = JSON.parse(await readFile(join(MODEL_DIR, 'meta.json'), 'utf8')) as { testMetrics: { acc: number }; history: unknown[] };
    expect(meta.history.length).toBeGreaterThan(0);
    expect(meta.testMetrics.acc).toBeGreaterThanOrEqual(0.935);
  });

  it('reaches at least 93.5% on the 10,000 test images', async () => {
    const before = tf.memory().numTensors;
    const ev = await evaluate(model, images, labels, 10);
    console.log(`shipped model: test accuracy ${(ev.acc * 100).toFixed(2)}%, loss ${ev.loss.toFixed(4)}`);
    expect(ev.acc).toBeGreaterThanOrEqual(0.935);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('classifies product-style renderings like the originals in at least 95% of 1,000 cases', async () => {
    const trip = roundTrip(images, 1000);
    const agreement = await classAgreement(model, trip);
    console.log(`shipped model: rendered-vs-original agreement ${(agreement * 100).toFixed(1)}%`);
    expect(agreement).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});
