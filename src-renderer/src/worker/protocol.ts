// The typed message protocol between the UI and the ML Worker. Calls carry an id and get exactly
// one reply; events stream from the Worker (training and evaluation progress).
//
// The Worker holds the dataset (sent once) and one *current model*: the one last trained or
// loaded. Evaluate, predict and saliency act on the current model.
import type { BackendName, GpuAdapterInfo, Probe } from '../ml/backend-rule';
import type { Evaluation } from '../ml/evaluate';
import type { BatchProgress } from '../ml/trainer';
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
  rows: number;
  cols: number;
  classCount: number;
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

export interface TrainRequest {
  layers: LayerSpec[];
  hyper: Hyperparameters;
  /** Test images to score the trained model on (0 = the whole test set). */
  testLimit: number;
}

export interface TrainOutcome {
  state: Exclude<RunState, 'failed'>;
  history: EpochMetrics[];
  bestEpoch: number | null;
  imagesPerSecond: number;
  trainingMs: number;
  backend: BackendName;
  params: number;
  /** Test-set metrics of the final (or restored best) weights. */
  test: { loss: number; acc: number; confusion: number[][]; count: number };
}

export interface ModelInfo {
  params: number;
  /** Human-readable source, e.g. "trained run" or the saved model's name. */
  label: string;
  inputShape: number[];
  classes: number;
}

export type TrainPhase = 'preparing' | 'training' | 'paused' | 'validating' | 'testing' | 'idle';

export interface ModelArtifactsMsg {
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}

/** method → [argument, result]. */
export type WorkerCalls = {
  init: { arg: { override: BackendName | null }; res: BackendInfo };
  /** Buffers are transferred: the caller sends copies. */
  setData: { arg: WorkerDataset; res: { train: number; test: number } };
  train: { arg: TrainRequest; res: TrainOutcome };
  pause: { arg: null; res: boolean };
  resume: { arg: null; res: boolean };
  stop: { arg: null; res: boolean };
  /** Evaluates the current model on the test set. */
  evaluate: { arg: null; res: Evaluation };
  /** The current model in the tfjs layers format, for saving. */
  exportModel: { arg: null; res: ModelArtifactsMsg };
  loadModel: { arg: ModelArtifactsMsg & { label: string }; res: ModelInfo };
  /** n·784 inputs in [0,1] → n·classes probabilities. */
  predict: { arg: { inputs: Float32Array }; res: { probs: Float32Array; ms: number } };
  /** Which pixels drove the decision, 784 values in [0,1]. */
  saliency: { arg: { input: Float32Array; classIndex: number | null }; res: { map: Float32Array } };
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
