// Types of saved models, derived from their schemas (schemas/model.ts).
import type { z } from 'zod';
import type {
  datasetRefSchema,
  measuredOnSchema,
  modelMetaPatchSchema,
  modelMetaSchema,
  modelSaveSchema,
} from '../schemas/model';

/** What the app records beside every model (meta.json in the model's folder). */
export type ModelMeta = z.infer<typeof modelMetaSchema>;
export type DatasetRef = z.infer<typeof datasetRefSchema>;
export type MeasuredOn = z.infer<typeof measuredOnSchema>;
export type ModelSave = z.infer<typeof modelSaveSchema>;
export type ModelMetaPatch = z.infer<typeof modelMetaPatchSchema>;

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
