import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModelArtifacts } from '../../src-shared/types/model';
import { TailorError } from './errors';
import { BUILT_IN_ID, ModelStore } from './models';
import type { WeightGroup } from './model-validate';
import { artifactsOf, meta, tinyModel } from './testing/model-fixtures';

function rebuild(a: Pick<ModelArtifacts, 'modelJson' | 'weights'>): Promise<tf.LayersModel> {
  const specs = (a.modelJson.weightsManifest as WeightGroup[]).flatMap((g) => g.weights);
  const topology = a.modelJson.modelTopology as object;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData: a.weights.slice().buffer }));
}

const batch = () => tf.tensor4d(Float32Array.from({ length: 4 * 784 }, (_, i) => ((i * 7919) % 255) / 255), [4, 28, 28, 1]);

async function predictions(model: tf.LayersModel): Promise<Float32Array> {
  const x = batch();
  const y = model.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return out;
}

async function expectError(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<TailorError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TailorError);
  expect((err as TailorError).code).toBe(code);
  if (message !== undefined) expect((err as TailorError).message).toMatch(message);
  return err as TailorError;
}

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const names = (dir: string) => fs.readdir(dir).then((n) => n.sort());

let tiny: { modelJson: Record<string, unknown>; weights: Uint8Array };
let tinyOther: { modelJson: Record<string, unknown>; weights: Uint8Array };
let tinyPredictions: Float32Array;
let dir: string;
let root: string;
let picked: string | null;
const open = (builtInDir?: string) => new ModelStore({ root, ...(builtInDir ? { builtInDir } : {}), pickFolder: async () => picked });

beforeAll(async () => {
  await tf.setBackend('cpu');
  const a = tinyModel(1);
  const b = tinyModel(2);
  tiny = await artifactsOf(a);
  tinyOther = await artifactsOf(b);
  tinyPredictions = await predictions(a);
  a.dispose();
  b.dispose();
});

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'tailor-models-'));
  root = join(dir, 'models');
  picked = null;
});

afterEach(async () => {
  vi.restoreAllMocks();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('save and load', () => {
  it('gives back identical bytes and meta, in the standard tfjs layout', async () => {
    const store = open();
    const saved = await store.save({ meta: meta(), modelJson: tiny.modelJson, weights: tiny.weights });
    expect(saved.id).toMatch(/^my-model-[0-9a-f]{6}$/);
    expect(saved.weightsBytes).toBe(tiny.weights.byteLength);

    const loaded = await open().load(saved.id);
    expect(loaded.weights).toEqual(tiny.weights);
    expect(loaded.meta).toEqual({ ...meta(), id: saved.id, createdAt: saved.createdAt });
    expect(loaded.modelJson.modelTopology).toEqual(tiny.modelJson.modelTopology);

    expect(await names(join(root, saved.id))).toEqual(['meta.json', 'model.json', 'weights.bin']);
    const onDisk = JSON.parse(await fs.readFile(join(root, saved.id, 'model.json'), 'utf8'));
    expect(onDisk.format).toBe('layers-model');
    expect(onDisk.generatedBy).toMatch(/TensorFlow\.js/);
    expect(onDisk).toHaveProperty('convertedBy');
    expect(onDisk.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: (tiny.modelJson.weightsManifest as WeightGroup[])[0]?.weights }]);
  });

  it('gives identical predictions on a fixed batch', async () => {
    const store = open();
    const { id } = await store.save({ meta: meta(), modelJson: tiny.modelJson, weights: tiny.weights });
    const model = await rebuild(await open().load(id));
    expect(await predictions(model)).toEqual(tinyPredictions);
    model.dispose();
  });

  it('accepts tf.io.ModelArtifacts weightSpecs in place of a manifest', async () => {
    const { weightsManifest, ...rest } = tiny.modelJson;
    const weightSpecs = (weightsManifest as WeightGroup[])[0]?.weights;
    const { id } = await open().save({ meta: meta(), modelJson: { ...rest, weightSpecs }, weights: tiny.weights });
    const loaded = await open().load(id);
    expect(loaded.modelJson.weightSpecs).toBeUndefined();
    expect(loaded.modelJson.weightsManifest).toEqual(weightsManifest);
  });

  it('re-saving with an id replaces that model; new saves get new ids', async () => {
    const store = open();
    const first = await store.save({ meta: meta('Same name'), modelJson: tiny.modelJson, weights: tiny.weights });
    const second = await store.save({ meta: meta('Same name'), modelJson: tiny.modelJson, weights: tiny.weights });
    expect(second.id).not.toBe(first.id);
    await store.save({ meta: { ...meta('Replaced'), id: first.id }, modelJson: tinyOther.modelJson, weights: tinyOther.weights });
    expect((await store.list()).map((m) => m.name).sort()).toEqual(['Replaced', 'Same name']);
    expect((await store.load(first.id)).weights).toEqual(tinyOther.weights);
  });

  it('refuses artifacts whose weights do not match the manifest, writing nothing', async () => {
    const store = open();
    await expectError(
      store.save({ meta: meta(), modelJson: tiny.modelJson, weights: tiny.weights.subarray(4) }),
      'corrupt',
      'weights are 4 bytes short of the 13,640 bytes the manifest declares',
    );
    expect(await store.list()).toEqual([]);
  });
});

describe('crash safety', () => {
  it('a save interrupted between temp write and rename leaves the old model only', async () => {
    const store = open();
    const { id } = await store.save({ meta: meta('Old'), modelJson: tiny.modelJson, weights: tiny.weights });
    const rename = fs.rename.bind(fs);
    let failed = false;
    vi.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      if (!failed && basename(String(from)).startsWith('.tmp-') && basename(String(to)) === id) {
        failed = true;
        throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      }
      return rename(from, to);
    });
    await expectError(
      store.save({ meta: { ...meta('New'), id }, modelJson: tinyOther.modelJson, weights: tinyOther.weights }),
      'io',
      /Saving model "New"/,
    );
    vi.restoreAllMocks();
    // What a crash at that moment would leave: a complete and a half-written temp folder.
    await fs.mkdir(join(root, `.tmp-${id}-0123456789ab`));
    await fs.writeFile(join(root, `.tmp-${id}-0123456789ab`, 'weights.bin'), tinyOther.weights.subarray(0, 100));
    await fs.mkdir(join(root, '.tmp-new-model-123456-aaaaaaaaaaaa'));

    const reopened = open();
    const listed = await reopened.list();
    expect(listed.map((m) => [m.id, m.name])).toEqual([[id, 'Old']]);
    expect((await reopened.load(id)).weights).toEqual(tiny.weights);
    expect(await names(root)).toEqual([id]);
  });

  it('restores a model when a crash fell between moving the old folder aside and renaming the new one in', async () => {
    const { id } = await open().save({ meta: meta('Kept'), modelJson: tiny.modelJson, weights: tiny.weights });
    await fs.rename(join(root, id), join(root, `.old-${id}-00112233aabb`));
    const store = open();
    expect((await store.list()).map((m) => m.name)).toEqual(['Kept']);
    expect((await store.load(id)).weights).toEqual(tiny.weights);
    expect(await names(root)).toEqual([id]);
  });

  it('sweeps leftover temp folders and files when the store opens', async () => {
    await fs.mkdir(join(root, '.tmp-a-0123456789ab', 'deep'), { recursive: true });
    await fs.writeFile(join(root, '.tmp-active.json-0123456789ab'), '{');
    await fs.mkdir(join(root, '.tmp-gone.deleted-0123456789ab'));
    await open().list();
    expect(await names(root)).toEqual([]);
  });

  it('serialises two concurrent saves to one id', async () => {
    const store = open();
    const trace: string[] = [];
    const [mkdir, rename] = [fs.mkdir.bind(fs), fs.rename.bind(fs)];
    vi.spyOn(fs, 'mkdir').mockImplementation((async (path: string, opts?: object) => {
      if (basename(path).startsWith('.tmp-')) trace.push('write');
      return mkdir(path, opts);
    }) as typeof fs.mkdir);
    vi.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      await rename(from, to);
      if (basename(String(to)) === 'shared') trace.push('commit');
    });
    const saves = ['First', 'Second'].map((name, i) => {
      const a = i === 0 ? tiny : tinyOther;
      return store.save({ meta: { ...meta(name), id: 'shared' }, modelJson: a.modelJson, weights: a.weights });
    });
    await Promise.all(saves);
    expect(trace).toEqual(['write', 'commit', 'write', 'commit']);
    const loaded = await store.load('shared');
    expect([loaded.meta.name, loaded.weights]).toEqual(['Second', tinyOther.weights]);
  });

  it('reports a full disk and keeps the previous model', async () => {
    const store = open();
    const { id } = await store.save({ meta: meta('Before'), modelJson: tiny.modelJson, weights: tiny.weights });
    const realOpen = fs.open.bind(fs);
    vi.spyOn(fs, 'open').mockImplementation(async (path, flags, mode) => {
      if (String(path).includes('.tmp-') && flags === 'wx') {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return realOpen(path, flags, mode);
    });
    await expectError(
      store.save({ meta: { ...meta('After'), id }, modelJson: tinyOther.modelJson, weights: tinyOther.weights }),
      'io',
      'Saving model "After": the disk is full',
    );
    vi.restoreAllMocks();
    expect((await store.list()).map((m) => m.name)).toEqual(['Before']);
    expect(await names(root)).toEqual([id]);
  });
});

describe('damaged models on disk', () => {
  const damage: [string, (folder: string) => Promise<void>, RegExp][] = [
    ['bad JSON', (f) => fs.writeFile(join(f, 'model.json'), '{"modelTopology": '), /model\.json is not valid JSON/],
    ['missing meta', (f) => fs.rm(join(f, 'meta.json')), /meta\.json is missing/],
    ['bad meta', (f) => fs.writeFile(join(f, 'meta.json'), '{"name": 3}'), /meta\.json is not a model description/],
    ['missing manifest', async (f) => {
      const json = JSON.parse(await fs.readFile(join(f, 'model.json'), 'utf8'));
      delete json.weightsManifest;
      await fs.writeFile(join(f, 'model.json'), JSON.stringify(json));
    }, /model\.json has no weightsManifest/],
    ['weights one byte short', (f) => fs.truncate(join(f, 'weights.bin'), 13_639), /weights are 1 byte short of the 13,640 bytes/],
    ['weights one byte long', (f) => fs.appendFile(join(f, 'weights.bin'), Uint8Array.of(0)), /weights are 1 byte over the 13,640 bytes/],
    ['missing weights', (f) => fs.rm(join(f, 'weights.bin')), /weights\.bin is missing/],
  ];

  it.each(damage)('%s: load says corrupt, list still lists every model', async (_what, spoil, message) => {
    const store = open();
    const good = await store.save({ meta: meta('Good'), modelJson: tiny.modelJson, weights: tiny.weights });
    const bad = await store.save({ meta: meta('Bad'), modelJson: tiny.modelJson, weights: tiny.weights });
    await spoil(join(root, bad.id));

    const err = await expectError(store.load(bad.id), 'corrupt', message);
    expect(err.message).toContain(`Model "${bad.id}" is damaged`);
    const listed = await store.list();
    expect(listed.map((m) => m.id).sort()).toEqual([good.id, bad.id].sort());
    expect(listed.find((m) => m.id === good.id)?.problem).toBeUndefined();
    expect(listed.find((m) => m.id === bad.id)?.problem).toMatch(message);
    expect((await store.load(good.id)).weights).toEqual(tiny.weights);
  });
});

describe('import', () => {
  const files = (json: Record<string, unknown>, weights: Record<string, Uint8Array>) => [
    { name: 'model.json', bytes: enc(json) },
    ...Object.entries(weights).map(([name, bytes]) => ({ name, bytes })),
  ];
  const withJson = (change: (json: any) => void) => {
    const json = structuredClone(tiny.modelJson) as any;
    change(json);
    return json as Record<string, unknown>;
  };

  it('imports tfjs-converter style sharded files into one model that predicts the same', async () => {
    const store = open();
    const specs = (tiny.modelJson.weightsManifest as WeightGroup[])[0]?.weights;
    const json = { ...tiny.modelJson, weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs }] };
    const imported = await store.import([
      { name: 'group1-shard2of2.bin', bytes: tiny.weights.subarray(5000) },
      { name: 'model.json', bytes: enc(json) },
      { name: 'group1-shard1of2.bin', bytes: tiny.weights.subarray(0, 5000) },
      { name: 'meta.json', bytes: enc({ name: 5 }) }, // foreign: ignored, the model itself is fine
    ]);
    expect(imported).toMatchObject({ name: 'Imported model', preset: 'imported', params: 3410, weightsBytes: 13_640 });
    const loaded = await store.load(imported.id);
    expect(loaded.weights).toEqual(tiny.weights);
    const model = await rebuild(loaded);
    expect(await predictions(model)).toEqual(tinyPredictions);
    model.dispose();
  });

  const malformed: [string, () => { name: string; bytes: Uint8Array }[], string, string | RegExp][] = [
    ['bad JSON', () => [{ name: 'model.json', bytes: new TextEncoder().encode('{"modelTopology":') }, { name: 'weights.bin', bytes: tiny.weights }], 'corrupt', /^model\.json is not valid JSON/],
    ['truncated weights', () => files(tiny.modelJson, { 'weights.bin': tiny.weights.subarray(0, 13_636) }), 'corrupt', 'weights are 4 bytes short of the 13,640 bytes the manifest declares'],
    ['weights one byte long', () => files(tiny.modelJson, { 'weights.bin': Uint8Array.from([...tiny.weights, 0]) }), 'corrupt', 'weights are 1 byte over the 13,640 bytes the manifest declares'],
    ['colour input', () => files(withJson((j) => (j.modelTopology.config.layers[0].config.batch_input_shape = [null, 32, 32, 3])), { 'weights.bin': tiny.weights }), 'invalid-argument', 'the model takes input [null,32,32,3]; Tailor needs [null,rows,cols,1] (grey images of any size)'],
    ['a topology that disagrees with its weights', () => files(withJson((j) => (j.modelTopology.config.layers[3].config.units = 5)), { 'weights.bin': tiny.weights }), 'corrupt', /^weight "dense_Dense\d+\/kernel" is \[338,10\] in the weights manifest but \[338,5\] in the layers$/],
    ['missing weights file', () => files(tiny.modelJson, {}), 'invalid-argument', 'model.json lists weights file "weights.bin", which is not among the chosen files'],
    ['path outside the chosen folder', () => files(withJson((j) => (j.weightsManifest[0].paths = ['../x.bin'])), { 'x.bin': tiny.weights }), 'invalid-argument', 'weights path "../x.bin" is outside the chosen folder'],
    ['no model.json', () => [{ name: 'weights.bin', bytes: tiny.weights }], 'invalid-argument', 'No model.json among the chosen files'],
  ];

  it.each(malformed)('%s gives its message and stores nothing', async (_what, make, code, message) => {
    const store = open();
    const err = await expectError(store.import(make()), code);
    if (typeof message === 'string') expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
    expect(await store.list()).toEqual([]);
  });
});

describe('ids', () => {
  it.each(['../x', '/etc/passwd', 'C:\\x', 'a/b', 'con', 'x'.repeat(300), '', 'UPPER'])('rejects %j', async (id) => {
    const store = open();
    await expectError(store.load(id), 'invalid-argument');
    await expectError(store.rename(id, 'x'), 'invalid-argument');
    await expectError(store.delete(id), 'invalid-argument');
    await expectError(store.setActive(id), 'invalid-argument');
    await expectError(store.export(id), 'invalid-argument');
    await expectError(store.save({ meta: { ...meta(), id }, modelJson: tiny.modelJson, weights: tiny.weights }), 'invalid-argument');
    expect(await names(dir)).toEqual(['models']);
  });

  it('makes ids from a slug of the name', async () => {
    const store = open();
    const a = await store.save({ meta: meta('Ça va: CNN #2 (best!)'), modelJson: tiny.modelJson, weights: tiny.weights });
    const b = await store.save({ meta: meta('!!!'), modelJson: tiny.modelJson, weights: tiny.weights });
    expect(a.id).toMatch(/^ca-va-cnn-2-best-[0-9a-f]{6}$/);
    expect(b.id).toMatch(/^model-[0-9a-f]{6}$/);
  });
});

describe('export', () => {
  it('writes a folder that tf.loadLayersModel loads into an identical model', async () => {
    const store = open();
    const { id } = await store.save({ meta: meta('Shirt finder'), modelJson: tiny.modelJson, weights: tiny.weights });
    picked = join(dir, 'exports');
    await fs.mkdir(picked);
    const result = await store.export(id);
    expect(result).toEqual({ folder: join(picked, 'shirt-finder') });
    expect(await names(join(picked, 'shirt-finder'))).toEqual(['meta.json', 'model.json', 'weights.bin']);

    // tfjs' own http loader resolves the manifest paths beside model.json, as a web app would.
    const fetchFunc = async (url: string | URL | Request) =>
      new Response(await fs.readFile(join(picked!, 'shirt-finder', basename(new URL(String(url)).pathname))));
    const model = await tf.loadLayersModel('http://export.invalid/model.json', { fetchFunc });
    expect(await predictions(model)).toEqual(tinyPredictions);
    model.dispose();

    expect(await store.export(id)).toEqual({ folder: join(picked, 'shirt-finder-2') });
    const again = await store.import(
      await Promise.all(['model.json', 'weights.bin', 'meta.json'].map(async (name) => ({ name, bytes: await fs.readFile(join(picked!, 'shirt-finder', name)) }))),
    );
    expect(again).toMatchObject({ name: 'Shirt finder', preset: 'tiny', history: meta().history });
    expect(again.id).not.toBe(id);
  });

  it('returns null when the user cancels the folder dialog', async () => {
    const store = open();
    const { id } = await store.save({ meta: meta(), modelJson: tiny.modelJson, weights: tiny.weights });
    expect(await store.export(id)).toBeNull();
    await expectError(store.export('missing'), 'not-found');
  });
});

describe('rename, delete, metadata and the active model', () => {
  it('renames and updates metadata durably', async () => {
    const store = open();
    const { id } = await store.save({ meta: meta('Before'), modelJson: tiny.modelJson, weights: tiny.weights });
    expect((await store.rename(id, '  After  ')).name).toBe('After');
    const metrics = { loss: 0.3, acc: 0.9, count: 100 };
    const measuredOn = { id: 'fashion-mnist', checksums: { trainImages: 'abc', testImages: 'def' } };
    expect((await store.updateMeta(id, { testMetrics: { measuredOn, metrics } })).testMetrics).toEqual(metrics);
    const loaded = await open().load(id);
    expect(loaded.meta).toMatchObject({ name: 'After', testMetrics: metrics });
    expect(loaded.weights).toEqual(tiny.weights);
    await expectError(store.rename(id, '   '), 'invalid-argument');
    await expectError(store.rename('nope', 'x'), 'not-found');
  });

  it('refuses (conflict) test metrics measured on another dataset and keeps the stored ones', async () => {
    const store = open();
    const { id } = await store.save({ meta: meta(), modelJson: tiny.modelJson, weights: tiny.weights });
    const mnist = { id: 'mnist-digits', checksums: { trainImages: 'abc' } };
    await expectError(store.updateMeta(id, { testMetrics: { measuredOn: mnist, metrics: { loss: 9, acc: 0.11 } } }), 'conflict', /not measured on the data/);
    expect((await open().load(id)).meta.testMetrics).toBeNull();
    expect((await store.updateMeta(id, { pixelScale: 'raw' })).hyper.pixelScale).toBe('raw');
  });

  it('deletes, and deleting the active model resets the choice', async () => {
    const store = open();
    const a = await store.save({ meta: meta('A'), modelJson: tiny.modelJson, weights: tiny.weights });
    const b = await store.save({ meta: meta('B'), modelJson: tiny.modelJson, weights: tiny.weights });
    expect(await store.getActive()).toBeNull();
    expect(await store.setActive(a.id)).toBe(a.id);
    expect(await open().getActive()).toBe(a.id);
    expect(await store.delete(b.id)).toBe(true);
    expect(await store.getActive()).toBe(a.id);
    expect(await store.delete(a.id)).toBe(true);
    expect(await store.delete(a.id)).toBe(false);
    expect(await store.getActive()).toBeNull();
    expect(await store.list()).toEqual([]);
    expect(await names(root)).toEqual([]);
    await expectError(store.setActive(a.id), 'not-found');
  });
});

describe('built-in model', () => {
  let builtIn: string;
  beforeEach(async () => {
    // Shipped as tfjs-converter writes it: two shards.
    builtIn = join(dir, 'resources', 'model');
    await fs.mkdir(builtIn, { recursive: true });
    const specs = (tiny.modelJson.weightsManifest as WeightGroup[])[0]?.weights;
    await fs.writeFile(join(builtIn, 'model.json'), enc({ ...tiny.modelJson, weightsManifest: [{ paths: ['a.bin', 'b.bin'], weights: specs }] }));
    await fs.writeFile(join(builtIn, 'a.bin'), tiny.weights.subarray(0, 6000));
    await fs.writeFile(join(builtIn, 'b.bin'), tiny.weights.subarray(6000));
    await fs.writeFile(join(builtIn, 'meta.json'), enc({ ...meta('Shipped'), id: 'whatever', createdAt: '2024-01-01T00:00:00.000Z' }));
  });

  it('is listed first, loads, and is the default active model', async () => {
    const store = open(builtIn);
    const mine = await store.save({ meta: meta('Mine'), modelJson: tinyOther.modelJson, weights: tinyOther.weights });
    const listed = await store.list();
    expect(listed.map((m) => [m.id, m.builtIn ?? false])).toEqual([[BUILT_IN_ID, true], [mine.id, false]]);
    expect(await store.getActive()).toBe(BUILT_IN_ID);
    const loaded = await store.load(BUILT_IN_ID);
    expect(loaded.meta).toMatchObject({ id: BUILT_IN_ID, name: 'Shipped', builtIn: true });
    expect(loaded.weights).toEqual(tiny.weights);
    await store.setActive(mine.id);
    await store.delete(mine.id);
    expect(await store.getActive()).toBe(BUILT_IN_ID);
  });

  it('is read-only', async () => {
    const store = open(builtIn);
    const before = await names(builtIn);
    await expectError(store.rename(BUILT_IN_ID, 'x'), 'forbidden', 'The built-in model cannot be renamed');
    await expectError(store.delete(BUILT_IN_ID), 'forbidden', 'The built-in model cannot be deleted');
    await expectError(store.updateMeta(BUILT_IN_ID, { testMetrics: null }), 'forbidden');
    await expectError(store.save({ meta: { ...meta(), id: BUILT_IN_ID }, modelJson: tiny.modelJson, weights: tiny.weights }), 'forbidden');
    expect(await names(builtIn)).toEqual(before);
    expect(await store.setActive(BUILT_IN_ID)).toBe(BUILT_IN_ID);
  });

  it('is simply absent when no model is shipped', async () => {
    const store = open(join(dir, 'resources', 'nothing-here'));
    expect(await store.list()).toEqual([]);
    expect(await store.getActive()).toBeNull();
    await expectError(store.load(BUILT_IN_ID), 'not-found');
  });
});
