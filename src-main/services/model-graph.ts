// Builds a model once with TensorFlow.js, as the renderer will, to check what model.json cannot
// show by itself: the shapes that flow through the layers. Refused: more than one input, an input
// that is not [null, rows, cols, 1], an output that is not [null, classes] with 2–100 classes (so
// nothing may follow the output, e.g. a RepeatVector), layers that do not lead from the input to
// the output (a decoy input listed first), and weights whose names or shapes differ from the
// layers' (they could not be loaded). Building costs ~0.1 s for the shipped model, most of it the
// first time; initialisers are replaced by zeros since only shapes are looked at.
import type { LayersModel, io } from '@tensorflow/tfjs';
import { MODEL_LIMITS } from '../../src-shared/limits';
import { TailorError } from './errors';
import { isObject } from './json';
import { layerNames } from './model-topology';
import type { ModelIo, WeightSpec } from './model-validate';

const corrupt = (message: string) => new TailorError('corrupt', message);
const unusable = (message: string) => new TailorError('invalid-argument', message);
const shapeText = (shape: readonly (number | null)[]) => `[${shape.map((d) => (d === null ? 'null' : d)).join(',')}]`;

let tfjs: Promise<typeof import('@tensorflow/tfjs')> | null = null;

/** TensorFlow.js, loaded on first use (main only needs it to check a model being saved or imported). */
function loadTfjs(): Promise<typeof import('@tensorflow/tfjs')> {
  tfjs ??= import('@tensorflow/tfjs').then(async (tf) => {
    tf.env().set('PROD', true); // no "install tfjs-node" banner: nothing here is compute-heavy
    await tf.ready();
    return tf;
  });
  return tfjs;
}

/** The topology with every initializer replaced by zeros: building then costs memory, not random numbers. */
function withZeroInitializers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withZeroInitializers);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = /initializer$/i.test(key) && isObject(v) ? { class_name: 'Zeros', config: {} } : withZeroInitializers(v);
  }
  return out;
}

export async function checkModelGraph(topology: Record<string, unknown>, specs: WeightSpec[]): Promise<ModelIo> {
  const tf = await loadTfjs();
  let model: LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: withZeroInitializers(topology) as io.ModelJSON['modelTopology'] });
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 300);
    throw unusable(`TensorFlow.js cannot build this model: ${why}`);
  }
  try {
    const io = checkEnds(model);
    checkAllLayersUsed(topology, model);
    checkWeightsFit(model, specs);
    return io;
  } finally {
    model.dispose();
  }
}

function checkEnds(model: LayersModel): ModelIo {
  if (model.inputs.length !== 1) throw unusable(`the model has ${model.inputs.length} inputs; Tailor needs one, the image`);
  if (model.outputs.length !== 1) throw unusable(`the model has ${model.outputs.length} outputs; Tailor needs one, the class scores`);
  const input = model.inputs[0]!.shape;
  const [batch, rows, cols, channels] = input;
  const side = (d: number | null | undefined) => typeof d === 'number' && d >= MODEL_LIMITS.side.min && d <= MODEL_LIMITS.side.max;
  if (input.length !== 4 || batch !== null || !side(rows) || !side(cols) || channels !== MODEL_LIMITS.channels) {
    throw unusable(`the model takes input ${shapeText(input)}; Tailor needs [null,rows,cols,1] (grey images of any size)`);
  }
  const output = model.outputs[0]!.shape;
  const classes = output[1];
  if (output.length !== 2 || output[0] !== null || typeof classes !== 'number') {
    throw unusable(`the model's output is ${shapeText(output)}; Tailor needs [null,classes], one score per class`);
  }
  const { min, max } = MODEL_LIMITS.classes;
  if (classes < min || classes > max) throw unusable(`the model has ${classes} outputs; Tailor handles ${min}–${max} classes`);
  return { inputShape: [rows!, cols!, 1], classes };
}

/** Every layer listed must lie between the input and the output: no decoys, nothing after the output. */
function checkAllLayersUsed(topology: Record<string, unknown>, model: LayersModel): void {
  const used = new Set(model.layers.map((l) => l.name));
  const unused = layerNames(topology).filter((name) => !used.has(name));
  if (unused.length) {
    throw unusable(`layer${unused.length > 1 ? 's' : ''} ${unused.map((n) => `"${n}"`).join(', ')} ${unused.length > 1 ? 'are' : 'is'} not on the path from the model's input to its output`);
  }
}

/** The weights manifest must name exactly the layers' weights, with their shapes. */
function checkWeightsFit(model: LayersModel, specs: WeightSpec[]): void {
  const manifest = new Map(specs.map((s) => [s.name, s.shape]));
  const needed = new Set<string>();
  for (const w of model.weights) {
    needed.add(w.originalName);
    const shape = manifest.get(w.originalName);
    if (!shape) throw corrupt(`the layers need weight "${w.originalName}", which the weights manifest does not list`);
    if (shape.length !== w.shape.length || shape.some((d, i) => d !== w.shape[i])) {
      throw corrupt(`weight "${w.originalName}" is ${shapeText(shape)} in the weights manifest but ${shapeText(w.shape)} in the layers`);
    }
  }
  const extra = specs.find((s) => !needed.has(s.name));
  if (extra) throw corrupt(`the weights manifest lists "${extra.name}", which no layer has`);
}
