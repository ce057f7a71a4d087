// Builders for small IDX files, shared by the dataset tests (never imported by the app).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mulberry32 } from '../../src-shared/random';
import { encodeIdxImages, encodeIdxLabels } from './idx';

/** An IDX images file; pixel (i, p) is `pixel(i, p)`, by default a pattern that differs per image. */
export function idxImages(count: number, rows: number, cols: number, pixel = (i: number, p: number) => (i * 31 + p) & 0xff): Uint8Array {
  const images = Array.from({ length: count }, (_, i) => Uint8Array.from({ length: rows * cols }, (_, p) => pixel(i, p)));
  return encodeIdxImages(images, rows, cols);
}

export const idxLabels = (labels: readonly number[]): Uint8Array => encodeIdxLabels(labels);

export const gz = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));

/** Labels 0…classes−1 repeated, `count` of them. */
export const cyclicLabels = (count: number, classes = 10): number[] => Array.from({ length: count }, (_, i) => i % classes);

/** A small deterministic PRNG (the app's mulberry32) so fuzz failures can be replayed. */
export const prng = mulberry32;

/** A tiny four-file dataset and a catalog entry whose checksums are those of its gzip files. */
export function tinyDataset(id = 'tiny', classNames: readonly string[] = Array.from({ length: 10 }, (_, i) => `c${i}`)) {
  const raw = {
    trainImages: idxImages(30, 4, 3),
    trainLabels: idxLabels(cyclicLabels(30, classNames.length)),
    testImages: idxImages(12, 4, 3, (i, p) => (i * 7 + p * 3 + 1) & 0xff),
    testLabels: idxLabels(cyclicLabels(12, classNames.length).reverse()),
  };
  const zipped = {
    trainImages: gz(raw.trainImages),
    trainLabels: gz(raw.trainLabels),
    testImages: gz(raw.testImages),
    testLabels: gz(raw.testLabels),
  };
  const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
  const part = (p: keyof typeof raw, file: string, count: number) => ({ file, md5: md5(zipped[p]), rawMd5: md5(raw[p]), count });
  const entry = {
    id,
    name: 'Tiny',
    classNames,
    rows: 4,
    cols: 3,
    parts: {
      trainImages: part('trainImages', 'train-images-idx3-ubyte.gz', 30),
      trainLabels: part('trainLabels', 'train-labels-idx1-ubyte.gz', 30),
      testImages: part('testImages', 't10k-images-idx3-ubyte.gz', 12),
      testLabels: part('testLabels', 't10k-labels-idx1-ubyte.gz', 12),
    },
  };
  return { raw, zipped, entry };
}
