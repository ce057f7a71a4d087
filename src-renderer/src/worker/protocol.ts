// The typed message protocol between the UI and the ML Worker. Calls carry an id and get exactly
// one reply; events stream from the Worker (training and evaluation progress).
//
// The Worker holds the dataset (sent once) and one *current model*: the one last trained or
// loaded. Evaluate, predict and saliency act on the current model, on its pixel scale; pictures
// and probabilities cross this boundary in [0, 1] whatever the model's scale.
import type { BackendName, GpuAdapterInfo, Probe } from '../ml/backend-rule';
import type { Evaluation } from '../ml/evaluate';
import type { PixelScale } from '../ml/model-input';
import type { ModelFiles } from '../../../src-shared/types/model';
import type { BatchProgress } from '../ml/trainer';
import type { FineTune } from '../ml/fine-tune';
import type { Hyperparameters, LayerSpec } from '../../../src-shared/types/train';
import type { EpochMetrics, RunState } from '../../../src-shared/types/run';

export interface BackendInfo {
  name: BackendName;
  reason: string;
  adapter: GpuAdapterInfo | null;
  webgl: Probe['webgl'];
  threads: number;
  probe: Probe;
}

export interface WorkerDataset {
  id: string;
  name: string;
  rows: number;
  cols: number;
  /** The model's outputs (classNames.length). */
  classCount: number;
  /** The dataset's class names; needed to start from a saved model (its head is kept when they are its own). */
  classNames?: string[];
  /** Labels that are not class indices (DatasetPayload.labelNames/allowed, src-shared/targets.ts): both or neither. */
  labelNames?: string[];
  allowed?: number[][];
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** A saved model to start from (what models:load answers fits: ModelArtifacts). */
export interface StartFrom extends ModelFiles {
  meta: { classNames: string[]; hyper: { pixelScale: PixelScale } };
}

/**
 * Images that join every epoch of a run (Fashion-MNIST under a photo set, so its classes are not
 * forgotten): a fresh seeded draw of `ratio` × the dataset's training images each epoch. Labels
 * are indices of the dataset's classNames. Buffers are transferred: send copies.
 */
export interface MixRequest {
  images: Uint8Array;
  labels: Uint8Array;
  ratio: number;
}

export interface TrainRequest {
  /** The network to build; ignored with `startFrom` (the saved model's layers are used). */
  layers: LayerSpec[];
  hyper: Hyperparameters;
  /** Test images to score the trained model on (0 = the whole test set). */
  testLimit: number;
  /** The dataset the run was started on: the worker refuses to train on any other. */
  datasetId: string;
  /**
   * Fine-tune: start from this saved model instead of fresh weights. Its output layer is kept when
   * the dataset's classNames are the model's own (in order), else replaced by a new one.
   */
  startFrom?: StartFrom;
  /** With `startFrom`: layers to freeze, the kept layers’ learning-rate factor and the class balance (default DEFAULT_FINE_TUNE). */
  fineTune?: FineTune;
  mix?: MixRequest;
}

/** What a finished run answers: its figures, and the trained model itself. */
export interface TrainReply {
  state: Exclude<RunState, 'failed'>;
  history: EpochMetrics[];
  bestEpoch: number | null;
  imagesPerSecond: number;
  trainingMs: number;
  backend: BackendName;
  params: number;
  /** Test-set metrics of the final (or restored best) weights. */
  test: { loss: number; acc: number; confusion: number[][]; count: number };
  /**
   * The trained weights, exported before the reply was sent and transferred with it: saving
   * these (never "whatever the worker holds now") keeps a model swap from slipping in between.
   */
  model: ModelFiles;
  /** The trained model as it became the worker's current model. */
  info: ModelInfo;
  /** Set for a run that started from a saved model: whether its output layer was kept, and the frozen layers. */
  startedFrom?: { headKept: boolean; frozen: string[] };
}

export interface ModelInfo {
  /** Serial number of the model in the worker: a larger key became current later. */
  key: number;
  params: number;
  /** Human-readable source, e.g. "Trained run" or the saved model's name. */
  label: string;
  /** [rows, cols, channels]. */
  inputShape: number[];
  classes: number;
  pixelScale: PixelScale;
}

export type TrainPhase = 'preparing' | 'training' | 'paused' | 'stopping' | 'testing' | 'idle';

export interface LoadRequest extends ModelFiles {
  label: string;
  pixelScale: PixelScale;
  /**
   * Replace only if the current model is still this one (its key; null: no model). A load decided
   * before a run ended must not replace the model that run made. Absent: always replace.
   */
  ifCurrent?: number | null;
}

/** `loaded` is false when `ifCurrent` no longer held; `info` is then the model that stays current. */
export interface LoadReply {
  loaded: boolean;
  info: ModelInfo;
}

/** method → [argument, result]. */
export type WorkerCalls = {
  init: { arg: { override: BackendName | null }; res: BackendInfo };
  /** Buffers are transferred: the caller sends copies. */
  setData: { arg: WorkerDataset; res: { train: number; test: number } };
  train: { arg: TrainRequest; res: TrainReply };
  pause: { arg: null; res: boolean };
  resume: { arg: null; res: boolean };
  stop: { arg: null; res: boolean };
  /** Evaluates the current model on the test set of the dataset the worker holds. */
  evaluate: { arg: null; res: { evaluation: Evaluation; modelKey: number; datasetId: string } };
  loadModel: { arg: LoadRequest; res: LoadReply };
  /** n 28×28 pictures in [0,1] (resized to the model's size) → n·classes probabilities. */
  predict: { arg: { inputs: Float32Array }; res: { probs: Float32Array; ms: number; modelKey: number } };
  /** Which pixels of a 28×28 picture drove the decision, 784 values in [0,1]. */
  saliency: { arg: { input: Float32Array; classIndex: number | null }; res: { map: Float32Array; modelKey: number } };
};

export type WorkerEvents = {
  backend: BackendInfo;
  phase: { phase: TrainPhase };
  batch: BatchProgress;
  /** Includes the worker's live tensor count at the end of the epoch (it must not grow). */
  epoch: EpochMetrics & { numTensors: number; numBytes: number };
  evalProgress: { done: number; total: number };
  model: ModelInfo;
};
