// Datasets the app knows by id. Adding another IDX set (MNIST digits, KMNIST) is one more entry;
// anything else arrives through an import and gets a manifest of its own.
import { FASHION_MNIST_CLASSES, type PartName } from '../../src-shared/types/dataset';
import type { IdxKind } from './idx';

export interface CatalogPart {
  /** File name as published (and as looked for in system folders). */
  file: string;
  /** MD5 of the published (gzip) file. */
  md5: string;
  /** MD5 of the decompressed IDX file: distributions that recompress (Debian does) still match it. */
  rawMd5: string;
  count: number;
}

export interface CatalogEntry {
  id: string;
  name: string;
  classNames: readonly string[];
  rows: number;
  cols: number;
  /** Where `file` names are fetched from; absent when the set can only be imported. */
  baseUrl?: string;
  parts: Record<PartName, CatalogPart>;
}

export const PART_INFO: Record<PartName, { kind: IdxKind; split: 'train' | 'test'; label: string; cacheFile: string }> = {
  trainImages: { kind: 'images', split: 'train', label: 'training images', cacheFile: 'train-images-idx3-ubyte' },
  trainLabels: { kind: 'labels', split: 'train', label: 'training labels', cacheFile: 'train-labels-idx1-ubyte' },
  testImages: { kind: 'images', split: 'test', label: 'test images', cacheFile: 't10k-images-idx3-ubyte' },
  testLabels: { kind: 'labels', split: 'test', label: 'test labels', cacheFile: 't10k-labels-idx1-ubyte' },
};

/** Checksums from the dataset's upstream README (gzip) and its published raw-file list. */
export const FASHION_MNIST: CatalogEntry = {
  id: 'fashion-mnist',
  name: 'Fashion-MNIST',
  classNames: FASHION_MNIST_CLASSES,
  rows: 28,
  cols: 28,
  baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  parts: {
    trainImages: {
      file: 'train-images-idx3-ubyte.gz',
      md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
      rawMd5: 'f4a8712d7a061bf5bd6d2ca38dc4d50a',
      count: 60_000,
    },
    trainLabels: {
      file: 'train-labels-idx1-ubyte.gz',
      md5: '25c81989df183df01b3e8a0aad5dffbe',
      rawMd5: '9018921c3c673c538a1fc5bad174d6f9',
      count: 60_000,
    },
    testImages: {
      file: 't10k-images-idx3-ubyte.gz',
      md5: 'bef4ecab320f06d8554ea6380940ec79',
      rawMd5: '8181f5470baa50b63fa0f6fddb340f0a',
      count: 10_000,
    },
    testLabels: {
      file: 't10k-labels-idx1-ubyte.gz',
      md5: 'bb300cfdad3c16e7a12a480ee83cd310',
      rawMd5: '15d484375f8d13e6eb1aabb0c3f46965',
      count: 10_000,
    },
  },
};

export const DEFAULT_CATALOG: readonly CatalogEntry[] = [FASHION_MNIST];

/** Class names for a set imported without any: '0', '1', … up to the largest label seen. */
export function defaultClassNames(maxLabel: number): string[] {
  return Array.from({ length: Math.max(2, maxLabel + 1) }, (_, i) => String(i));
}
