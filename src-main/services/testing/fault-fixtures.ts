// Two versions of one small imported dataset, the same shape and counts so that a mix of the two
// would load without complaint: the crash tests must tell each part's version from its bytes.
import { idxImages, idxLabels } from '../idx-fixtures';
import type { PartName } from '../../../src-shared/types/dataset';

export function datasetVersion(v: 1 | 2) {
  const labels = (n: number) => Array.from({ length: n }, (_, i) => (i * (v === 1 ? 1 : 3) + v) % 4);
  const raw: Record<PartName, Uint8Array> = {
    trainImages: idxImages(24, 6, 5, (i, p) => (i * 13 + p * v * 7 + v) & 0xff),
    trainLabels: idxLabels(labels(24)),
    testImages: idxImages(8, 6, 5, (i, p) => (i * 5 + p * v + 40 * v) & 0xff),
    testLabels: idxLabels(labels(8).reverse()),
  };
  const files = [
    { name: 'train-images-idx3-ubyte', bytes: raw.trainImages },
    { name: 'train-labels-idx1-ubyte', bytes: raw.trainLabels },
    { name: 't10k-images-idx3-ubyte', bytes: raw.testImages },
    { name: 't10k-labels-idx1-ubyte', bytes: raw.testLabels },
  ];
  return { raw, files };
}
