// Checks TensorFlow.js layers-model artifacts before they are stored, imported or handed to the
// renderer. tfjs itself trusts model.json: decodeWeights slices whatever bytes it is given, so a
// truncated weights file loads as garbage or fails deep inside tfjs. Every check here fails with a
// TailorError whose message names the problem: 'corrupt' for damaged content, 'invalid-argument'
// for a well-formed model Tailor cannot use (wrong shape, too large, files the user did not pick).
// checkModel is the whole check (import and save); checkModelJson the part that needs no weights
// and no TensorFlow.js (listing and loading stored models).
import { MODEL_LIMITS } from '../../src-shared/limits';
import { TailorError } from './errors';
import { isObject, parseJsonObject } from './json';
import { checkModelGraph } from './model-graph';
import { topologyIo, type TopologyIo } from './model-topology';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
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
  /** What model.json states about its input and classes. */
  io: TopologyIo;
}

/** One input image's [rows, cols, channels] and the number of classes the model scores, as built. */
export interface ModelIo {
  inputShape: [number, number, 1];
  classes: number;
}

/** A model that passed every check, in the form Tailor stores. */
export interface CheckedModel {
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
  specs: WeightSpec[];
  io: ModelIo;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
/** model.json nests ~10 levels; JSON that nests far deeper would overflow the stack of what reads it. */
export const MODEL_JSON_MAX_DEPTH = 100;

const corrupt = (message: string) => new TailorError('corrupt', message);
const unusable = (message: string) => new TailorError('invalid-argument', message);
const fmt = (n: number) => n.toLocaleString('en-US');
export const sizeText = (n: number) =>
  n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${fmt(n)} bytes`;

function checkSpec(spec: unknown, where: string): WeightSpec {
  if (!isObject(spec) || typeof spec.name !== 'string') throw corrupt(`${where} has no weight name`);
  const { shape, dtype, quantization } = spec;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw corrupt(`weight "${spec.name}" has an invalid shape`);
  }
  if (typeof dtype !== 'string' || !(dtype in BYTES_PER_ELEMENT)) {
    throw corrupt(`weight "${spec.name}" has unsupported dtype ${JSON.stringify(dtype)}`);
  }
  if (quantization !== undefined) {
    const ok = isObject(quantization) && typeof quantization.dtype === 'string' && quantization.dtype in QUANTIZED_BYTES;
    if (!ok) throw corrupt(`weight "${spec.name}" has unsupported quantization`);
    for (const key of ['scale', 'min'] as const) {
      if (quantization[key] !== undefined && !Number.isFinite(quantization[key])) {
        throw corrupt(`weight "${spec.name}" has a quantization ${key} that is not a finite number`);
      }
    }
  }
  return spec as unknown as WeightSpec;
}

export function specBytes(spec: WeightSpec): number {
  const elements = spec.shape.reduce((a, b) => a * b, 1);
  const perElement = spec.quantization ? QUANTIZED_BYTES[spec.quantization.dtype] : BYTES_PER_ELEMENT[spec.dtype];
  return elements * (perElement ?? 0);
}

/**
 * Checks model.json's structure: its topology is there, its weights manifest is well formed, names
 * each weight once and declares a size Tailor can read back. For `save` the renderer may send
 * tf.io.ModelArtifacts' `weightSpecs` instead of a manifest (`allowWeightSpecs`).
 */
export function checkModelJson(json: Record<string, unknown>, allowWeightSpecs = false): CheckedModelJson {
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw unusable(`model.json is a ${String(json.format)}; Tailor needs a TensorFlow.js layers-model`);
  }
  if (!isObject(json.modelTopology)) throw corrupt('model.json has no modelTopology');
  const groups = manifestGroups(json, allowWeightSpecs);
  const specs = groups.flatMap((g) => g.weights);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw corrupt(`the weights manifest lists weight "${s.name}" twice`);
    seen.add(s.name);
  }
  const declaredBytes = specs.reduce((sum, s) => sum + specBytes(s), 0);
  if (!Number.isSafeInteger(declaredBytes)) throw corrupt('the weights manifest declares an impossible size');
  if (declaredBytes > MODEL_LIMITS.weightBytes) {
    throw unusable(
      `the model's weights are ${sizeText(declaredBytes)}; Tailor reads models of up to ${sizeText(MODEL_LIMITS.weightBytes)}`,
    );
  }
  return { json, groups, specs, declaredBytes, io: topologyIo(json.modelTopology) };
}

function manifestGroups(json: Record<string, unknown>, allowWeightSpecs: boolean): WeightGroup[] {
  let manifest = json.weightsManifest;
  if (manifest === undefined && allowWeightSpecs && Array.isArray(json.weightSpecs)) {
    manifest = [{ paths: ['weights.bin'], weights: json.weightSpecs }];
  }
  if (!Array.isArray(manifest)) throw corrupt('model.json has no weightsManifest');
  return manifest.map((group: unknown, g): WeightGroup => {
    if (!isObject(group) || !Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string')) {
      throw corrupt(`weightsManifest[${g}] has no list of paths`);
    }
    if (!Array.isArray(group.weights)) throw corrupt(`weightsManifest[${g}] has no list of weights`);
    return {
      paths: group.paths as string[],
      weights: group.weights.map((s: unknown, i) => checkSpec(s, `weightsManifest[${g}].weights[${i}]`)),
    };
  });
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

/** float32 weights must be finite, and so must float16 ones (exponent bits all ones = Inf/NaN). */
export function checkFiniteWeights(specs: WeightSpec[], weights: Uint8Array): void {
  let offset = 0;
  for (const spec of specs) {
    const bytes = specBytes(spec);
    const kind = spec.quantization?.dtype ?? spec.dtype;
    const at = kind === 'float32' ? firstNonFinite32(weights, offset, bytes) : kind === 'float16' ? firstNonFinite16(weights, offset, bytes) : -1;
    if (at >= 0) {
      const view = new DataView(weights.buffer, weights.byteOffset);
      const value = kind === 'float32' ? view.getFloat32(offset + at * 4, true) : half(view.getUint16(offset + at * 2, true));
      const what = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Infinity' : '-Infinity';
      throw corrupt(`weight "${spec.name}" holds ${what} (element ${fmt(at)}): every prediction would be NaN`);
    }
    offset += bytes;
  }
}

function firstNonFinite32(weights: Uint8Array, offset: number, bytes: number): number {
  const start = weights.byteOffset + offset;
  // A Float32Array view needs 4-byte alignment; an unaligned slice is copied first.
  const values = start % 4 === 0 ? new Float32Array(weights.buffer, start, bytes / 4) : new Float32Array(weights.slice(offset, offset + bytes).buffer);
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

/** The non-finite float16 values: sign, exponent all ones, mantissa 0 (infinity) or not (NaN). */
function half(bits: number): number {
  if ((bits & 0x3ff) !== 0) return Number.NaN;
  return bits & 0x8000 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

function firstNonFinite16(weights: Uint8Array, offset: number, bytes: number): number {
  for (let i = 0; i < bytes / 2; i++) if ((weights[offset + 2 * i + 1]! & 0x7c) === 0x7c) return i; // little-endian high byte
  return -1;
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

/** The whole check, for a model being saved or imported: structure, sizes, values, and the built graph. */
export async function checkModel(checked: CheckedModelJson, weights: Uint8Array): Promise<CheckedModel> {
  checkWeightBytes(weights.byteLength, checked.declaredBytes);
  checkFiniteWeights(checked.specs, weights);
  const io = await checkModelGraph(checked.json.modelTopology as Record<string, unknown>, checked.specs);
  return { modelJson: canonicalModelJson(checked), weights, specs: checked.specs, io };
}

/** The weight shards model.json lists, from the files the user picked, as one buffer in manifest order. */
export function gatherShards(checked: CheckedModelJson, files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const parts = weightPaths(checked.groups).map((path) => {
    const part = files.get(path);
    if (!part) throw unusable(`model.json lists weights file "${path}", which is not among the chosen files`);
    return part;
  });
  checkWeightBytes(parts.reduce((n, p) => n + p.byteLength, 0), checked.declaredBytes);
  return concatBytes(parts);
}

/**
 * Validates model files the user picked: model.json, its weight shards (concatenated in manifest
 * order) and the whole model. Returns the stored form of model.json and the weights.
 */
export async function checkModelFiles(modelJsonBytes: Uint8Array, files: ReadonlyMap<string, Uint8Array>): Promise<CheckedModel> {
  const checked = checkModelJson(parseJsonObject(modelJsonBytes, 'model.json', MODEL_JSON_MAX_DEPTH));
  return checkModel(checked, gatherShards(checked, files));
}
