// Model validation checks the whole model, at import and at save (issue 10.5): each case that
// was once accepted — and then evaluated to wrong numbers, or could never be loaded — is refused
// with its reason and stores nothing; what the app itself trains on any importable dataset
// (other image sizes, 2–100 classes) is accepted.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TailorError } from './errors';
import { ModelStore } from './models';
import type { WeightGroup, WeightSpec } from './model-validate';
import { artifactsOfBuilt, meta, tinyModel, type Artifacts } from './testing/model-fixtures';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const specsOf = (a: Artifacts): WeightSpec[] => (a.modelJson.weightsManifest as WeightGroup[]).flatMap((g) => g.weights);
const filesOf = (a: Artifacts) => [
  { name: 'model.json', bytes: enc(a.modelJson) },
  { name: 'weights.bin', bytes: a.weights },
];

let dir: string;
let store: ModelStore;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'tailor-whole-'));
  store = new ModelStore({ root: join(dir, 'models'), pickFolder: async () => null });
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function refused(p: Promise<unknown>, code: string, message: string | RegExp): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, 'refused').toBeInstanceOf(TailorError);
  expect((err as TailorError).code).toBe(code);
  expect((err as TailorError).message).toMatch(message);
}

/** The tiny model with one float of its weights (after byte `at`) replaced. */
async function withValue(value: number, at = 0): Promise<Artifacts> {
  const a = await artifactsOfBuilt(tinyModel(1));
  const weights = a.weights.slice();
  new DataView(weights.buffer).setFloat32(at, value, true);
  return { ...a, weights };
}

/** A functional model whose topology lists an unused InputLayer first, as a decoy. */
async function withDecoyInput(realShape: number[]): Promise<Artifacts> {
  const input = tf.input({ shape: realShape, name: 'real' });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
  const a = await artifactsOfBuilt(tf.model({ inputs: input, outputs: out }));
  const topology = structuredClone(a.modelJson.modelTopology) as { config: { layers: unknown[] } };
  const decoy = { class_name: 'InputLayer', name: 'decoy', inbound_nodes: [], config: { batch_input_shape: [null, 28, 28, 1], dtype: 'float32', sparse: false, name: 'decoy' } };
  topology.config.layers.unshift(decoy);
  return { ...a, modelJson: { ...a.modelJson, modelTopology: topology } };
}

describe('refused at import, with the reason, storing nothing', () => {
  const cases: [string, () => Promise<Artifacts>, string, string | RegExp][] = [
    ['weights holding NaN', () => withValue(Number.NaN), 'corrupt', /^weight "conv2d_Conv2D\d+\/kernel" holds NaN \(element 0\): every prediction would be NaN$/],
    ['weights holding +Infinity', () => withValue(Number.POSITIVE_INFINITY, 4 * 2), 'corrupt', /^weight "conv2d_Conv2D\d+\/kernel" holds \+Infinity \(element 2\)/],
    ['weights holding -Infinity', () => withValue(Number.NEGATIVE_INFINITY, 13_636), 'corrupt', /^weight "dense_Dense\d+\/bias" holds -Infinity \(element 9\)/],
    [
      'a layer after the output (Dense(10) → RepeatVector(3))',
      () => artifactsOfBuilt(tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' }), tf.layers.repeatVector({ n: 3 })] })),
      'invalid-argument',
      "the model's output is [null,3,10]; Tailor needs [null,classes], one score per class",
    ],
    ['a decoy 28×28×1 input listed first before a 32×32×3 one', () => withDecoyInput([32, 32, 3]), 'invalid-argument', 'the model takes input [null,32,32,3]; Tailor needs [null,rows,cols,1] (grey images of any size)'],
    ['an unused decoy input', () => withDecoyInput([28, 28, 1]), 'invalid-argument', `layer "decoy" is not on the path from the model's input to its output`],
    [
      'two inputs',
      async () => {
        const [a, b] = [tf.input({ shape: [28, 28, 1] }), tf.input({ shape: [28, 28, 1] })];
        const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
        const out = tf.layers.dense({ units: 10 }).apply(tf.layers.flatten().apply(sum)) as tf.SymbolicTensor;
        return artifactsOfBuilt(tf.model({ inputs: [a, b], outputs: out }));
      },
      'invalid-argument',
      'the model has 2 inputs; Tailor needs one, the image',
    ],
    [
      'duplicate weight names',
      async () => {
        const a = await artifactsOfBuilt(tinyModel(1));
        const specs = specsOf(a).map((s, i) => (i === 1 ? { ...s, name: specsOf(a)[0]!.name } : s));
        return { ...a, modelJson: { ...a.modelJson, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] } };
      },
      'corrupt',
      /^the weights manifest lists weight "conv2d_Conv2D\d+\/kernel" twice$/,
    ],
    [
      'a manifest weight that no layer has',
      async () => {
        const a = await artifactsOfBuilt(tinyModel(1));
        const specs = [...specsOf(a), { name: 'stray/kernel', shape: [1], dtype: 'float32' }];
        return { modelJson: { ...a.modelJson, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] }, weights: Uint8Array.from([...a.weights, 0, 0, 0, 0]) };
      },
      'corrupt',
      'the weights manifest lists "stray/kernel", which no layer has',
    ],
    ['101 classes', () => artifactsOfBuilt(tinyModel(1, { classes: 101 })), 'invalid-argument', 'the model has 101 outputs; Tailor handles 2–100 classes'],
    ['one class', () => artifactsOfBuilt(tinyModel(1, { classes: 1 })), 'invalid-argument', 'the model has 1 outputs; Tailor handles 2–100 classes'],
  ];

  it.each(cases)('%s', async (_what, make, code, message) => {
    const a = await make();
    await refused(store.import(filesOf(a)), code, message);
    expect(await store.list()).toEqual([]);
  });

  it('a 2.25 GiB model, before reading its weights', async () => {
    const a = await artifactsOfBuilt(tinyModel(1));
    const huge = [{ name: 'big', shape: [9, 2 ** 26], dtype: 'float32' }];
    const json = { ...a.modelJson, weightsManifest: [{ paths: ['weights.bin'], weights: huge }] };
    await refused(store.import([{ name: 'model.json', bytes: enc(json) }, { name: 'weights.bin', bytes: a.weights }]), 'invalid-argument', "the model's weights are 2.25 GiB; Tailor reads models of up to 256.0 MiB");
  });
});

describe('refused at save too', () => {
  it('NaN weights, and a description that contradicts the model', async () => {
    const nan = await withValue(Number.NaN);
    await refused(store.save({ meta: meta(), ...nan }), 'corrupt', /holds NaN/);
    const five = await artifactsOfBuilt(tinyModel(1, { rows: 32, cols: 32, classes: 5 }));
    await refused(store.save({ meta: meta('Wrong names'), ...five }), 'invalid-argument', 'meta.json names 10 classes but the model has 5 outputs');
    await refused(store.save({ meta: { ...meta('Wrong size', { classes: 5 }), inputShape: [28, 28, 1] }, ...five }), 'invalid-argument', 'meta.json says the model takes 28×28 images but it takes 32×32');
    expect(await store.list()).toEqual([]);
  });

  it('a deeply nested model.json, as corrupt — saved, imported or found on disk', async () => {
    let deep: unknown = [];
    for (let i = 0; i < 1000; i++) deep = [deep];
    const a = await artifactsOfBuilt(tinyModel(1));
    await refused(store.save({ meta: meta(), modelJson: { ...a.modelJson, extra: deep }, weights: a.weights }), 'corrupt', 'model.json nests deeper than 100 levels');
    const text = `{"modelTopology":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    await refused(store.import([{ name: 'model.json', bytes: new TextEncoder().encode(text) }]), 'corrupt', 'model.json nests deeper than 100 levels');
    const saved = await store.save({ meta: meta(), ...a });
    await fs.writeFile(join(dir, 'models', saved.id, 'model.json'), text);
    await refused(store.load(saved.id), 'corrupt', `Model "${saved.id}" is damaged: model.json nests deeper than 100 levels`);
    expect((await store.list())[0]?.problem).toMatch(/nests deeper than 100 levels/);
  });
});

describe('accepted: what the app trains on any dataset it can import', () => {
  it.each([
    [32, 32, 5],
    [20, 24, 2],
    [28, 28, 100],
  ])('a %i×%i model with %i classes saves, lists and loads', async (rows, cols, classes) => {
    const a = await artifactsOfBuilt(tinyModel(3, { rows, cols, classes }));
    const saved = await store.save({ meta: meta('Other set', { rows, cols, classes }), ...a });
    expect(saved).toMatchObject({ inputShape: [rows, cols, 1], classNames: expect.any(Array) });
    expect(saved.classNames).toHaveLength(classes);
    const [listed] = await store.list();
    expect(listed?.problem).toBeUndefined();
    expect((await store.load(saved.id)).weights).toEqual(a.weights);
  });

  it('an import of another shape without meta.json gets numbered classes and an unknown dataset, marked as assumed', async () => {
    const imported = await store.import(filesOf(await artifactsOfBuilt(tinyModel(3, { rows: 32, cols: 32, classes: 5 }))));
    expect(imported).toMatchObject({
      inputShape: [32, 32, 1],
      classNames: ['0', '1', '2', '3', '4'],
      dataset: { id: '', name: 'Unknown dataset' },
      pixelScaleAssumed: true,
      datasetAssumed: true,
    });
  });

  it('a softmax as its own layer after the Dense', async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10 }), tf.layers.activation({ activation: 'softmax' })] });
    const imported = await store.import(filesOf(await artifactsOfBuilt(model)));
    expect(imported.classNames).toHaveLength(10);
    expect((await store.list())[0]?.problem).toBeUndefined();
  });
});

describe('a stored model too large to read', () => {
  it('is listed with the reason and refused at load, without reading its weights', async () => {
    const a = await artifactsOfBuilt(tinyModel(1));
    const saved = await store.save({ meta: meta('Grew'), ...a });
    const file = join(dir, 'models', saved.id, 'model.json');
    const json = JSON.parse(await fs.readFile(file, 'utf8'));
    json.weightsManifest = [{ paths: ['weights.bin'], weights: [{ name: 'big', shape: [9, 2 ** 26], dtype: 'float32' }] }];
    await fs.writeFile(file, JSON.stringify(json));
    const [listed] = await store.list();
    expect(listed?.problem).toBe(`Model "${saved.id}" cannot be used: the model's weights are 2.25 GiB; Tailor reads models of up to 256.0 MiB`);
    await refused(store.load(saved.id), 'invalid-argument', /2\.25 GiB/);
  });
});
