import type { LayerSpec, Hyperparameters } from './train';
import type { EpochMetrics, TestMetrics } from './run';

/** What the app records beside every model (meta.json in the model's folder). */
export interface ModelMeta {
  id: string;
  name: string;
  preset: string;
  layers: LayerSpec[];
  hyper: Hyperparameters;
  history: EpochMetrics[];
  testMetrics: TestMetrics | null;
  backend: string;
  trainingMs: number;
  createdAt: string;
  datasetId: string;
  datasetChecksums: Record<string, string>;
  params: number;
  /** Set for the model shipped in resources/: it cannot be renamed or deleted. */
  builtIn?: boolean;
}

export type ModelSummary = ModelMeta & {
  weightsBytes: number;
  /** Set when the model's files are damaged: it is listed (so it can be deleted) but cannot be loaded. */
  problem?: string;
};

/** tf.io.ModelArtifacts reduced to what crosses IPC: the model.json object and the weights. */
export interface ModelArtifacts {
  meta: ModelMeta;
  /** The content of model.json (modelTopology, weightsManifest, format, ...). */
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}

export interface ModelSave {
  meta: Omit<ModelMeta, 'id' | 'createdAt'> & { id?: string };
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}
