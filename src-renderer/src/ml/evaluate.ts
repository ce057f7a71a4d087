/**
 * Test-set evaluation: predictions in batches (one upload and one async read per batch),
 * then loss, accuracy, confusion matrix and per-class scores computed on the host.
 */
import * as tf from '@tensorflow/tfjs';
import { allowedOf, targetsProblem, type Targets } from '../../../src-shared/targets';
import { validateLabels } from './data';
import { bytesToModel, imageInputShape, type ImageShape, type PixelScale } from './model-input';

export interface ClassScore {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Misclassified {
  index: number;
  /** The image's label (a class, or a label name's index with `targets`). */
  label: number;
  pred: number;
  /** The model's probability for the wrong class it chose. */
  confidence: number;
}

export interface Evaluation {
  loss: number;
  acc: number;
  /** confusion[label][predicted class] counts: square, or labelNames × classes with `targets`. */
  confusion: number[][];
  /** Per label (per class when labels are classes). */
  perClass: ClassScore[];
  /** The five largest cells of wrong answers (off the diagonal, or outside the label's allowed classes), largest first. */
  mostConfused: { true: number; pred: number; count: number }[];
  /** Every wrong prediction, most confident first. */
  misclassified: Misclassified[];
}

export interface EvaluateOptions {
  onProgress?: (done: number, total: number) => void;
  batchSize?: number;
  /** The scale the model takes its pixels on (default 'unit': [0, 1]). */
  pixelScale?: PixelScale;
  /** Labels that are not class indices (src-shared/targets.ts): a prediction is right when it is one of the label's allowed classes. */
  targets?: Targets;
}

const EPSILON = 1e-7;

/**
 * Scores `model` on gray images given as bytes (n · rows · cols, of the model's own size), on the
 * model's pixel scale. The model is used between batches: the caller keeps it alive until this ends.
 */
export async function evaluate(
  model: tf.LayersModel,
  images: Uint8Array,
  labels: Uint8Array,
  classCount: number,
  { onProgress, batchSize = 500, pixelScale = 'unit', targets }: EvaluateOptions = {},
): Promise<Evaluation> {
  const n = labels.length;
  const problem = targetsProblem(classCount, targets?.labelNames, targets?.allowed);
  if (problem) throw new RangeError(problem);
  const allowed = allowedOf(classCount, targets);
  const shape = checkFits(model, images, labels, classCount, allowed.length);
  const pixels = shape[0] * shape[1];
  const tally = new Tally(classCount, allowed);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const probs = tf.tidy(() => model.predict(bytesToModel(images.subarray(start * pixels, (start + size) * pixels), size, shape, pixelScale)) as tf.Tensor2D);
    let p: Float32Array;
    try {
      p = (await probs.data()) as Float32Array;
    } finally {
      probs.dispose();
    }
    for (let i = 0; i < size; i++) tally.add(start + i, labels[start + i]!, p.subarray(i * classCount, (i + 1) * classCount));
    onProgress?.(start + size, n);
  }
  return tally.result(n);
}

/** The model's input shape, once the images, the labels and its outputs are known to fit. */
function checkFits(model: tf.LayersModel, images: Uint8Array, labels: Uint8Array, classCount: number, labelCount: number): ImageShape {
  const n = labels.length;
  const shape = imageInputShape(model);
  const [rows, cols] = shape;
  if (images.length !== n * rows * cols) {
    throw new RangeError(`${images.length} pixels do not make ${n} images of ${rows}×${cols}`);
  }
  const outputs = model.outputs[0]?.shape;
  if (model.outputs.length !== 1 || outputs?.length !== 2 || outputs[1] !== classCount) {
    throw new RangeError(`the model gives ${JSON.stringify(model.outputs.map((o) => o.shape))}, not one score for each of ${classCount} classes`);
  }
  validateLabels(labels, labelCount);
  return shape;
}

/** Loss, accuracy, confusion and mistakes, accumulated one prediction at a time on the host. */
class Tally {
  readonly confusion: number[][];
  readonly misclassified: Misclassified[] = [];
  lossSum = 0;
  correct = 0;

  constructor(
    private readonly classCount: number,
    private readonly allowed: number[][],
  ) {
    this.confusion = allowed.map(() => new Array<number>(classCount).fill(0));
  }

  add(index: number, label: number, row: Float32Array): void {
    let pred = 0;
    let sum = 0;
    for (let c = 0; c < this.classCount; c++) {
      sum += row[c]!;
      if (row[c]! > row[pred]!) pred = c;
    }
    const allowed = this.allowed[label]!;
    const right = allowed.reduce((p, c) => p + row[c]!, 0);
    // Keras' categorical cross-entropy (rescale to sum 1, clip, −log p) over the allowed classes.
    this.lossSum -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, right / sum)));
    this.confusion[label]![pred]!++;
    if (allowed.includes(pred)) this.correct++;
    else this.misclassified.push({ index, label, pred, confidence: row[pred]! / sum });
  }

  result(n: number): Evaluation {
    this.misclassified.sort((a, b) => b.confidence - a.confidence);
    return {
      loss: n > 0 ? this.lossSum / n : 0,
      acc: n > 0 ? this.correct / n : 0,
      confusion: this.confusion,
      perClass: classScores(this.confusion, this.allowed),
      mostConfused: mostConfused(this.confusion, 5, this.allowed),
      misclassified: this.misclassified,
    };
  }
}

/**
 * Precision, recall and F1 per label from confusion[label][pred]; 0 where undefined. A label's
 * answers are its allowed classes (the label's own class when labels are classes): recall is the
 * share of its images answered with one of them, precision the share of those answers that were
 * its images.
 */
export function classScores(confusion: number[][], allowed: number[][] = allowedOf(confusion.length)): ClassScore[] {
  return confusion.map((row, label) => {
    const mine = allowed[label]!;
    const tp = mine.reduce((a, c) => a + row[c]!, 0);
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + mine.reduce((b, c) => b + r[c]!, 0), 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

export function mostConfused(
  confusion: number[][],
  top: number,
  allowed: number[][] = allowedOf(confusion.length),
): { true: number; pred: number; count: number }[] {
  const cells: { true: number; pred: number; count: number }[] = [];
  confusion.forEach((row, t) =>
    row.forEach((count, p) => {
      if (!allowed[t]!.includes(p) && count > 0) cells.push({ true: t, pred: p, count });
    }),
  );
  return cells.sort((a, b) => b.count - a.count || a.true - b.true || a.pred - b.pred).slice(0, top);
}
