import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from './layers';
import { getPreset } from './presets';
import { artifactsToModel, modelToArtifacts } from './serialize';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function predict(model: tf.LayersModel, x: tf.Tensor): Promise<number[]> {
  const y = model.predict(x) as tf.Tensor;
  const values = Array.from(await y.data());
  y.dispose();
  return values;
}

describe('serialize', () => {
  it('round-trips the layers format with identical predictions, batch-norm statistics included', async () => {
    const model = buildModel(getPreset('best').layers, { seed: 3 });
    // Non-default moving statistics, so a lost weight would change the predictions.
    model.setWeights(model.getWeights().map((w, i) => tf.tidy(() => tf.add(w, tf.mul(tf.onesLike(w), (i % 5) * 0.01)))));
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 7);
    const files = await modelToArtifacts(model);

    expect(files.modelJson['format']).toBe('layers-model');
    const manifest = files.modelJson['weightsManifest'] as tf.io.WeightsManifestConfig;
    expect(manifest[0]!.paths).toEqual(['weights.bin']);
    expect(files.weights.byteLength).toBe(model.countParams() * 4);

    const before = tf.memory().numTensors;
    const copy = await artifactsToModel(structuredClone(files));
    expect(await predict(copy, x)).toEqual(await predict(model, x));
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    x.dispose();
  });

  it('refuses weights one byte short or long, and a model.json without topology', async () => {
    const model = buildModel(getPreset('report').layers, { seed: 1 });
    const files = await modelToArtifacts(model);
    model.dispose();
    await expect(artifactsToModel({ ...files, weights: files.weights.subarray(1) })).rejects.toThrow(/373287 bytes, model.json describes 373288/);
    const longer = new Uint8Array(files.weights.byteLength + 1);
    await expect(artifactsToModel({ ...files, weights: longer })).rejects.toThrow(/373289 bytes/);
    await expect(artifactsToModel({ modelJson: {}, weights: files.weights })).rejects.toThrow(/no modelTopology/);
  });
});
