/**
 * Our own training loop (not model.fit): one optimizer step per batch inside tf.tidy, metrics
 * summed on the device and read back asynchronously, pause/resume/stop between batches, a
 * learning-rate schedule, label smoothing, and early stopping that restores the best weights.
 * Everything random comes from the seed, so the same seed on the same backend gives the same
 * curve.
 */
import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters } from '../../../src-shared/types/train';
import type { EpochMetrics } from '../../../src-shared/types/run';
import type { TrainData } from './data';
import { registerFastGradients } from './gradients';
import { categoricalCrossentropy, learningRateAt, makeOptimizer, setLearningRate } from './optim';
import { nextSeed, streamFor } from './random';
import { yieldToEventLoop } from './yield';

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
}

export type TrainOutcome = 'completed' | 'stopped' | 'early-stopped';

export interface TrainResult {
  outcome: TrainOutcome;
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
}

/** tfjs Dropout re-uses its seed on every call; we give it a fresh seeded one per step. */
type SeededLayer = { seed?: number };

/** Runs once: run() disposes its optimizer at the end. */
export class Trainer {
  private readonly optimizer: tf.Optimizer;
  private readonly dropouts: SeededLayer[];
  private pauseGate: Promise<void> | null = null;
  private releasePause: (() => void) | null = null;
  private stopRequested = false;
  private pausedMs = 0;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly data: TrainData,
    private readonly hyper: Hyperparameters,
    private readonly callbacks: TrainCallbacks = {},
    private readonly opts: TrainerOptions = {},
  ) {
    // Same maths as tfjs-core's batch-norm gradient, much faster on wasm; idempotent.
    registerFastGradients();
    this.optimizer = makeOptimizer(hyper);
    this.dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as SeededLayer[];
  }

  get paused(): boolean {
    return this.pauseGate !== null;
  }

  pause(): void {
    if (this.pauseGate) return;
    this.pauseGate = new Promise((resolve) => (this.releasePause = resolve));
  }

  resume(): void {
    this.releasePause?.();
    this.pauseGate = null;
    this.releasePause = null;
  }

  /** Ends the run after the current batch; the model keeps the weights trained so far. */
  stop(): void {
    this.stopRequested = true;
    this.resume();
  }

  async run(): Promise<TrainResult> {
    const { hyper, data } = this;
    const batchSize = hyper.batchSize;
    const batches = Math.ceil(data.trainCount / batchSize);
    const vars = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const augmentRng = streamFor(hyper.seed, 'augment');
    const dropoutRng = streamFor(hyper.seed, 'dropout');
    const augment = hyper.augment.shift > 0 || hyper.augment.flip ? { opts: hyper.augment, rng: augmentRng } : undefined;
    const readEvery = this.opts.readEvery ?? 4;
    const maxAhead = this.opts.maxAhead ?? 16;
    const monitorVal = data.valCount > 0;

    const history: EpochMetrics[] = [];
    let best: { score: number; epoch: number; weights: tf.Tensor[] } | null = null;
    let outcome: TrainOutcome = 'completed';
    let seen = 0;
    let step = 0;
    const runStart = performance.now();
    this.pausedMs = 0;

    try {
      for (let epoch = 1; epoch <= hyper.epochs && !this.stopRequested; epoch++) {
        const epochStart = performance.now();
        const pausedAtEpochStart = this.pausedMs;
        const order = data.epochOrder();
        let lossSum: tf.Scalar = tf.scalar(0);
        let correctSum: tf.Scalar = tf.scalar(0);
        let pending: Promise<void> | null = null;
        let pendingSince = 0;
        let epochSeen = 0;
        let lr = hyper.learningRate;
        let lossTotal = 0;
        let correctTotal = 0;

        try {
          for (let b = 0; b < batches; b++) {
            if (this.pauseGate) await this.waitWhilePaused();
            if (this.stopRequested) break;
            const start = b * batchSize;
            const size = Math.min(batchSize, data.trainCount - start);
            lr = learningRateAt(hyper, step, batches);
            setLearningRate(this.optimizer, lr);
            for (const layer of this.dropouts) layer.seed = nextSeed(dropoutRng);

            const [newLoss, newCorrect] = this.trainStep(order, start, size, augment, vars, lossSum, correctSum);
            tf.dispose([lossSum, correctSum]);
            lossSum = newLoss;
            correctSum = newCorrect;
            step++;
            seen += size;
            epochSeen += size;

            if (!pending && (b % readEvery === readEvery - 1 || b === batches - 1) && this.callbacks.onBatch) {
              // A copy, since the sums are replaced (and disposed) by the next batches.
              const snapshot = tf.stack([lossSum, correctSum]);
              const at = { batch: b + 1, epochSeen, seen };
              pendingSince = b;
              pending = snapshot.data().then((v) => {
                snapshot.dispose();
                pending = null;
                const ms = performance.now() - epochStart - (this.pausedMs - pausedAtEpochStart);
                this.callbacks.onBatch?.({
                  epoch,
                  batch: at.batch,
                  batches,
                  loss: v[0]! / at.epochSeen,
                  acc: v[1]! / at.epochSeen,
                  imagesPerSecond: (at.epochSeen / ms) * 1000,
                  seen: at.seen,
                });
              });
            }
            if (pending && b - pendingSince >= maxAhead) await pending;
            await yieldToEventLoop();
          }
          await pending;
          [lossTotal, correctTotal] = await readPair(lossSum, correctSum);
        } finally {
          // Also on an error mid-epoch; disposing a disposed tensor is a no-op.
          tf.dispose([order, lossSum, correctSum]);
        }
        if (this.stopRequested && epochSeen < data.trainCount) break;

        const val = monitorVal ? await this.validate() : null;
        const metrics: EpochMetrics = {
          epoch,
          loss: lossTotal / epochSeen,
          acc: correctTotal / epochSeen,
          valLoss: val?.loss ?? null,
          valAcc: val?.acc ?? null,
          lr,
          ms: performance.now() - epochStart - (this.pausedMs - pausedAtEpochStart),
        };
        history.push(metrics);

        if (hyper.patience > 0) {
          const score = metrics.valAcc ?? metrics.acc;
          if (!best || score > best.score) {
            if (best) tf.dispose(best.weights);
            // clone() shares the data until the variable is next assigned: a cheap snapshot.
            best = { score, epoch, weights: this.model.getWeights().map((w) => w.clone()) };
          }
        }
        await this.callbacks.onEpoch?.(metrics);
        if (best && epoch - best.epoch >= hyper.patience) {
          outcome = 'early-stopped';
          break;
        }
      }
      if (this.stopRequested && outcome === 'completed') outcome = 'stopped';

      let bestEpoch: number | null = null;
      if (best && outcome !== 'stopped') {
        // The kept model is the best one seen, whether training stopped early or ran out.
        if (best.epoch !== history.length) this.model.setWeights(best.weights);
        bestEpoch = best.epoch;
      }
      const trainingMs = performance.now() - runStart - this.pausedMs;
      return { outcome, history, bestEpoch, imagesPerSecond: trainingMs > 0 ? (seen / trainingMs) * 1000 : 0, trainingMs };
    } finally {
      if (best) tf.dispose(best.weights);
      this.optimizer.dispose();
      for (const layer of this.dropouts) delete layer.seed;
    }
  }

  /** One optimizer step; returns the updated device-side sums (loss·n and correct count). */
  private trainStep(
    order: tf.Tensor1D,
    start: number,
    size: number,
    augment: Parameters<TrainData['trainBatch']>[3],
    vars: tf.Variable[],
    lossSum: tf.Scalar,
    correctSum: tf.Scalar,
  ): [tf.Scalar, tf.Scalar] {
    const smoothing = this.hyper.labelSmoothing;
    return tf.tidy(() => {
      const { xs, ys, labels } = this.data.trainBatch(order, start, size, augment);
      const targets = smoothing > 0 ? tf.add(tf.mul(ys, 1 - smoothing), smoothing / ys.shape[1]) : ys;
      const kept: tf.Scalar[] = [];
      const loss = this.optimizer.minimize(
        () => {
          const preds = this.model.apply(xs, { training: true }) as tf.Tensor2D;
          // Kept out of the gradient's tidy; tidy never frees a kept tensor, so we dispose it below.
          kept.push(tf.keep(countCorrect(preds, labels)));
          return categoricalCrossentropy(targets as tf.Tensor2D, preds);
        },
        true,
        vars,
      ) as tf.Scalar;
      const correct = tf.add(correctSum, kept[0]!) as tf.Scalar;
      tf.dispose(kept);
      return [tf.add(lossSum, tf.mul(loss, size)) as tf.Scalar, correct];
    });
  }

  private async validate(): Promise<{ loss: number; acc: number }> {
    const n = this.data.valCount;
    const size = this.opts.evalBatchSize ?? 500;
    let lossSum: tf.Scalar = tf.scalar(0);
    let correctSum: tf.Scalar = tf.scalar(0);
    for (let start = 0; start < n; start += size) {
      const next = tf.tidy(() => {
        const { xs, ys, labels } = this.data.valBatch(start, Math.min(size, n - start));
        const preds = this.model.apply(xs, { training: false }) as tf.Tensor2D;
        const loss = tf.mul(categoricalCrossentropy(ys, preds), xs.shape[0]);
        return [tf.add(lossSum, loss), tf.add(correctSum, countCorrect(preds, labels))] as [tf.Scalar, tf.Scalar];
      });
      tf.dispose([lossSum, correctSum]);
      [lossSum, correctSum] = next;
      await yieldToEventLoop();
    }
    const [loss, correct] = await readPair(lossSum, correctSum);
    tf.dispose([lossSum, correctSum]);
    return { loss: loss / n, acc: correct / n };
  }

  private async waitWhilePaused(): Promise<void> {
    const since = performance.now();
    while (this.pauseGate && !this.stopRequested) await this.pauseGate;
    this.pausedMs += performance.now() - since;
  }
}

function countCorrect(preds: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(preds, -1), labels), 'float32'));
}

/** Reads two scalars with one async transfer. */
async function readPair(a: tf.Scalar, b: tf.Scalar): Promise<[number, number]> {
  const stacked = tf.stack([a, b]);
  try {
    const [x = NaN, y = NaN] = await stacked.data();
    return [x, y];
  } finally {
    stacked.dispose();
  }
}
