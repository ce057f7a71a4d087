// Corrections go through the real main-process photo store: a corrected photo joins the
// Corrections dataset of the model's classes (its 28×28 as the model saw it), a second correction
// of the same photo replaces the first, and teaching again fine-tunes the saved model on them with
// its own dataset mixed in.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi, type TailorApi } from '../../../src-shared/contract';
import { dispatch } from '../../../src-main/api';
import { createServices } from '../../../src-main/services/create';
import type { DatasetStatus } from '../../../src-shared/types/dataset';
import { correctionsId } from '../view-logic/fine-tune';
import { CorrectionsState } from './corrections.svelte';
import type { CurrentModel } from './current-model';
import { sha256 } from './photo-import.svelte';

let tmp: string;
let api: TailorApi;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tailor-corrections-'));
  const services = createServices({ dataDir: tmp, resourcesDir: tmp, emit: () => undefined, pickFolder: async () => null, info: { name: 'T', version: '0', shell: 'web', versions: {} }, systemDatasetDirs: [] });
  api = buildApi((channel, args) => dispatch(services, channel, args), () => () => undefined);
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const CLASSES = ['T-shirt/top', 'Trouser', 'Shirt'];
const model = (id: string | null): CurrentModel => ({
  key: 1,
  id,
  name: 'Tuned',
  builtIn: false,
  info: { key: 1, params: 10, label: 'Tuned', inputShape: [28, 28, 1], classes: 3, pixelScale: 'unit' },
  classNames: CLASSES,
  dataset: { id: 'photos', name: 'My photos', checksums: {} },
  pixelScaleAssumed: false,
});

function harness(current: CurrentModel | null) {
  const log: string[] = [];
  const dataset = {
    statuses: [] as DatasetStatus[],
    lockedBy: null as string | null,
    async changed() {
      const all = await api.datasets.list();
      if (all.ok) dataset.statuses = all.value;
    },
    async select(id: string) {
      log.push(`select ${id}`);
    },
  };
  const train = {
    running: false,
    error: null as string | null,
    savedModelId: null as string | null,
    hyper: { seed: 7 } as never,
    mixWith: null as string | null,
    mixRatio: 1,
    startFrom: (id: string | null) => void log.push(`start from ${id}`),
    start: async () => {
      log.push('train');
      train.savedModelId = 'm2';
    },
  };
  const state = new CorrectionsState({ api, hash: sha256, thumbnail: async () => new Uint8Array([0xff, 0xd8]), models: { current }, dataset, train });
  return { state, dataset, train, log };
}

const photo = (name: string, v: number) => ({ name, blob: new Blob([name]), input: new Float32Array(784).fill(v) });

describe('corrections', () => {
  it('a corrected photo joins the Corrections dataset of the model’s classes, and a second correction replaces it', async () => {
    const h = harness(model('m1'));
    expect(h.state.count).toBe(0);
    const shirt = photo('bed/shirt.jpg', 0.5);
    expect(await h.state.correct(shirt, 2)).toBe(true);
    expect(h.state.status).toMatchObject({ id: correctionsId(CLASSES), name: 'Corrections for My photos', trainCount: 1 });
    expect(h.state.correctionOf('bed/shirt.jpg', shirt.input)).toEqual({ label: 'Shirt', current: true });
    // Re-cut since (a new 28×28): the stored correction is the earlier cut's.
    expect(h.state.correctionOf('bed/shirt.jpg', new Float32Array(784))).toEqual({ label: 'Shirt', current: false });
    expect(h.state.correctionOf('floor/tee.jpg', shirt.input)).toBeNull();
    await h.state.correct(photo('bed/shirt.jpg', 0.5), 1);
    await h.state.correct(photo('floor/tee.jpg', 1), 0);
    expect(h.state.count).toBe(2);
    const data = await api.datasets.load(correctionsId(CLASSES));
    if (!data.ok) throw new Error(data.error.message);
    expect(data.value.classNames).toEqual(CLASSES);
    expect([...data.value.train.labels]).toEqual([1, 0]);
    expect([data.value.train.images[0], data.value.train.images[784]]).toEqual([128, 255]);
  });

  it('teaches the saved model again on its corrections, its own dataset mixed in', async () => {
    const h = harness(model('m1'));
    await h.state.correct(photo('a.jpg', 0.5), 2);
    await h.state.correct(photo('b.jpg', 0.2), 1);
    expect(await h.state.teachAgain()).toBe(true);
    expect(h.log).toEqual([`select ${correctionsId(CLASSES)}`, 'start from m1', 'train']);
    expect(h.train.mixWith).toBe('photos');
    expect(h.train.mixRatio).toBe(50); // 300 images an epoch would be 150 per correction: capped at 50
    expect(h.train.hyper).toMatchObject({ epochs: 15, batchSize: 32, seed: 7 });
  });

  it('refuses, with why, a model whose images are not 28×28 (photo sets hold 28×28s)', async () => {
    const big = model('m1');
    const h = harness({ ...big, info: { ...big.info, inputShape: [32, 32, 1] } });
    expect(h.state.unavailable).toMatch(/this model takes 32×32 images/);
    expect(await h.state.correct({ ...photo('a.jpg', 0.5), input: new Float32Array(1024) }, 1)).toBe(false);
    expect(h.state.error).toMatch(/28×28/);
    expect(h.state.status).toBeNull();
    expect(harness(model('m1')).state.unavailable).toBeNull();
  });

  it('says why it cannot teach an unsaved model, or without corrections', async () => {
    const unsaved = harness(model(null));
    expect(await unsaved.state.teachAgain()).toBe(false);
    expect(unsaved.state.error).toMatch(/Save the current model first/);
    const none = harness(model('m1'));
    expect(await none.state.teachAgain()).toBe(false);
    expect(none.state.error).toMatch(/no corrections yet/);
  });
});
