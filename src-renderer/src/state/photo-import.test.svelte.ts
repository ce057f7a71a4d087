// Importing the committed photo fixtures (a folder per class with classes.json) through the real
// main-process services: the folder is laid out, classes.json pre-fills the mapping, every new
// photo is prepared (by a stand-in pool) and the dataset main commits loads with the folders as
// labels; a second import of the same folder prepares nothing, and a cancelled one sends nothing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi, type TailorApi } from '../../../src-shared/contract';
import { FASHION_MNIST_CLASSES } from '../../../src-shared/types/dataset';
import { dispatch } from '../../../src-main/api';
import { createServices } from '../../../src-main/services/create';
import type { DatasetPhoto } from '../worker/dataset-photo';
import type { PreparePool } from '../worker/prepare-client';
import { PhotoImportState, sha256 } from './photo-import.svelte';

const FIXTURES = join(import.meta.dirname, '../../../e2e/fixtures/photos');

/** The fixture folder as a folder pick gives it: every file under "photos/…". */
function pickFolder(): { blob: Blob; name: string }[] {
  const out: { blob: Blob; name: string }[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${rel}/${name}`);
      else out.push({ blob: new Blob([readFileSync(full)]), name: `${rel}/${name}` });
    }
  };
  walk(FIXTURES, 'photos');
  return out;
}

let tmp: string;
let api: TailorApi;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tailor-import-'));
  const services = createServices({ dataDir: tmp, resourcesDir: tmp, emit: () => undefined, pickFolder: async () => null, info: { name: 'T', version: '0', shell: 'web', versions: {} }, systemDatasetDirs: [] });
  api = buildApi((channel, args) => dispatch(services, channel, args), () => () => undefined);
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A pool that "prepares" a photo as a picture of one grey level, and finds nothing in one of them. */
function fakePool(log: string[], delay = 0): () => PreparePool {
  return () => ({
    size: 2,
    terminate: () => undefined,
    forDataset: async (_blob, name): Promise<DatasetPhoto> => {
      log.push(name);
      if (delay) await new Promise((r) => setTimeout(r, delay));
      if (name.endsWith('0090ca2c-e8c8-43f6-b764-e48e0e954006.jpg')) return { ok: false, nothingFound: true, reason: `No garment was found in ${name}: draw a rectangle around the garment`, thumb: null };
      return { ok: true, image: new Uint8Array(784).fill(log.length % 250), thumb: new Uint8Array([0xff, 0xd8, 1]), note: null };
    },
  });
}

describe('importing a folder of photos', () => {
  it('lays it out, maps the folders with classes.json, and commits a dataset labelled by folder', async () => {
    const prepared: string[] = [];
    const state = new PhotoImportState({ api, startPool: fakePool(prepared), hash: sha256 });
    await state.open(pickFolder(), []);
    state.setModelClasses([...FASHION_MNIST_CLASSES]);
    expect(state.phase).toBe('planned');
    expect(state.folder).toBe('photos');
    expect(state.targetId).toBe('photos');
    expect(state.mode).toBe('mapped');
    expect(state.mapping).toMatchObject({ shoes: ['Sandal', 'Sneaker', 'Ankle boot'], pants: ['Trouser'], hat: [] });
    expect(state.plan?.ownSplits).toBe(false);
    expect(state.plan?.entries).toHaveLength(28); // 7 mapped folders × 4
    expect(state.fresh).toHaveLength(28);

    const result = await state.start();
    expect(result).toMatchObject({ added: 27, failed: 1, already: 0 });
    expect(prepared).toHaveLength(28);
    const data = await api.datasets.load('photos');
    if (!data.ok) throw new Error(data.error.message);
    expect(data.value.classNames).toEqual([...FASHION_MNIST_CLASSES]);
    expect(data.value.labelNames).toEqual(['dress', 'longsleeve', 'outwear', 'pants', 'shirt', 'shoes', 't-shirt']);
    expect(data.value.allowed![5]).toEqual([5, 7, 9]);
    expect(data.value.train.count + data.value.test.count).toBe(27);
    const view = await api.photos.get('photos');
    if (!view.ok) throw new Error(view.error.message);
    expect(view.value.records.find((r) => r.reason)?.reason).toMatch(/^No garment was found/);
    expect(view.value.skipped.filter((s) => /“hat” is left out/.test(s.reason))).toHaveLength(2);
  });

  it('with the folders as own classes, has every folder as a class; a second import prepares only new files', async () => {
    const prepared: string[] = [];
    const state = new PhotoImportState({ api, startPool: fakePool(prepared), hash: sha256 });
    await state.open(pickFolder(), []);
    state.mode = 'own';
    expect(state.plan?.classes).toHaveLength(10);
    await state.start();
    const data = await api.datasets.load('photos');
    if (!data.ok) throw new Error(data.error.message);
    expect(data.value.classNames).toEqual(['dress', 'hat', 'longsleeve', 'outwear', 'pants', 'shirt', 'shoes', 'shorts', 'skirt', 't-shirt']);
    expect(data.value.labelNames).toBeUndefined();

    const again = new PhotoImportState({ api, startPool: fakePool(prepared), hash: sha256 });
    const files = pickFolder();
    files.push({ blob: new Blob([readFileSync(join(FIXTURES, 'hat', '014b2a1b-c5a0-469b-b115-bc02b2001db5.jpg')), new Uint8Array([1])]), name: 'photos/hat/new.jpg' });
    await again.open(files, [], { id: 'photos', name: 'photos', naming: { classNames: data.value.classNames, labelNames: null } });
    expect([again.fresh.map((e) => e.path), again.already]).toEqual([['hat/new.jpg'], 34]);
    prepared.length = 0;
    expect(await again.start()).toMatchObject({ added: 1, already: 34 });
    expect(prepared).toEqual(['hat/new.jpg']);
  });

  it('shows progress at most every 250 ms while preparing (each update repaints), and all of it at the end', async () => {
    let clock = 0;
    const seen: (number | undefined)[] = [];
    let atSave: unknown = null;
    const pool = fakePool([]);
    const state: PhotoImportState = new PhotoImportState({
      api: { ...api, photos: { ...api.photos, add: (req) => ((atSave = state.progress), api.photos.add(req)) } },
      startPool: () => {
        const p = pool();
        return { ...p, forDataset: (blob, name) => (seen.push(state.progress?.done), p.forDataset(blob, name)) };
      },
      hash: sha256,
      now: () => (clock += 100), // every photo done reads the clock once: 100 ms a photo
    });
    await state.open(pickFolder(), []);
    state.mode = 'own';
    await state.start();
    const shown = [...new Set(seen)];
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThan(20); // 34 photos at 100 ms: an update every third photo or so
    expect(shown).toEqual([...shown].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(atSave).toEqual({ done: 34, total: 34, failed: 1 });
  });

  it('a cancelled import sends nothing and keeps the plan', async () => {
    const prepared: string[] = [];
    const state = new PhotoImportState({ api, startPool: fakePool(prepared, 5), hash: sha256 });
    await state.open(pickFolder(), []);
    state.mode = 'own';
    const running = state.start();
    await new Promise((r) => setTimeout(r, 12));
    state.cancel();
    expect(await running).toBeNull();
    expect(state.phase).toBe('planned');
    expect(prepared.length).toBeLessThan(34);
    expect(await api.photos.known('photos')).toEqual({ ok: true, value: [] });
  });
});
