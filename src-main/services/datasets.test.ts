import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emit } from '../api';
import { PART_NAMES, type DatasetPayload, type PartName } from '../../src-shared/types/dataset';
import { DatasetStore } from './datasets';
import { cyclicLabels, gz, idxImages, idxLabels, tinyDataset } from './idx-fixtures';

const tiny = tinyDataset();
const noEmit: Emit = () => undefined;
const SYSTEM_NAMES: Record<PartName, string> = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};

let tmp: string;
let root: string;
let system: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tailor-datasets-'));
  root = join(tmp, 'datasets');
  system = join(tmp, 'system');
  await mkdir(system);
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const store = () => new DatasetStore({ root, systemDirs: [system], emit: noEmit, catalog: [tiny.entry] });

async function installSystemCopy(parts: Partial<Record<PartName, Uint8Array>> = tiny.zipped): Promise<void> {
  for (const [part, bytes] of Object.entries(parts)) await writeFile(join(system, SYSTEM_NAMES[part as PartName]), bytes);
}

function expectTinyPayload(p: DatasetPayload): void {
  expect(p).toMatchObject({ id: 'tiny', name: 'Tiny', rows: 4, cols: 3 });
  expect(p.train.count).toBe(30);
  expect(p.test.count).toBe(12);
  expect(Buffer.compare(p.train.images, tiny.raw.trainImages.subarray(16))).toBe(0);
  expect(Buffer.compare(p.test.images, tiny.raw.testImages.subarray(16))).toBe(0);
  expect([...p.train.labels]).toEqual(cyclicLabels(30));
  expect([...p.test.labels]).toEqual(cyclicLabels(12).reverse());
  for (const a of [p.train.images, p.train.labels, p.test.images, p.test.labels]) {
    expect(Object.getPrototypeOf(a)).toBe(Uint8Array.prototype);
  }
}

async function listCache(id: string): Promise<string[]> {
  return (await readdir(join(root, id)).catch(() => [] as string[])).sort();
}

describe('system copy → cache', () => {
  it('finds the system copy, verifies and caches it, then loads from the cache alone', async () => {
    await installSystemCopy();
    const s = store();
    const before = await s.status('tiny');
    expect(before.ready).toBe(true);
    expect(before.files.map((f) => [f.source, f.verified])).toEqual(PART_NAMES.map(() => ['system', false]));
    expect(before.files[0]?.path).toBe(join(system, SYSTEM_NAMES.trainImages));

    const first = await s.load('tiny');
    expectTinyPayload(first);
    expect(first.checksums).toEqual({
      trainImages: tiny.entry.parts.trainImages.rawMd5,
      trainLabels: tiny.entry.parts.trainLabels.rawMd5,
      testImages: tiny.entry.parts.testImages.rawMd5,
      testLabels: tiny.entry.parts.testLabels.rawMd5,
    });

    expect(await listCache('tiny')).toEqual([
      'manifest.json',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
    ]);
    // The cache holds the decompressed file, and the manifest the original's MD5 and counts.
    expect(Buffer.compare(await readFile(join(root, 'tiny', 'train-images-idx3-ubyte')), tiny.raw.trainImages)).toBe(0);
    const manifest = JSON.parse(await readFile(join(root, 'tiny', 'manifest.json'), 'utf8'));
    expect(manifest.parts.trainImages).toMatchObject({
      bytes: tiny.raw.trainImages.length,
      count: 30,
      md5: tiny.entry.parts.trainImages.md5,
      rawMd5: tiny.entry.parts.trainImages.rawMd5,
      source: 'system',
    });

    await rm(system, { recursive: true }); // a fresh store must not need the system copy any more
    const again = store();
    const after = await again.status('tiny');
    expect(after).toMatchObject({ ready: true, trainCount: 30, testCount: 12, rows: 4, cols: 3 });
    expect(after.files.map((f) => [f.source, f.verified, f.count])).toEqual([
      ['cache', true, 30],
      ['cache', true, 30],
      ['cache', true, 12],
      ['cache', true, 12],
    ]);
    const cached = await again.load('tiny');
    expectTinyPayload(cached);
    expect(cached.checksums).toEqual(first.checksums);
    // Cache reads skip the header into a buffer of their own: transferable as is.
    expect(cached.train.images.byteOffset).toBe(0);
    expect(cached.train.images.buffer.byteLength).toBe(30 * 12);
  });

  it('accepts a recompressed or raw system copy by the decompressed checksum', async () => {
    await installSystemCopy({
      trainImages: new Uint8Array(gzipSync(tiny.raw.trainImages, { level: 1 })),
      trainLabels: tiny.zipped.trainLabels,
      testImages: tiny.zipped.testImages,
    });
    await writeFile(join(system, 't10k-labels-idx1-ubyte'), tiny.raw.testLabels); // raw, no .gz
    expectTinyPayload(await store().load('tiny'));
  });

  it('rejects a system copy that is not the published file, and says so in status', async () => {
    const other = gz(idxImages(30, 4, 3, () => 7)); // same shape, other pixels
    await installSystemCopy({ ...tiny.zipped, trainImages: other });
    const s = store();
    await expect(s.load('tiny')).rejects.toMatchObject({
      code: 'corrupt',
      message: `${join(system, SYSTEM_NAMES.trainImages)} is not the published Tiny training images: its checksum differs (the file is damaged or belongs to another dataset)`,
    });
    const status = await s.status('tiny');
    expect(status.ready).toBe(false);
    expect(status.files[0]?.problem).toMatch(/is not the published Tiny training images/);
    expect(await listCache('tiny')).not.toContain('train-images-idx3-ubyte');
    await expect(s.load('tiny')).rejects.toThrow(status.files[0]!.problem!); // remembered, same answer

    await installSystemCopy({ trainImages: tiny.zipped.trainImages }); // fixed: a changed file is checked afresh
    expect((await s.status('tiny')).files[0]).toMatchObject({ source: 'system', problem: null });
    expectTinyPayload(await s.load('tiny'));
  });

  it('a truncated cache file is reported, then rebuilt from the system copy, never served', async () => {
    await installSystemCopy();
    await store().load('tiny');
    const cacheFile = join(root, 'tiny', 'train-images-idx3-ubyte');
    await truncate(cacheFile, 100);

    const s = store();
    const status = await s.status('tiny');
    expect(status.files[0]).toMatchObject({ source: 'system', verified: false });
    expect(status.files[0]?.problem).toBe(
      `The cached train-images-idx3-ubyte is damaged (100 of 376 bytes); it will be rebuilt from ${join(system, SYSTEM_NAMES.trainImages)}`,
    );
    expectTinyPayload(await s.load('tiny'));
    expect((await stat(cacheFile)).size).toBe(tiny.raw.trainImages.length);
    expect((await s.status('tiny')).files[0]).toMatchObject({ source: 'cache', problem: null });
  });

  it('a damaged cache file without a source is removed and the load fails', async () => {
    await installSystemCopy();
    await store().load('tiny');
    await rm(system, { recursive: true });
    await truncate(join(root, 'tiny', 't10k-labels-idx1-ubyte'), 9);

    const s = store();
    await expect(s.load('tiny')).rejects.toMatchObject({
      code: 'corrupt',
      message: 'The cached t10k-labels-idx1-ubyte is damaged (9 of 20 bytes) and was removed: import the file again',
    });
    expect(await listCache('tiny')).not.toContain('t10k-labels-idx1-ubyte');
    const status = await s.status('tiny');
    expect(status.ready).toBe(false);
    expect(status.files[3]).toMatchObject({ source: 'missing', problem: null });
    await expect(s.load('tiny')).rejects.toMatchObject({ code: 'not-found', message: 'Tiny is missing its test labels: import the file' });
  });

  it('a cache file changed in its data (same size, good header) is caught by its checksum, even after a verified load', async () => {
    await installSystemCopy();
    const s = store();
    await s.load('tiny'); // the first load of this process verifies each file's checksum once
    await rm(system, { recursive: true });
    const file = join(root, 'tiny', 'train-images-idx3-ubyte');
    const bytes = await readFile(file);
    bytes[bytes.length - 1]! ^= 0x01; // one pixel of the last image
    await writeFile(file, bytes);
    await expect(s.load('tiny')).rejects.toMatchObject({
      code: 'corrupt',
      message:
        'The cached train-images-idx3-ubyte is damaged (its checksum differs from the one its manifest records) and was ' +
        'removed: import the file again',
    });
    expect(await listCache('tiny')).not.toContain('train-images-idx3-ubyte');
    const manifest = JSON.parse(await readFile(join(root, 'tiny', 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.parts).sort()).toEqual(['testImages', 'testLabels', 'trainLabels']);
  });

  it('a cache file with the right size but a broken header is rebuilt', async () => {
    await installSystemCopy();
    await store().load('tiny');
    const file = join(root, 'tiny', 'train-labels-idx1-ubyte');
    const bytes = await readFile(file);
    bytes[3] = 0x03; // labels magic turned into images magic
    await writeFile(file, bytes);
    expectTinyPayload(await store().load('tiny'));
    expect((await readFile(file))[3]).toBe(0x01);
  });
});

describe('missing and unknown datasets', () => {
  it('lists the catalog dataset even when nothing is there, and explains what is missing', async () => {
    const s = store();
    const [only, ...rest] = await s.list();
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ id: 'tiny', ready: false, trainCount: 0, downloadable: false, downloading: false });
    expect(only?.files.every((f) => f.source === 'missing' && f.path === null)).toBe(true);
    await expect(s.load('tiny')).rejects.toMatchObject({
      code: 'not-found',
      message: 'Tiny is missing its training images: import the file',
    });
    await expect(s.status('nothing-here')).rejects.toMatchObject({ code: 'not-found', message: 'There is no dataset "nothing-here"' });
    await expect(s.status('../escape')).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});

describe('imports', () => {
  const digits = {
    train: idxImages(20, 5, 5),
    trainLabels: idxLabels(cyclicLabels(20, 7)), // labels 0–6
    test: idxImages(8, 5, 5),
    testLabels: idxLabels(cyclicLabels(8, 7)),
  };
  const digitFiles = [
    { name: 'digits-train-images.gz', bytes: gz(digits.train) },
    { name: 'digits-train-labels', bytes: digits.trainLabels },
    { name: 'digits-test-images', bytes: digits.test },
    { name: 'digits-t10k-labels.gz', bytes: gz(digits.testLabels) },
  ];

  it('creates a new dataset from gzip and raw files, naming classes from the label range', async () => {
    const s = store();
    const status = await s.import({ id: 'digits', name: 'My digits', files: digitFiles });
    expect(status).toMatchObject({
      id: 'digits',
      name: 'My digits',
      ready: true,
      classNames: ['0', '1', '2', '3', '4', '5', '6'],
      trainCount: 20,
      testCount: 8,
      rows: 5,
      cols: 5,
      downloadable: false,
    });
    expect(status.files.map((f) => f.source)).toEqual(['cache', 'cache', 'cache', 'cache']);
    const p = await s.load('digits');
    expect(p.train.count).toBe(20);
    expect(Buffer.compare(p.train.images, digits.train.subarray(16))).toBe(0);
    expect([...p.test.labels]).toEqual(cyclicLabels(8, 7));
    expect((await s.list()).map((d) => d.id).sort()).toEqual(['digits', 'tiny']);
  });

  it('uses given class names and checks labels against them', async () => {
    const s = store();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect((await s.import({ id: 'named', classNames: names, files: digitFiles })).classNames).toEqual(names);
    await expect(
      s.import({ id: 'few', classNames: ['a', 'b', 'c'], files: digitFiles.slice(1, 2) }),
    ).rejects.toMatchObject({
      code: 'corrupt',
      message: 'digits-train-labels: label 3 at index 3 is out of range; labels must be 0–2 for 3 classes',
    });
  });

  it('adds files in steps and widens placeholder class names as larger labels arrive', async () => {
    const s = store();
    const step1 = await s.import({ id: 'steps', files: [{ name: 'test-labels', bytes: idxLabels([0, 1, 2]) }] });
    expect(step1).toMatchObject({ ready: false, classNames: ['0', '1', '2'] });
    const step2 = await s.import({ id: 'steps', files: [{ name: 'train-labels', bytes: idxLabels([4, 0]) }] });
    expect(step2.classNames).toEqual(['0', '1', '2', '3', '4']);
    await expect(
      s.import({ id: 'steps', files: [{ name: 'train-images', bytes: idxImages(3, 2, 2) }] }),
    ).rejects.toThrow('train-images has 3 images but the cached train-labels-idx1-ubyte has 2 labels: the counts must match');
    await s.import({ id: 'steps', files: [{ name: 'train-images', bytes: idxImages(2, 2, 2) }] });
    const done = await s.import({
      id: 'steps',
      classNames: ['zero', 'one', 'two', 'three', 'four'],
      files: [{ name: 'test-images', bytes: idxImages(3, 2, 2) }],
    });
    expect(done).toMatchObject({ ready: true, classNames: ['zero', 'one', 'two', 'three', 'four'] });
  });

  it('supplies missing files of a catalog dataset when they are the published ones', async () => {
    await installSystemCopy({ trainImages: tiny.zipped.trainImages, trainLabels: tiny.zipped.trainLabels });
    const s = store();
    expect((await s.status('tiny')).ready).toBe(false);
    const status = await s.import({
      id: 'tiny',
      files: [
        { name: 't10k-images-idx3-ubyte.gz', bytes: tiny.zipped.testImages },
        { name: 't10k-labels-idx1-ubyte', bytes: tiny.raw.testLabels },
      ],
    });
    expect(status.ready).toBe(true);
    expect(status.files.map((f) => f.source)).toEqual(['system', 'system', 'cache', 'cache']);
    expectTinyPayload(await s.load('tiny'));
    await expect(
      s.import({ id: 'tiny', files: [{ name: 'train-images.gz', bytes: gz(idxImages(30, 4, 3, () => 1)) }] }),
    ).rejects.toThrow('train-images.gz is not the published Tiny training images: its checksum differs');
    await expect(
      s.import({ id: 'tiny', classNames: ['x', 'y'], files: [{ name: 't10k-labels', bytes: tiny.raw.testLabels }] }),
    ).rejects.toThrow('Tiny has fixed class names: import under a new id to use others');
  });

  it('rejects bad imports with a message and caches nothing', async () => {
    const s = store();
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82]);
    const cases: [files: { name: string; bytes: Uint8Array }[], message: string][] = [
      [[{ name: 'train-images.gz', bytes: png }], 'train-images.gz is a PNG image, not an IDX file'],
      [
        [{ name: 'train-images', bytes: digits.train.subarray(0, 100) }],
        'train-images is truncated: its header declares 20 images of 5×5 (516 bytes), but the file has 100 bytes, 416 bytes short',
      ],
      [
        [digitFiles[0]!, { name: 'train-labels', bytes: idxLabels([1, 2, 3]) }],
        'digits-train-images.gz has 20 images but train-labels has 3 labels: the counts must match',
      ],
      [
        [{ name: 'images.idx', bytes: digits.train }],
        'Cannot tell whether images.idx is the training or the test split: its name should contain "train", or "t10k" or "test"',
      ],
      [
        [digitFiles[0]!, { name: 'train-images-copy', bytes: digits.train }],
        'digits-train-images.gz and train-images-copy are both the training images',
      ],
      [
        [digitFiles[0]!, { name: 'test-images', bytes: idxImages(8, 6, 5) }],
        'test-images has 6×5 images, but digits-train-images.gz are 5×5',
      ],
      [
        [...digitFiles.slice(0, 3), { name: 'test-labels.gz', bytes: gz(digits.testLabels).subarray(0, 15) }],
        'test-labels.gz: the gzip data ends early (the file is truncated or was cut off)',
      ],
      [
        [{ name: 'train-labels', bytes: idxLabels([0, 1, 150]) }],
        'train-labels has label 150: Tailor handles datasets of 2–100 classes',
      ],
    ];
    for (const [files, message] of cases) {
      await expect(s.import({ id: 'bad', files }), message).rejects.toThrow(message);
      expect(await listCache('bad')).toEqual([]);
    }
    expect((await s.list()).map((d) => d.id)).toEqual(['tiny']);
  });

  it('a failed import leaves an existing dataset as it was', async () => {
    const s = store();
    await s.import({ id: 'digits', files: digitFiles });
    const manifest = await readFile(join(root, 'digits', 'manifest.json'), 'utf8');
    await expect(
      s.import({ id: 'digits', files: [{ name: 'train-images', bytes: idxImages(20, 7, 7) }] }),
    ).rejects.toThrow('train-images has 7×7 images, but the cached images of digits are 5×5');
    expect(await readFile(join(root, 'digits', 'manifest.json'), 'utf8')).toBe(manifest);
    expect(Buffer.compare((await s.load('digits')).train.images, digits.train.subarray(16))).toBe(0);
  });
});

describe('concurrency and crash leftovers', () => {
  it('serialises concurrent loads and sweeps temp files left by a crash', async () => {
    await installSystemCopy();
    await mkdir(join(root, 'tiny'), { recursive: true });
    await writeFile(join(root, 'tiny', '.tmp-train-images-idx3-ubyte-abc123'), 'half a file');
    const s = store();
    const [a, b] = await Promise.all([s.load('tiny'), s.load('tiny')]);
    expectTinyPayload(a);
    expectTinyPayload(b);
    const files = await listCache('tiny');
    expect(files.some((f) => f.startsWith('.tmp-'))).toBe(false);
    expect(files).toHaveLength(5);
  });
});
