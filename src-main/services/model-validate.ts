// Checks TensorFlow.js layers-model artifacts before they are stored, imported or handed to the
// renderer. tfjs itself trusts model.json: decodeWeights slices whatever bytes it is given, so a
// truncated weights file loads as garbage or fails deep inside tfjs. Every check here fails with a
// TailorError whose message names the problem: 'corrupt' for damaged content, 'invalid-argument'
// for a well-formed model Tailor cannot use (wrong shape, files the user did not pick).
import { TailorError } from './errors';
import { isObject, parseJsonObject } from './json';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface CheckedModelJson {
  json: Record<string, unknown>;
  groups: WeightGroup[];
  /** All weight specs, in manifest order: the order of the bytes in the concatenated shards. */
  specs: WeightSpec[];
  declaredBytes: number;
  /** What the model takes and gives, read from its topology. */
  io: ModelIo;
}

/** One input image's [rows, cols, channels] and the number of classes the model scores. */
export interface ModelIo {
  inputShape: [number, number, 1];
  classes: number;
}

export const INPUT_SHAPE = [null, 28, 28, 1] as const;
export const CLASS_COUNT = 10;

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

const corrupt = (message: string) => new TailorError('corrupt', message);
const unusable = (message: string) => new TailorError('invalid-argument', message);
const fmt = (n: number) => n.toLocaleString('en-US');

function checkSpec(spec: unknown, where: string): WeightSpec {
  if (!isObject(spec) || typeof spec.name !== 'string') throw corrupt(`${where} has no weight name`);
  const { shape, dtype, quantization } = spec;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw corrupt(`weight "${spec.name}" has an invalid shape`);
  }
  if (typeof dtype !== 'string' || !(dtype in BYTES_PER_ELEMENT)) {
    throw corrupt(`weight "${spec.name}" has unsupported dtype ${JSON.stringify(dtype)}`);
  }
  if (quantization !== undefined && !(isObject(quantization) && typeof quantization.dtype === 'string' && quantization.dtype in QUANTIZED_BYTES)) {
    throw corrupt(`weight "${spec.name}" has unsupported quantization`);
  }
  return spec as unknown as WeightSpec;
}

export function specBytes(spec: WeightSpec): number {
  const elements = spec.shape.reduce((a, b) => a * b, 1);
  const perElement = spec.quantization ? QUANTIZED_BYTES[spec.quantization.dtype] : BYTES_PER_ELEMENT[spec.dtype];
  return elements * (perElement ?? 0);
}

/**
 * Checks model.json's structure, its input shape and class count. For `save` the renderer may send
 * tf.io.ModelArtifacts' `weightSpecs` instead of a manifest (`allowWeightSpecs`).
 */
export function checkModelJson(json: Record<string, unknown>, allowWeightSpecs = false): CheckedModelJson {
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw unusable(`model.json is a ${String(json.format)}; Tailor needs a TensorFlow.js layers-model`);
  }
  if (!isObject(json.modelTopology)) throw corrupt('model.json has no modelTopology');
  let manifest = json.weightsManifest;
  if (manifest === undefined && allowWeightSpecs && Array.isArray(json.weightSpecs)) {
    manifest = [{ paths: ['weights.bin'], weights: json.weightSpecs }];
  }
  if (!Array.isArray(manifest)) throw corrupt('model.json has no weightsManifest');
  const groups = manifest.map((group: unknown, g): WeightGroup => {
    if (!isObject(group) || !Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string')) {
      throw corrupt(`weightsManifest[${g}] has no list of paths`);
    }
    if (!Array.isArray(group.weights)) throw corrupt(`weightsManifest[${g}] has no list of weights`);
    return {
      paths: group.paths as string[],
      weights: group.weights.map((s: unknown, i) => checkSpec(s, `weightsManifest[${g}].weights[${i}]`)),
    };
  });
  const specs = groups.flatMap((g) => g.weights);
  const declaredBytes = specs.reduce((sum, s) => sum + specBytes(s), 0);
  if (!Number.isSafeInteger(declaredBytes)) throw corrupt('the weights manifest declares an impossible size');
  const io = checkInputOutput(json.modelTopology);
  return { json, groups, specs, declaredBytes, io };
}

/** The layer list of a Keras/tfjs topology: Sequential or functional, with or without `model_config`. */
function topologyLayers(topology: Record<string, unknown>): Record<string, unknown>[] {
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const config = model.config;
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layers) || layers.length === 0) throw corrupt('model.json has no layers in its modelTopology');
  return layers.map((l) => (isObject(l) ? l : {}));
}

const layerConfig = (layer: Record<string, unknown>) => (isObject(layer.config) ? layer.config : {});

function checkInputOutput(topology: Record<string, unknown>): ModelIo {
  const layers = topologyLayers(topology);
  const first = layerConfig(layers[0] ?? {});
  // Keras 2 and tfjs write batch_input_shape; tfjs' camelCase form and Keras 3's InputLayer differ.
  const input = first.batch_input_shape ?? first.batchInputShape ?? first.batch_shape;
  if (!Array.isArray(input)) throw unusable('model.json does not declare the input shape of its first layer');
  if (input.length !== INPUT_SHAPE.length || input.some((d, i) => d !== INPUT_SHAPE[i])) {
    throw unusable(`the model takes input ${JSON.stringify(input)}; Tailor needs [null,28,28,1] (28×28 grey images)`);
  }
  const dense = layers.findLast((l) => (l.class_name ?? l.className) === 'Dense');
  if (!dense) throw unusable('the model has no Dense output layer');
  const units = layerConfig(dense).units;
  if (units !== CLASS_COUNT) {
    throw unusable(`the model has ${JSON.stringify(units)} outputs; Tailor needs ${CLASS_COUNT}, one per class`);
  }
  return { inputShape: [INPUT_SHAPE[1], INPUT_SHAPE[2], 1], classes: CLASS_COUNT };
}

/**
 * The weight files in the order their bytes are concatenated. A path must be a plain file name
 * beside model.json: `../x.bin`, `/etc/x`, `C:x` or `sub/x.bin` would read outside the folder.
 */
export function weightPaths(groups: WeightGroup[]): string[] {
  const paths = groups.flatMap((g) => g.paths);
  for (const path of paths) {
    if (path === '' || path === '.' || path === '..' || /[/\\:\0]/.test(path)) {
      throw unusable(`weights path ${JSON.stringify(path)} is outside the chosen folder`);
    }
  }
  return paths;
}

export function checkWeightBytes(actual: number, declared: number): void {
  if (actual === declared) return;
  const diff = Math.abs(actual - declared);
  const n = `${fmt(diff)} byte${diff === 1 ? '' : 's'}`;
  throw corrupt(
    actual < declared
      ? `weights are ${n} short of the ${fmt(declared)} bytes the manifest declares`
      : `weights are ${n} over the ${fmt(declared)} bytes the manifest declares`,
  );
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** model.json as Tailor stores and exports it: all weights in one weights.bin, in manifest order. */
export function canonicalModelJson(checked: CheckedModelJson): Record<string, unknown> {
  const { weightsManifest: _manifest, weightSpecs: _specs, weightData: _data, ...rest } = checked.json;
  return {
    ...rest,
    format: 'layers-model',
    generatedBy: rest.generatedBy ?? 'Tailor',
    convertedBy: rest.convertedBy ?? null,
    weightsManifest: [{ paths: ['weights.bin'], weights: checked.specs }],
  };
}

/**
 * Validates model files the user picked: model.json, its weight shards (concatenated in manifest
 * order) and their sizes. Returns the stored form of model.json and the weights.
 */
export function checkModelFiles(
  modelJsonBytes: Uint8Array,
  files: ReadonlyMap<string, Uint8Array>,
): { modelJson: Record<string, unknown>; weights: Uint8Array; specs: WeightSpec[]; io: ModelIo } {
  const checked = checkModelJson(parseJsonObject(modelJsonBytes, 'model.json'));
  const parts = weightPaths(checked.groups).map((path) => {
    const part = files.get(path);
    if (!part) throw unusable(`model.json lists weights file "${path}", which is not among the chosen files`);
    return part;
  });
  const weights = concatBytes(parts);
  checkWeightBytes(weights.byteLength, checked.declaredBytes);
  return { modelJson: canonicalModelJson(checked), weights, specs: checked.specs, io: checked.io };
}
