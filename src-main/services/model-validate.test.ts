import { describe, expect, it } from 'vitest';
import { TailorError } from './errors';
import {
  canonicalModelJson,
  checkFiniteWeights,
  checkModelJson,
  checkWeightBytes,
  gatherShards,
  weightPaths,
  type WeightSpec,
} from './model-validate';
import { parseJsonObject } from './json';

const input = (config: Record<string, unknown> = { batch_input_shape: [null, 28, 28, 1] }) => ({ class_name: 'Flatten', config });
const dense = (units = 10) => ({ class_name: 'Dense', config: { units } });
const sequential = (layers: unknown[]) => ({ class_name: 'Sequential', config: { name: 's', layers } });
const specs: WeightSpec[] = [
  { name: 'dense/kernel', shape: [784, 10], dtype: 'float32' },
  { name: 'dense/bias', shape: [10], dtype: 'float32' },
];
const modelJson = (over: Record<string, unknown> = {}) => ({
  format: 'layers-model',
  modelTopology: sequential([input(), dense()]),
  weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  ...over,
});

function failure(fn: () => unknown): TailorError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TailorError);
    return err as TailorError;
  }
  throw new Error('expected a TailorError');
}

describe('parseJsonObject', () => {
  it('parses UTF-8 bytes, with or without a byte-order mark', () => {
    expect(parseJsonObject(new TextEncoder().encode('{"a":1}'), 'x.json')).toEqual({ a: 1 });
    expect(parseJsonObject(Uint8Array.of(0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"a":2}')), 'x.json')).toEqual({ a: 2 });
  });

  it('calls bad JSON, invalid UTF-8 and non-objects corrupt, naming the file', () => {
    expect(failure(() => parseJsonObject('{"a":', 'model.json'))).toMatchObject({ code: 'corrupt', message: expect.stringMatching(/^model\.json is not valid JSON/) });
    expect(failure(() => parseJsonObject(Uint8Array.of(0x7b, 0xff, 0x7d), 'model.json')).code).toBe('corrupt');
    expect(failure(() => parseJsonObject('[1,2]', 'meta.json')).message).toBe('meta.json does not hold a JSON object');
    expect(failure(() => parseJsonObject('null', 'meta.json')).message).toBe('meta.json does not hold a JSON object');
  });

  it('calls JSON nested deeper than the limit corrupt (it would overflow the stack of whatever walks it)', () => {
    const deep = `{"modelTopology":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(failure(() => parseJsonObject(deep, 'model.json'))).toMatchObject({ code: 'corrupt', message: 'model.json nests deeper than 100 levels' });
    expect(parseJsonObject(`{"a":${'['.repeat(98)}${']'.repeat(98)}}`, 'x.json')).toHaveProperty('a');
  });
});

describe('checkModelJson', () => {
  it('sums the declared weight bytes over dtypes and quantization', () => {
    const weights: WeightSpec[] = [
      { name: 'a', shape: [2, 3], dtype: 'float32' }, // 24
      { name: 'b', shape: [5], dtype: 'int32' }, // 20
      { name: 'c', shape: [7], dtype: 'bool' }, // 7
      { name: 'd', shape: [], dtype: 'float32' }, // scalar: 4
      { name: 'e', shape: [10], dtype: 'float32', quantization: { dtype: 'uint8' } }, // 10
      { name: 'f', shape: [10], dtype: 'float32', quantization: { dtype: 'float16' } }, // 20
      { name: 'g', shape: [0, 4], dtype: 'float32' }, // 0
    ];
    const checked = checkModelJson(modelJson({ weightsManifest: [{ paths: ['a.bin'], weights: weights.slice(0, 3) }, { paths: ['b.bin'], weights: weights.slice(3) }] }));
    expect(checked.declaredBytes).toBe(85);
    expect(checked.specs.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it.each([
    ['tfjs Sequential', sequential([input(), dense()])],
    ['Keras model_config nesting', { keras_version: '2.15', model_config: sequential([input(), dense()]) }],
    ['old Keras list config', { class_name: 'Sequential', config: [input(), dense()] }],
    ['camelCase batchInputShape', sequential([input({ batchInputShape: [null, 28, 28, 1] }), dense()])],
    ['Keras 3 InputLayer batch_shape', { class_name: 'Functional', config: { layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, 28, 28, 1] } }, dense(), { class_name: 'Activation', config: {} }] } }],
    ['10 outputs after a hidden Dense', sequential([input(), dense(128), dense(10)])],
  ])('reads the input shape and class count model.json states from %s', (_form, modelTopology) => {
    const checked = checkModelJson(modelJson({ modelTopology }));
    expect(checked.declaredBytes).toBe(31_400);
    expect(checked.io).toEqual({ inputShape: [28, 28, 1], classes: 10 });
  });

  it('leaves unknown what model.json does not state (the built graph is checked at import and save)', () => {
    expect(checkModelJson(modelJson({ modelTopology: sequential([input({}), dense(5)]) })).io).toEqual({ inputShape: null, classes: 5 });
    expect(checkModelJson(modelJson({ modelTopology: sequential([input(), { class_name: 'Flatten', config: {} }]) })).io).toEqual({
      inputShape: [28, 28, 1],
      classes: null,
    });
  });

  it.each([
    ['a graph model', { format: 'graph-model' }, 'invalid-argument', 'model.json is a graph-model; Tailor needs a TensorFlow.js layers-model'],
    ['no modelTopology', { modelTopology: undefined }, 'corrupt', 'model.json has no modelTopology'],
    ['no weightsManifest', { weightsManifest: undefined }, 'corrupt', 'model.json has no weightsManifest'],
    ['a group without paths', { weightsManifest: [{ weights: specs }] }, 'corrupt', 'weightsManifest[0] has no list of paths'],
    ['a group without weights', { weightsManifest: [{ paths: [] }] }, 'corrupt', 'weightsManifest[0] has no list of weights'],
    ['a negative dimension', { weightsManifest: [{ paths: [], weights: [{ name: 'k', shape: [-1], dtype: 'float32' }] }] }, 'corrupt', 'weight "k" has an invalid shape'],
    ['a fractional dimension', { weightsManifest: [{ paths: [], weights: [{ name: 'k', shape: [1.5], dtype: 'float32' }] }] }, 'corrupt', 'weight "k" has an invalid shape'],
    ['string weights', { weightsManifest: [{ paths: [], weights: [{ name: 'k', shape: [1], dtype: 'string' }] }] }, 'corrupt', 'weight "k" has unsupported dtype "string"'],
    ['an unknown quantization', { weightsManifest: [{ paths: [], weights: [{ name: 'k', shape: [1], dtype: 'float32', quantization: { dtype: 'int4' } }] }] }, 'corrupt', 'weight "k" has unsupported quantization'],
    ['an impossible size', { weightsManifest: [{ paths: [], weights: [{ name: 'k', shape: [2 ** 40, 2 ** 40], dtype: 'float32' }] }] }, 'corrupt', 'the weights manifest declares an impossible size'],
    ['no layers', { modelTopology: sequential([]) }, 'corrupt', 'model.json has no layers in its modelTopology'],
    ['a weight listed twice', { weightsManifest: [{ paths: ['a.bin'], weights: specs }, { paths: ['b.bin'], weights: specs.slice(1) }] }, 'corrupt', 'the weights manifest lists weight "dense/bias" twice'],
    ['a quantization scale that is not finite', { weightsManifest: [{ paths: [], weights: [{ name: 'k', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8', scale: null, min: 0 } }] }] }, 'corrupt', 'weight "k" has a quantization scale that is not a finite number'],
    ['1.5 GiB of weights', { weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k', shape: [3 * 2 ** 27], dtype: 'float32' }] }] }, 'invalid-argument', "the model's weights are 1.50 GiB; Tailor reads models of up to 256.0 MiB"],
  ])('refuses %s', (_what, over, code, message) => {
    const err = failure(() => checkModelJson(modelJson(over)));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('takes tf.io.ModelArtifacts weightSpecs only when asked to', () => {
    const json = modelJson({ weightsManifest: undefined, weightSpecs: specs });
    expect(failure(() => checkModelJson(json)).message).toBe('model.json has no weightsManifest');
    expect(checkModelJson(json, true).groups).toEqual([{ paths: ['weights.bin'], weights: specs }]);
  });
});

describe('weightPaths', () => {
  it('keeps plain file names in manifest order', () => {
    expect(weightPaths([{ paths: ['g1-shard1of2.bin', 'g1-shard2of2.bin'], weights: [] }, { paths: ['g2.bin'], weights: [] }])).toEqual([
      'g1-shard1of2.bin',
      'g1-shard2of2.bin',
      'g2.bin',
    ]);
  });

  it.each(['../x.bin', '/etc/x.bin', 'sub/x.bin', 'sub\\x.bin', 'C:x.bin', 'C:\\x.bin', '..', '.', '', 'x\0.bin'])('refuses %j as outside the chosen folder', (path) => {
    const err = failure(() => weightPaths([{ paths: [path], weights: [] }]));
    expect(err).toMatchObject({ code: 'invalid-argument', message: `weights path ${JSON.stringify(path)} is outside the chosen folder` });
  });
});

describe('checkWeightBytes', () => {
  it('accepts the exact size and names the difference otherwise', () => {
    expect(() => checkWeightBytes(372_648, 372_648)).not.toThrow();
    expect(failure(() => checkWeightBytes(372_644, 372_648)).message).toBe('weights are 4 bytes short of the 372,648 bytes the manifest declares');
    expect(failure(() => checkWeightBytes(372_647, 372_648)).message).toBe('weights are 1 byte short of the 372,648 bytes the manifest declares');
    expect(failure(() => checkWeightBytes(372_649, 372_648))).toMatchObject({ code: 'corrupt', message: 'weights are 1 byte over the 372,648 bytes the manifest declares' });
    expect(failure(() => checkWeightBytes(0, 1_000_000)).message).toBe('weights are 1,000,000 bytes short of the 1,000,000 bytes the manifest declares');
  });
});

describe('gatherShards', () => {
  const small: WeightSpec[] = [
    { name: 'a', shape: [2], dtype: 'bool' },
    { name: 'b', shape: [3], dtype: 'bool' },
    { name: 'c', shape: [1], dtype: 'bool' },
  ];
  const json = modelJson({
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    weightsManifest: [
      { paths: ['one.bin', 'two.bin'], weights: small.slice(0, 2) },
      { paths: ['three.bin'], weights: small.slice(2) },
    ],
  });

  it('concatenates shards in manifest order and stores them as one weights.bin', () => {
    const files = new Map([
      ['three.bin', Uint8Array.of(6)],
      ['one.bin', Uint8Array.of(1, 2)],
      ['two.bin', Uint8Array.of(3, 4, 5)],
      ['unrelated.txt', Uint8Array.of(9)],
    ]);
    const checked = checkModelJson(json);
    expect([...gatherShards(checked, files)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(canonicalModelJson(checked)).toEqual({
      format: 'layers-model',
      generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
      convertedBy: null,
      modelTopology: json.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: small }],
    });
  });

  it('refuses a missing shard and a wrong total', () => {
    const missing = new Map([['one.bin', Uint8Array.of(1, 2)], ['three.bin', Uint8Array.of(6)]]);
    expect(failure(() => gatherShards(checkModelJson(json), missing))).toMatchObject({
      code: 'invalid-argument',
      message: 'model.json lists weights file "two.bin", which is not among the chosen files',
    });
    const short = new Map([['one.bin', Uint8Array.of(1, 2)], ['two.bin', Uint8Array.of(3, 4)], ['three.bin', Uint8Array.of(6)]]);
    expect(failure(() => gatherShards(checkModelJson(json), short)).message).toBe('weights are 1 byte short of the 6 bytes the manifest declares');
  });

  it('canonical form drops in-memory fields and keeps the rest of model.json', () => {
    const checked = checkModelJson({ ...modelJson(), weightSpecs: specs, weightData: new ArrayBuffer(4), trainingConfig: { loss: 'x' } });
    const out = canonicalModelJson(checked);
    expect(out).not.toHaveProperty('weightSpecs');
    expect(out).not.toHaveProperty('weightData');
    expect(out).toMatchObject({ trainingConfig: { loss: 'x' }, generatedBy: 'Tailor', weightsManifest: [{ paths: ['weights.bin'], weights: specs }] });
  });
});

describe('checkFiniteWeights', () => {
  const f32 = (values: number[], offset = 0) => {
    const bytes = new Uint8Array(offset + values.length * 4);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setFloat32(offset + i * 4, v, true));
    return bytes.subarray(offset);
  };
  const two: WeightSpec[] = [
    { name: 'k', shape: [2], dtype: 'float32' },
    { name: 'b', shape: [2], dtype: 'float32' },
  ];

  it('accepts finite weights, aligned or not in their buffer', () => {
    expect(() => checkFiniteWeights(two, f32([1, -2, 3.5, 0]))).not.toThrow();
    expect(() => checkFiniteWeights(two, f32([1, -2, 3.5, 0], 1))).not.toThrow();
  });

  it.each([
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ])('refuses %s, naming the weight and element', (value, what) => {
    for (const offset of [0, 3]) {
      expect(failure(() => checkFiniteWeights(two, f32([1, 2, 3, value], offset)))).toMatchObject({
        code: 'corrupt',
        message: `weight "b" holds ${what} (element 1): every prediction would be NaN`,
      });
    }
  });

  it('checks float16-quantized weights too and leaves int32 alone', () => {
    const half: WeightSpec[] = [{ name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } }];
    expect(() => checkFiniteWeights(half, Uint8Array.of(0x00, 0x3c, 0x00, 0xc0))).not.toThrow(); // 1, -2
    expect(failure(() => checkFiniteWeights(half, Uint8Array.of(0x00, 0x3c, 0x00, 0x7c))).message).toMatch(/weight "h" holds \+Infinity \(element 1\)/);
    expect(failure(() => checkFiniteWeights(half, Uint8Array.of(0x01, 0xfc, 0x00, 0x3c))).message).toMatch(/weight "h" holds NaN \(element 0\)/);
    expect(() => checkFiniteWeights([{ name: 'i', shape: [1], dtype: 'int32' }], Uint8Array.of(0xff, 0xff, 0x80, 0x7f))).not.toThrow();
  });
});
