import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../../src-shared/types/train';
import { buildModel, layerNames, summarize, validateStack } from './layers';
import { PRESETS, conv, getPreset } from './presets';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const out: LayerSpec = { type: 'dense', units: 10, activation: 'softmax' };

describe('summarize', () => {
  it("gives the report CNN the report's shapes and exactly 93,322 parameters", () => {
    const s = summarize(getPreset('report').layers);
    expect(s.rows.map((r) => [r.name, r.outputShape, r.params])).toEqual([
      ['conv2d_1', [null, 26, 26, 32], 320],
      ['max_pooling2d_1', [null, 13, 13, 32], 0],
      ['conv2d_2', [null, 11, 11, 64], 18496],
      ['max_pooling2d_2', [null, 5, 5, 64], 0],
      ['conv2d_3', [null, 3, 3, 64], 36928],
      ['flatten_1', [null, 576], 0],
      ['dense_1', [null, 64], 36928],
      ['dense_2', [null, 10], 650],
    ]);
    expect(s.total).toBe(93322);
    expect(validateStack(getPreset('report').layers)).toEqual([]);
  });

  it.each(PRESETS.map((p) => [p.id, p.layers] as const))(
    'agrees with tfjs on every output shape and the parameter count of %s',
    (_id, layers) => {
      const model = buildModel(layers, { seed: 1 });
      const s = summarize(layers);
      expect(s.total).toBe(model.countParams());
      expect(s.trainable).toBe(model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a, b) => a! * b!, 1)!, 0));
      expect(s.rows.map((r) => r.outputShape)).toEqual(model.layers.map((l) => l.outputShape));
      expect(s.rows.map((r) => r.params)).toEqual(model.layers.map((l) => l.countParams()));
      expect(s.rows.map((r) => r.name)).toEqual(model.layers.map((l) => l.name));
      model.dispose();
    },
  );

  it('stops computing shapes at the first invalid layer', () => {
    const s = summarize([{ type: 'flatten' }, conv(8), out]);
    expect(s.rows[0]!.outputShape).toEqual([null, 784]);
    expect(s.rows[1]!.outputShape).toEqual([]);
    expect(s.rows[2]!.params).toBe(0);
  });

  it('numbers layers per type like Keras', () => {
    expect(layerNames([conv(1), { type: 'maxPool', size: 2 }, conv(1), { type: 'batchNorm' }])).toEqual([
      'conv2d_1',
      'max_pooling2d_1',
      'conv2d_2',
      'batch_normalization_1',
    ]);
  });
});

describe('validateStack', () => {
  const messages = (layers: LayerSpec[]) => validateStack(layers).map((p) => `${p.index}: ${p.message}`);

  it('accepts every preset', () => {
    for (const p of PRESETS) expect(validateStack(p.layers)).toEqual([]);
  });

  it('explains a convolution after Flatten', () => {
    const layers = [conv(8), { type: 'maxPool', size: 2 }, conv(8), { type: 'flatten' }, conv(8), out] as LayerSpec[];
    expect(messages(layers)).toEqual(['4: Layer 5 (conv2d 3×3) comes after Flatten: a convolution needs a 3-D input']);
  });

  it('explains a pooling that shrinks the map to nothing', () => {
    const pool: LayerSpec = { type: 'maxPool', size: 2 };
    const layers = [pool, pool, pool, pool, pool, { type: 'flatten' }, out] as LayerSpec[];
    expect(messages(layers)).toEqual(['4: Layer 5 (maxPool 2) would shrink 1×1 to 0×0']);
  });

  it('explains a kernel larger than its input', () => {
    const layers = [{ type: 'maxPool', size: 14 }, conv(4), { type: 'flatten' }, out] as LayerSpec[];
    expect(messages(layers)[0]).toMatch(/^1: Layer 2 \(conv2d 3×3\) needs at least 3×3 input but gets 2×2/);
  });

  it('asks for Flatten before Dense on a map', () => {
    expect(messages([conv(4), out])[0]).toBe('1: Layer 2 (dense 10) gets a 26×26×4 map: add Flatten or GlobalAvgPool before it');
  });

  it('requires a 10-unit Dense output with probabilities', () => {
    expect(messages([{ type: 'flatten' }, { type: 'dense', units: 5, activation: 'softmax' }])).toEqual([
      '1: The last layer must be Dense with 10 units, one per class',
    ]);
    expect(messages([{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'relu' }])).toEqual([
      '1: The last layer needs a softmax (or sigmoid) activation to give class probabilities',
    ]);
  });

  it('rejects empty stacks and impossible numbers', () => {
    expect(messages([])).toEqual(['-1: The model has no layers']);
    expect(messages([{ type: 'dropout', rate: 1 }, { type: 'flatten' }, out])).toEqual([
      '0: Layer 1 (dropout 1) needs a rate from 0 to below 1',
    ]);
    expect(messages([{ ...conv(0) }, { type: 'flatten' }, out])[0]).toMatch(/whole number of filters/);
  });

  it('makes buildModel refuse an invalid stack with the same words', () => {
    expect(() => buildModel([conv(4), out], { seed: 1 })).toThrow(/add Flatten/);
  });
});

describe('buildModel', () => {
  it('draws the same initial weights from the same seed, different ones from another', async () => {
    const layers = getPreset('report-fixed').layers;
    const weights = async (seed: number) => {
      const m = buildModel(layers, { seed });
      const values = await Promise.all(m.getWeights().map((w) => w.data()));
      m.dispose();
      return values.map((v) => Array.from(v));
    };
    const a = await weights(7);
    expect(await weights(7)).toEqual(a);
    expect((await weights(8))[0]).not.toEqual(a[0]);
  });
});
