/**
 * Models to and from the standard tfjs layers format (model.json + one weights.bin), in
 * memory: the Worker hands the bytes to main, which writes the files.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelFiles } from '../../../src-shared/types/model';

export const WEIGHTS_FILE = 'weights.bin';

export async function modelToArtifacts(model: tf.LayersModel): Promise<ModelFiles> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const artifacts = saved as tf.io.ModelArtifacts | null;
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || !artifacts.weightData) {
    throw new Error('The model did not serialise its topology and weights');
  }
  const weights = new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData));
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
  };
  return { modelJson: { ...modelJson }, weights };
}

/** Checks the byte count first: tfjs' decodeWeights does not, and reads garbage instead. */
export async function artifactsToModel(files: ModelFiles): Promise<tf.LayersModel> {
  const manifest = files.modelJson['weightsManifest'] as tf.io.WeightsManifestConfig | undefined;
  const topology = files.modelJson['modelTopology'] as tf.io.ModelJSON['modelTopology'] | undefined;
  if (!topology || !Array.isArray(manifest)) throw new Error('model.json has no modelTopology or weightsManifest');
  const specs = manifest.flatMap((group) => group.weights);
  const expected = specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * bytesPer(s.dtype), 0);
  if (expected !== files.weights.byteLength) {
    throw new Error(`weights.bin has ${files.weights.byteLength} bytes, model.json describes ${expected}`);
  }
  const weightData = files.weights.slice().buffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData }));
}

function bytesPer(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  throw new Error(`Unsupported weight dtype ${dtype}`);
}
