import type { LayerSpec, Hyperparameters } from './train';

export interface EpochMetrics {
  epoch: number;
  loss: number;
  acc: number;
  valLoss: number | null;
  valAcc: number | null;
  lr: number;
  ms: number;
}

export interface TestMetrics {
  loss: number;
  acc: number;
  /** confusion[true][predicted] counts. */
  confusion?: number[][];
  /** Test images scored (absent: the whole test set). */
  count?: number;
}

export type RunState = 'completed' | 'stopped' | 'early-stopped' | 'failed';

export interface RunRecord {
  id: string;
  name: string;
  preset: string;
  layers: LayerSpec[];
  hyper: Hyperparameters;
  backend: string;
  startedAt: string;
  endedAt: string;
  state: RunState;
  history: EpochMetrics[];
  bestEpoch: number | null;
  testMetrics: TestMetrics | null;
  imagesPerSecond: number;
  modelId: string | null;
  error?: string;
}

export type RunSummary = Omit<RunRecord, 'layers' | 'history'> & { epochs: number; bestValAcc: number | null };
