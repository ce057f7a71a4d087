// Loads the real Fashion-MNIST that Debian installs (or $FASHION_MNIST_DIR). Skipped on a developer machine without it;
// in CI (which installs it) a missing copy fails instead of hiding behind a skip.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST } from './dataset-catalog';
import { DatasetStore, defaultSystemDirs, fashionMnistFile } from './datasets';

const installed = Object.values(FASHION_MNIST.parts).every((p) => fashionMnistFile(p.file) !== null);

describe.skipIf(!installed && !process.env['CI'])('real Fashion-MNIST from the system copy', () => {
  let root: string;
  const store = () => new DatasetStore({ root, systemDirs: defaultSystemDirs(), emit: () => undefined });
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tailor-real-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('verifies and caches the system copy, then loads 70,000 images from the cache', async () => {
    let t = performance.now();
    const first = await store().load('fashion-mnist');
    const firstMs = performance.now() - t;

    t = performance.now();
    const s = store(); // a new store: nothing in memory, everything from the cache files
    const p = await s.load('fashion-mnist');
    const cachedMs = performance.now() - t;
    t = performance.now();
    await store().load('fashion-mnist'); // checksums already verified in this process
    const againMs = performance.now() - t;
    console.log(
      `fashion-mnist: system copy → cache ${firstMs.toFixed(0)} ms; cold load from cache ${cachedMs.toFixed(0)} ms ` +
        `(checksums verified), again ${againMs.toFixed(0)} ms`,
    );

    expect(p).toMatchObject({ id: 'fashion-mnist', name: 'Fashion-MNIST', rows: 28, cols: 28 });
    expect(p.classNames).toEqual([...FASHION_MNIST.classNames]);
    expect(p.train.count).toBe(60_000);
    expect(p.train.images.length).toBe(60_000 * 28 * 28);
    expect(p.test.count).toBe(10_000);
    expect(p.test.images.length).toBe(10_000 * 28 * 28);
    expect([...p.train.labels.subarray(0, 4)]).toEqual([9, 0, 0, 3]);
    expect([...p.test.labels.subarray(0, 4)]).toEqual([9, 2, 1, 1]);
    const perClass = new Array<number>(10).fill(0);
    for (const l of p.train.labels) perClass[l]!++;
    expect(perClass).toEqual(new Array(10).fill(6_000));
    // The decompressed files are the published ones, whatever compression the system copy used.
    expect(p.checksums).toEqual({
      trainImages: FASHION_MNIST.parts.trainImages.rawMd5,
      trainLabels: FASHION_MNIST.parts.trainLabels.rawMd5,
      testImages: FASHION_MNIST.parts.testImages.rawMd5,
      testLabels: FASHION_MNIST.parts.testLabels.rawMd5,
    });
    expect(first.checksums).toEqual(p.checksums);
    expect(Buffer.compare(first.train.images, p.train.images)).toBe(0);
    const status = await s.status('fashion-mnist');
    expect(status).toMatchObject({ ready: true, trainCount: 60_000, testCount: 10_000, downloadable: true });
    expect(status.files.every((f) => f.source === 'cache' && f.verified)).toBe(true);
  });
});
