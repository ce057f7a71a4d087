// Photo datasets in main: stored as an ordinary dataset (IDX parts + manifest, loaded by the
// DatasetStore) plus per-file records and thumbnails, all committed as one version; later adds
// keep what is there; refusals keep their reasons; naming rules; caps at the IPC boundary.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch, type Services } from '../api';
import type { PhotoAdd, PhotoItem } from '../../src-shared/types/photo-dataset';
import { createServices } from './create';
import { DatasetStore } from './datasets';
import { PhotoDatasetStore } from './photo-datasets';
import { idxImages, idxLabels } from './idx-fixtures';

let tmp: string;
let root: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tailor-photos-'));
  root = join(tmp, 'datasets');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(tmp, { recursive: true, force: true });
});

function stores() {
  const datasets = new DatasetStore({ root, systemDirs: [], emit: () => undefined, catalog: [] });
  const photos = new PhotoDatasetStore({ root, exclusive: (id, fn) => datasets.exclusive(id, fn), status: (id) => datasets.status(id) });
  return { datasets, photos };
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex');
/** A photo's 28×28: every pixel `v`, so each item is recognisable in what main serves. */
const picture = (v: number) => new Uint8Array(784).fill(v);

function item(path: string, v: number, over: Partial<PhotoItem> = {}): PhotoItem {
  const [folder = 'x'] = path.split('/').slice(-2);
  return { path, hash: hash(path), split: 'train', label: folder, image: picture(v), thumb: new Uint8Array([0xff, 0xd8, v]), ...over };
}

const own = (items: PhotoItem[], over: Partial<PhotoAdd> = {}): PhotoAdd => ({ id: 'mine', name: 'My photos', classNames: ['hat', 'skirt'], items, ...over });

describe('a photo dataset is a dataset', () => {
  it('is listed and loads as IDX parts: train from train/, test from the held-out photos', async () => {
    const { datasets, photos } = stores();
    const status = await photos.add(
      own([item('hat/a.jpg', 10), item('skirt/b.jpg', 20), item('hat/c.jpg', 30, { split: 'validation' }), item('skirt/d.jpg', 40, { split: 'test' })]),
    );
    expect(status).toMatchObject({ id: 'mine', name: 'My photos', ready: true, trainCount: 2, testCount: 2, rows: 28, cols: 28, photos: { heldOut: true } });
    expect((await datasets.list()).map((s) => s.id)).toContain('mine');
    const p = await datasets.load('mine');
    expect(p.classNames).toEqual(['hat', 'skirt']);
    expect([...p.train.labels]).toEqual([0, 1]);
    expect([p.train.images[0], p.train.images[784]]).toEqual([10, 20]);
    expect([...p.test.labels]).toEqual([0, 1]);
    expect([p.test.images[0], p.test.images[784]]).toEqual([30, 40]);
  });

  it('without held-out photos the test part is the training photos, and says so', async () => {
    const { datasets, photos } = stores();
    expect(await photos.add(own([item('hat/a.jpg', 10), item('skirt/b.jpg', 20)]))).toMatchObject({ photos: { heldOut: false }, testCount: 2 });
    expect([...(await datasets.load('mine')).test.labels]).toEqual([0, 1]);
    expect((await photos.get('mine')).heldOut).toBe(false);
  });

  it('keeps every file: used ones with their 28×28 and thumbnail, refused ones with the reason', async () => {
    const { photos } = stores();
    const refused: PhotoItem = { path: 'hat/empty.jpg', hash: hash('e'), split: 'train', label: 'hat', reason: 'No garment was found in it' };
    await photos.add(own([item('hat/a.jpg', 10), item('skirt/b.jpg', 20), refused]));
    const view = await photos.get('mine');
    expect(view.records.map((r) => [r.path, r.reason, r.image])).toEqual([
      ['hat/a.jpg', null, 0],
      ['skirt/b.jpg', null, 1],
      ['hat/empty.jpg', 'No garment was found in it', null],
    ]);
    expect(view.skipped).toEqual([]);
    const [t0, n0] = view.records[1]!.thumb!;
    expect([...view.thumbs.subarray(t0, t0 + n0)]).toEqual([0xff, 0xd8, 20]);
    expect(view.images[784]).toBe(20);
  });
});

describe('adding photos later', () => {
  it('knows the files it has, keeps them as they are and appends the new ones and new classes', async () => {
    const { datasets, photos } = stores();
    expect(await photos.known('mine')).toEqual([]);
    await photos.add(own([item('hat/a.jpg', 10), item('skirt/b.jpg', 20)]));
    expect(await photos.known('mine')).toEqual([hash('hat/a.jpg'), hash('skirt/b.jpg')]);
    // The same file again (another 28×28 this time) is not taken; a new file and a new class are.
    await photos.add(own([item('hat/a.jpg', 99), item('shorts/c.jpg', 30)], { classNames: ['hat', 'skirt', 'shorts'] }));
    const p = await datasets.load('mine');
    expect(p.classNames).toEqual(['hat', 'skirt', 'shorts']);
    expect([...p.train.labels]).toEqual([0, 1, 2]);
    expect([p.train.images[0], p.train.images[2 * 784]]).toEqual([10, 30]);
  });

  it('keeps the files left out with their reasons, the latest reason per path', async () => {
    const { photos } = stores();
    await photos.add(own([item('hat/a.jpg', 10), item('skirt/b.jpg', 20)], { skipped: [{ path: 'notes.txt', reason: 'not a photo' }, { path: 'hat/x.jpg', reason: 'the same picture as hat/a.jpg' }] }));
    await photos.add(own([], { skipped: [{ path: 'notes.txt', reason: 'still not a photo' }] }));
    expect((await photos.get('mine')).skipped).toEqual([
      { path: 'hat/x.jpg', reason: 'the same picture as hat/a.jpg' },
      { path: 'notes.txt', reason: 'still not a photo' },
    ]);
  });

  it('with replace, a file it has takes its new label and picture (a correction changed its mind)', async () => {
    const { datasets, photos } = stores();
    await photos.add(own([item('hat/a.jpg', 10), item('skirt/b.jpg', 20)]));
    await photos.add(own([item('hat/a.jpg', 77, { label: 'skirt' })], { replace: true }));
    const p = await datasets.load('mine');
    expect([...p.train.labels]).toEqual([1, 1]);
    expect(p.train.images[0]).toBe(77);
  });

  it('refuses to rename or reorder classes, and to switch between own and mapped classes', async () => {
    const { photos } = stores();
    await photos.add(own([item('hat/a.jpg', 10), item('skirt/b.jpg', 20)]));
    await expect(photos.add(own([item('hat/z.jpg', 1)], { classNames: ['skirt', 'hat'] }))).rejects.toMatchObject({ code: 'conflict' });
    const mapped = { classNames: ['hat', 'skirt'], labelNames: ['caps'], allowed: [[0]] };
    await expect(photos.add(own([item('caps/z.jpg', 1)], mapped))).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/classes of its own/) });
  });
});

describe('folders mapped onto a model’s classes', () => {
  it('labels the photos by folder and keeps the allowed classes of each, which loads serve', async () => {
    const { datasets, photos } = stores();
    const req: PhotoAdd = {
      id: 'mapped',
      classNames: ['T-shirt', 'Sandal', 'Sneaker'],
      labelNames: ['tees', 'shoes'],
      allowed: [[0], [1, 2]],
      items: [item('tees/a.jpg', 1), item('shoes/b.jpg', 2), item('shoes/c.jpg', 3, { split: 'validation' })],
    };
    await photos.add(req);
    const view = await photos.get('mapped');
    expect(view).toMatchObject({ classNames: ['T-shirt', 'Sandal', 'Sneaker'], labelNames: ['tees', 'shoes'], allowed: [[0], [1, 2]] });
    const p = await datasets.load('mapped');
    expect([...p.train.labels]).toEqual([0, 1]);
    expect(p).toMatchObject({ labelNames: ['tees', 'shoes'], allowed: [[0], [1, 2]] });
  });

  it('refuses a folder mapped to a class the model does not have, or a label that is not a folder', async () => {
    const { photos } = stores();
    const base = { id: 'mapped', classNames: ['a', 'b'], labelNames: ['f'] };
    await expect(photos.add({ ...base, allowed: [[2]], items: [item('f/a.jpg', 1)] })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(photos.add({ ...base, allowed: [[1]], items: [item('g/a.jpg', 1)] })).rejects.toMatchObject({ message: expect.stringMatching(/"g" is not one of the labels/) });
  });
});

describe('refusals', () => {
  it('a set with no usable training photo is not created', async () => {
    const { datasets, photos } = stores();
    await expect(photos.add(own([item('hat/a.jpg', 1, { split: 'validation' })]))).rejects.toMatchObject({ code: 'invalid-argument' });
    expect((await datasets.list()).map((s) => s.id)).not.toContain('mine');
  });

  it('IDX files cannot be imported into a photo dataset, nor photos added to an IDX one', async () => {
    const { datasets, photos } = stores();
    await photos.add(own([item('hat/a.jpg', 1), item('skirt/b.jpg', 2)]));
    const files = [
      { name: 'train-images-idx3-ubyte', bytes: idxImages(2, 28, 28) },
      { name: 'train-labels-idx1-ubyte', bytes: idxLabels([0, 1]) },
    ];
    await expect(datasets.import({ id: 'mine', files })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/made of photos/) });
    await datasets.import({ id: 'digits', files });
    await expect(photos.add(own([item('hat/c.jpg', 1)], { id: 'digits' }))).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/IDX files, not photos/) });
  });
});

describe('removing photos', () => {
  it('rebuilds the parts without them; removing the last training photo removes the dataset', async () => {
    const { datasets, photos } = stores();
    await photos.add(own([item('hat/a.jpg', 10), item('skirt/b.jpg', 20), item('hat/c.jpg', 30)]));
    expect(await photos.remove('mine', [hash('skirt/b.jpg')])).toMatchObject({ trainCount: 2 });
    expect([...(await datasets.load('mine')).train.labels]).toEqual([0, 0]);
    expect(await photos.remove('mine', [hash('hat/a.jpg'), hash('hat/c.jpg')])).toBeNull();
    expect((await datasets.list()).map((s) => s.id)).not.toContain('mine');
    expect((await readdir(root)).filter((n) => !n.startsWith('.'))).toEqual([]);
  });
});

describe('every version is committed whole', () => {
  it('a full disk at any write of an add leaves the previous version, records and pixels together', async () => {
    const { datasets, photos } = stores();
    await photos.add(own([item('hat/a.jpg', 10), item('skirt/b.jpg', 20)]));
    const realOpen = fs.open.bind(fs);
    const realLink = fs.link.bind(fs);
    let writes = 0;
    let failAt = 0;
    const full = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    vi.spyOn(fs, 'open').mockImplementation(async (path, flags, mode) => {
      if (String(flags).includes('w') && ++writes === failAt) throw full();
      return realOpen(path, flags, mode);
    });
    vi.spyOn(fs, 'link').mockImplementation(async (from, to) => {
      if (++writes === failAt) throw full();
      return realLink(from, to);
    });
    for (failAt = 1; ; failAt++) {
      writes = 0;
      const result = await photos.add(own([item('hat/c.jpg', 30)])).then(() => 'ok', (e: unknown) => e);
      if (result === 'ok') break;
      expect(result).toMatchObject({ code: 'io', message: expect.stringMatching(/the disk is full$/) });
      const p = await datasets.load('mine');
      expect([p.train.count, (await photos.get('mine')).records.length]).toEqual([2, 2]);
    }
    expect(failAt).toBeGreaterThan(6); // four parts, records, thumbnails and the manifest each failed once
    expect((await photos.get('mine')).records.map((r) => r.path)).toEqual(['hat/a.jpg', 'skirt/b.jpg', 'hat/c.jpg']);
  });
});

describe('at the IPC boundary', () => {
  let services: Services;
  beforeEach(() => {
    services = createServices({ dataDir: tmp, resourcesDir: tmp, emit: () => undefined, pickFolder: async () => null, info: { name: 'T', version: '0', shell: 'web', versions: {} }, systemDatasetDirs: [] });
  });
  const add = (over: Partial<PhotoAdd>, itemOver: Partial<PhotoItem> = {}) =>
    dispatch(services, 'photos:add', [{ ...own([item('hat/a.jpg', 1), item('skirt/b.jpg', 2)]), ...over, items: [{ ...item('hat/a.jpg', 1), ...itemOver }, item('skirt/b.jpg', 2)] }]);

  it('takes a well-formed request', async () => {
    expect(await add({})).toMatchObject({ ok: true });
  });

  it.each([
    ['a picture of the wrong size', {}, { image: new Uint8Array(100) }],
    ['a thumbnail over 8 KiB', {}, { thumb: new Uint8Array(9000) }],
    ['a path leaving the folder', {}, { path: '../../etc/passwd' }],
    ['an absolute path', {}, { path: '/home/me/a.jpg' }],
    ['a hash that is not SHA-256', {}, { hash: 'abc' }],
    ['both a picture and a reason', {}, { reason: 'unreadable' }],
    ['an unknown field', {}, { extra: 1 } as Partial<PhotoItem>],
    ['labelNames without allowed', { labelNames: ['hat'] }, {}],
    ['a bad id', { id: '../x' }, {}],
  ])('refuses %s', async (_what, over, itemOver) => {
    expect(await add(over as Partial<PhotoAdd>, itemOver)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('refuses more than 10,000 items in one call', async () => {
    const items = Array.from({ length: 10_001 }, (_, i) => ({ path: `hat/${i}.jpg`, hash: hash(String(i)), split: 'train', label: 'hat', reason: 'x' }));
    expect(await dispatch(services, 'photos:add', [{ id: 'mine', classNames: ['hat', 'skirt'], items }])).toMatchObject({ ok: false });
  });
});
