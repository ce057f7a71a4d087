// What a layers-model topology says about itself, read from model.json alone (no TensorFlow.js):
// used when listing and loading stored models, which were checked whole when they were saved.
import { isObject } from './json';
import { TailorError } from './errors';

/** The input image's [rows, cols, channels] and the class count, where model.json states them. */
export interface TopologyIo {
  inputShape: [number, number, number] | null;
  classes: number | null;
}

type Layer = Record<string, unknown>;

/** Layers that keep their input's shape: the class count is the units of the Dense before them. */
const SHAPE_KEEPING = new Set(['Activation', 'Softmax', 'Dropout', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'BatchNormalization', 'LayerNormalization']);

const classOf = (layer: Layer) => String(layer.class_name ?? layer.className ?? '');
const configOf = (layer: Layer): Layer => (isObject(layer.config) ? layer.config : {});
const nameOf = (layer: Layer) => String(layer.name ?? configOf(layer).name ?? '');

/** The model object of a Keras/tfjs topology, with or without `model_config`. */
function modelOf(topology: Layer): Layer {
  return isObject(topology.model_config) ? topology.model_config : topology;
}

/** The layer list: Sequential or functional. */
export function topologyLayers(topology: Layer): Layer[] {
  const config = modelOf(topology).config;
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layers) || layers.length === 0) throw new TailorError('corrupt', 'model.json has no layers in its modelTopology');
  return layers.map((l) => (isObject(l) ? l : {}));
}

/** The config names of every layer, as TensorFlow.js names the built layers. */
export function layerNames(topology: Layer): string[] {
  return topologyLayers(topology).map(nameOf);
}

/** A functional model's first input or output layer (`input_layers: [[name, 0, 0]]`). */
function endLayer(topology: Layer, layers: Layer[], key: 'input_layers' | 'output_layers'): Layer | undefined {
  const config = modelOf(topology).config;
  const ends = isObject(config) ? config[key] : undefined;
  if (!Array.isArray(ends)) return undefined; // Sequential
  const name = Array.isArray(ends[0]) ? ends[0][0] : undefined;
  return layers.find((l) => nameOf(l) === name);
}

/** The layer feeding `layer`: the one before it in a Sequential model, its first inbound one in a functional one. */
function previous(layer: Layer, layers: Layer[]): Layer | undefined {
  const nodes = layer.inbound_nodes;
  if (Array.isArray(nodes)) {
    const first = Array.isArray(nodes[0]) ? nodes[0][0] : undefined;
    const name = Array.isArray(first) ? first[0] : undefined;
    return layers.find((l) => nameOf(l) === name);
  }
  return layers[layers.indexOf(layer) - 1];
}

export function topologyIo(topology: Layer): TopologyIo {
  const layers = topologyLayers(topology);
  const first = configOf(endLayer(topology, layers, 'input_layers') ?? layers[0]!);
  // Keras 2 and tfjs write batch_input_shape; tfjs' camelCase form and Keras 3's InputLayer differ.
  const input = first.batch_input_shape ?? first.batchInputShape ?? first.batch_shape;
  const dims = Array.isArray(input) ? input.slice(1) : [];
  const inputShape = dims.length === 3 && dims.every((d) => Number.isSafeInteger(d)) ? (dims as [number, number, number]) : null;
  let out: Layer | undefined = endLayer(topology, layers, 'output_layers') ?? layers.at(-1);
  for (let hops = 0; out && SHAPE_KEEPING.has(classOf(out)) && hops < layers.length; hops++) out = previous(out, layers);
  const units = out && classOf(out) === 'Dense' ? configOf(out).units : undefined;
  return { inputShape, classes: Number.isSafeInteger(units) ? (units as number) : null };
}
