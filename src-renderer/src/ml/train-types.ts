// What the Trainer reports and takes: progress per batch, callbacks, options, and its result.
import type { EpochMetrics } from '../../../src-shared/types/run';

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  /** Running means over the epoch so far. */
  loss: number;
  acc: number;
  imagesPerSecond: number;
  /** Images trained on since the run began. */
  seen: number;
}

export interface TrainCallbacks {
  onBatch?: (p: BatchProgress) => void;
  onEpoch?: (m: EpochMetrics) => void | Promise<void>;
  /** The run is now waiting at its pause gate, its last progress report delivered. */
  onPause?: () => void;
}

/** How a run ended, short of failing. */
export type FinishedState = 'completed' | 'stopped' | 'early-stopped';

export interface TrainResult {
  outcome: FinishedState;
  history: EpochMetrics[];
  /** 1-based epoch whose weights the model holds when early stopping restored them. */
  bestEpoch: number | null;
  imagesPerSecond: number;
  trainingMs: number;
}

export interface TrainerOptions {
  /** Start a metrics read-back every this many batches (only when none is in flight). */
  readEvery?: number;
  /** Wait for the pending read once this many batches are queued behind it (GPU backpressure). */
  maxAhead?: number;
  /** Batch size of the validation pass. */
  evalBatchSize?: number;
  /**
   * Learning rate of every layer but the output one, × the run's (fine-tuning: the kept layers
   * move less than the new head). Default 1: one rate for all.
   */
  baseLrFactor?: number;
}
