// What the Classify schedulers share: the services they call (the ML worker and the file preparer
// in the app, stand-ins in tests) and the gate they all check — which model is loaded, and whether
// the worker has failed.
import type { Prepared } from '../classify/prepare-image';
import type { SegmentHints } from '../classify/segment';

export interface Classifier {
  /** n·784 inputs in [0,1] → n·classes probabilities. */
  predict(inputs: Float32Array): Promise<Float32Array>;
  /** 784 values in [0,1]: how much each pixel drove the score of `classIndex`. */
  saliency(input: Float32Array, classIndex: number): Promise<Float32Array>;
}

export interface ClassifyDeps {
  classifier: Classifier;
  /** Decodes and preprocesses one file (in a worker in the app); hints cut a photo where the user marked it. */
  prepare: (blob: Blob, name: string, hints?: SegmentHints) => Promise<Prepared>;
  /** Runs a callback before the next paint (requestAnimationFrame). */
  frame: (cb: () => void) => void;
  /** Gives the UI a turn between files. */
  yieldToUi: () => Promise<void>;
  now: () => number;
}

/** The model token and the error every scheduler reads; ClassifyState owns both. */
export interface ModelGate {
  /** Any value that changes identity when the worker's model does; null before one is set. */
  readonly model: unknown;
  readonly hasModel: boolean;
  error: string | null;
}

/** Pixels per picture: Classify prepares 28×28 inputs (the worker resizes them for other models). */
export const PIXELS = 784;
