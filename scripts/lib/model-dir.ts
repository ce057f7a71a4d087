// A model folder as `npm run train` writes it (model.json, weights.bin, meta.json), and the model a
// run starts from: that saved one (fine-tune) or a fresh one of the preset's layers.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { FASHION_MNIST_CLASSES } from '../../src-shared/types/dataset';
import type { LayerSpec } from '../../src-shared/types/train';
import { freezeLeading, keepsHead, modelFromBase } from '../../src-renderer/src/ml/fine-tune';
import { buildModel } from '../../src-renderer/src/ml/layers';
import { withClasses } from '../../src-renderer/src/ml/output-layer';
import { writeFolderAtomic } from '../../src-main/services/atomic';
import type { ModelFiles, ModelMeta } from '../../src-shared/types/model';

export async function readModelDir(dir: string): Promise<{ meta: ModelMeta; files: ModelFiles }> {
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as ModelMeta;
  // meta.json written before models knew their classes (the first shipped model) is Fashion-MNIST's.
  meta.classNames ??= [...FASHION_MNIST_CLASSES];
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
  const weights = new Uint8Array(await readFile(join(dir, 'weights.bin')));
  return { meta, files: { modelJson, weights } };
}

/** Writes a model folder with the app's crash-safe folder write: a crash leaves the old model or the new one, never half. */
export async function writeModelDir(dir: string, files: ModelFiles, meta: ModelMeta): Promise<void> {
  await writeFolderAtomic(dir, {
    'model.json': JSON.stringify(files.modelJson),
    'weights.bin': files.weights,
    'meta.json': `${JSON.stringify(meta, null, 2)}\n`,
  });
}

export interface Start {
  model: tf.LayersModel;
  /** The network as the editor describes it (the saved model's, output layer resized). */
  layers: LayerSpec[];
  /** The saved model started from, if any. */
  base: ModelMeta | null;
}

/**
 * The saved model in `from` (its output layer kept when `classNames` are its own, else a new one;
 * the first `freeze` weight layers frozen), or a fresh model of `layers` when `from` is null.
 */
export async function startingModel(opts: { from: string | null; layers: LayerSpec[]; classNames: readonly string[]; seed: number; freeze: number }): Promise<Start> {
  const classes = opts.classNames.length;
  if (!opts.from) return { model: buildModel(withClasses(opts.layers, classes), { seed: opts.seed, classes }), layers: withClasses(opts.layers, classes), base: null };
  const { meta, files } = await readModelDir(opts.from);
  const keepHead = keepsHead(meta.classNames, opts.classNames);
  const model = await modelFromBase(files, { keepHead, classes, seed: opts.seed });
  const frozen = freezeLeading(model, opts.freeze);
  console.log(`starting from ${opts.from} (${meta.name}): output layer ${keepHead ? 'kept' : 'new'}${frozen.length ? `, frozen ${frozen.join(', ')}` : ''}`);
  return { model, layers: withClasses(meta.layers.length ? meta.layers : opts.layers, classes), base: meta };
}
