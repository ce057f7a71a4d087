import type { z } from 'zod';
import type { datasetImportSchema, datasetTargetsSchema } from '../schemas/dataset';

/** Dataset ids are short slugs (validated in main): 'fashion-mnist', or one made at import. */
export type DatasetId = string;

export type SplitName = 'train' | 'test';
export type PartName = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
export const PART_NAMES: readonly PartName[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** Where a file was found. */
export type FileSource = 'cache' | 'system' | 'download' | 'import' | 'missing';

export interface FileStatus {
  part: PartName;
  source: FileSource;
  /** Absolute path of the file, for display only (the renderer never sends paths back). */
  path: string | null;
  bytes: number;
  verified: boolean;
  /** MD5 of the file as first obtained (gz as downloaded), for provenance. */
  md5: string | null;
  count: number;
  problem: string | null;
}

export interface DatasetStatus {
  id: DatasetId;
  name: string;
  classNames: string[];
  ready: boolean;
  files: FileStatus[];
  /** Counts once verified. */
  trainCount: number;
  testCount: number;
  rows: number;
  cols: number;
  downloading: boolean;
  /** Whether this dataset has a known download location. */
  downloadable: boolean;
  /** Set for a dataset made from photos (photos:* channels); heldOut false: its test part is its training photos. */
  photos?: { heldOut: boolean };
}

export interface SplitPayload {
  /** n·rows·cols bytes, row-major, 0 = black background. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface DatasetPayload {
  id: DatasetId;
  name: string;
  /** The model's outputs, in order. */
  classNames: string[];
  /**
   * Optional (both or neither, see src-shared/targets.ts): labels then index `labelNames` (e.g. a
   * photo set's folders) rather than `classNames`, and `allowed[label]` lists the class indices
   * that count as right for it (shoes → Sandal, Sneaker, Ankle boot). Absent: label = class index.
   */
  labelNames?: string[];
  allowed?: number[][];
  rows: number;
  cols: number;
  train: SplitPayload;
  test: SplitPayload;
  /** md5 of the four files in PART_NAMES order, recorded with models trained on it. */
  checksums: Record<PartName, string>;
}

/** Labels that are not class indices: what `DatasetPayload.labelNames`/`allowed` carry (schemas/dataset.ts). */
export type DatasetTargets = z.infer<ReturnType<typeof datasetTargetsSchema>>;

/** datasets:import's request (schemas/dataset.ts). */
export type DatasetImport = z.infer<typeof datasetImportSchema>;

export interface DownloadProgress {
  id: DatasetId;
  part: PartName;
  received: number;
  total: number;
  /** Over all four files. */
  fraction: number;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  message?: string;
}

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;
