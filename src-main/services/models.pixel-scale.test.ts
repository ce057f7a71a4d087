// Issue 14: a model's pixel scale is part of its recipe. It travels with the model through save,
// load, export and import (meta.json), and only a model without Tailor's meta.json is assumed to
// take [0, 1] — marked as assumed, so the user can correct it.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelStore } from './models';
import { artifactsOf, meta, tinyModel } from './testing/model-fixtures';

let tiny: Awaited<ReturnType<typeof artifactsOf>>;
let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const m = tinyModel(1);
  tiny = await artifactsOf(m);
  m.dispose();
});

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'tailor-scale-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const readAll = (folder: string, names: string[]) => Promise.all(names.map(async (name) => ({ name, bytes: await fs.readFile(join(folder, name)) })));

/** A store holding a model trained on raw pixels, exported once. */
async function rawModelExported() {
  const exports = join(dir, 'exports');
  await fs.mkdir(exports);
  const store = new ModelStore({ root: join(dir, 'models'), pickFolder: async () => exports });
  const base = meta('Raw report');
  const saved = await store.save({ meta: { ...base, hyper: { ...base.hyper, pixelScale: 'raw' } }, modelJson: tiny.modelJson, weights: tiny.weights });
  const folder = (await store.export(saved.id))!.folder;
  return { store, saved, folder };
}

describe('a model trained on raw 0–255 pixels', () => {
  it('keeps its scale through save, load, export and import', async () => {
    const { store, saved, folder } = await rawModelExported();
    expect(saved.hyper.pixelScale).toBe('raw');
    expect((await store.list()).find((m) => m.id === saved.id)?.hyper.pixelScale).toBe('raw');
    expect((await store.load(saved.id)).meta.hyper.pixelScale).toBe('raw');

    const written = JSON.parse(await fs.readFile(join(folder, 'meta.json'), 'utf8')) as { hyper: { pixelScale: string } };
    expect(written.hyper.pixelScale).toBe('raw');

    const imported = await store.import(await readAll(folder, ['model.json', 'weights.bin', 'meta.json']));
    expect(imported.hyper.pixelScale).toBe('raw');
    expect(imported).not.toHaveProperty('pixelScaleAssumed');
    expect((await store.load(imported.id)).meta.hyper.pixelScale).toBe('raw');
  });

  it('imported without its meta.json is assumed to take [0, 1], marked, and corrected for good', async () => {
    const { store, folder } = await rawModelExported();
    const bare = await store.import(await readAll(folder, ['model.json', 'weights.bin']));
    expect(bare).toMatchObject({ pixelScaleAssumed: true, hyper: { pixelScale: 'unit' } });
    await store.updateMeta(bare.id, { pixelScale: 'raw' });
    const reopened = new ModelStore({ root: join(dir, 'models'), pickFolder: async () => null });
    const fixed = (await reopened.list()).find((m) => m.id === bare.id)!;
    expect(fixed.hyper.pixelScale).toBe('raw');
    expect(fixed).not.toHaveProperty('pixelScaleAssumed');
  });
});
