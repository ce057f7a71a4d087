// Fashion-MNIST for scripts: the four IDX files of a folder (Debian's system copy by default), and
// the MD5 of each decompressed file, as the app's datasets:load reports them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { md5Hex } from '../../src-main/services/dataset-cache';
import { decompressIdx, readIdxFile } from '../../src-main/services/idx';
import { PART_NAMES, type PartName } from '../../src-shared/types/dataset';

export const DATA_DIR = '/usr/share/datasets/fashion-mnist';
export const FILES: Record<PartName, string> = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};

export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  rows: number;
  cols: number;
}

/** MD5 of the decompressed file: what the app's datasets:load reports, however the file is packed. */
async function rawMd5(path: string): Promise<string> {
  return md5Hex(await decompressIdx(await readFile(path), path));
}

export async function fashionMnistChecksums(dataDir = DATA_DIR): Promise<Record<PartName, string>> {
  return Object.fromEntries(await Promise.all(PART_NAMES.map(async (p) => [p, await rawMd5(join(dataDir, FILES[p]))] as const))) as Record<PartName, string>;
}

export async function loadSplit(split: 'train' | 'test', dataDir = DATA_DIR): Promise<Split> {
  const images: PartName = split === 'train' ? 'trainImages' : 'testImages';
  const labels: PartName = split === 'train' ? 'trainLabels' : 'testLabels';
  const [x, y] = await Promise.all([
    readIdxFile(join(dataDir, FILES[images]), { expect: 'images' }),
    readIdxFile(join(dataDir, FILES[labels]), { expect: 'labels', classCount: 10 }),
  ]);
  if (x.count !== y.count) throw new Error(`${FILES[images]} and ${FILES[labels]} differ in count`);
  return { images: x.data, labels: y.data, rows: x.rows, cols: x.cols };
}
