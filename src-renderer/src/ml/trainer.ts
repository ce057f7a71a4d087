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
import { augments } from './augment';
import type { TrainData } from './data';
import { registerFastGradients } from './gradients';
import { allowedCrossentropy, learningRateAt, makeOptimizer, setLearningRate } from './optim';
import { nextSeed, streamFor, type Rng } from './random';
import { countCorrect, readPair, validate } from './train-metrics';
import type { FinishedState, TrainCallbacks, TrainerOptions, TrainResult } from './train-types';
import { trainingForward } from './training-forward';
import { yieldToEventLoop } from './yield';

export type { BatchProgress, FinishedState, TrainCallbacks, TrainerOptions, TrainResult } from './train-types';

/** tfjs Dropout re-uses its seed on every call; we give it a fresh seeded one per step. */
type SeededLayer = { seed?: number };

/** Weights trained at one learning rate (× lrFactor) by an optimizer of their own. */
interface ParamGroup {
  optimizer: tf.Optimizer;
  vars: tf.Variable[];
  lrFactor: number;
}

/** What stays fixed for a whole run. */
interface RunPlan {
  batches: number;
  augment: Parameters<TrainData['trainBatch']>[3];
  dropoutRng: Rng;
}

/** An epoch's clock: its start, and the pause time counted before it began. */
interface EpochClock {
  start: number;
  pausedBefore: number;
}

/** What an epoch's batches add up to, read back from the device. */
interface EpochSums {
  loss: number;
  correct: number;
  seen: number;
  /** The learning rate of its last batch. */
  lr: number;
}

/** Runs once: run() disposes its optimizer at the end. */
export class Trainer {
  /** One group, or two with `baseLrFactor`: the output layer at the full rate, the rest lower. */
  private readonly groups: ParamGroup[];
  private readonly dropouts: SeededLayer[];
  private pauseGate: Promise<void> | null = null;
  private releasePause: (() => void) | null = null;
  private stopRequested = false;
  private pausedMs = 0;
  /** Images trained on and optimizer steps taken since the run began. */
  private seen = 0;
  private step = 0;
  /** The best epoch so far and a snapshot of its weights (only with early stopping on). */
  private best: { score: number; epoch: number; weights: tf.Tensor[] } | null = null;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly data: TrainData,
    private readonly hyper: Hyperparameters,
    private readonly callbacks: TrainCallbacks = {},
    private readonly opts: TrainerOptions = {},
  ) {
    // Same maths as tfjs-core's batch-norm gradient, much faster on wasm; idempotent.
    registerFastGradients();
    this.groups = paramGroups(model, hyper, opts.baseLrFactor ?? 1);
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
    const plan = this.plan();
    const history: EpochMetrics[] = [];
    let outcome: FinishedState = 'completed';
    const runStart = performance.now();
    this.pausedMs = 0;
    try {
      for (let epoch = 1; epoch <= this.hyper.epochs && !this.stopRequested; epoch++) {
        const clock: EpochClock = { start: performance.now(), pausedBefore: this.pausedMs };
        const sums = await this.runEpoch(epoch, plan, clock);
        // A stop mid-epoch leaves a partial epoch: it is not scored or recorded.
        if (this.stopRequested && sums.seen < this.data.trainCount) break;
        const metrics = await this.readMetrics(epoch, sums, clock);
        history.push(metrics);
        this.rememberBest(metrics);
        await this.callbacks.onEpoch?.(metrics);
        if (this.earlyStop(epoch)) {
          outcome = 'early-stopped';
          break;
        }
      }
      if (this.stopRequested && outcome === 'completed') outcome = 'stopped';
      const bestEpoch = this.restoreBest(outcome, history.length);
      const trainingMs = performance.now() - runStart - this.pausedMs;
      return { outcome, history, bestEpoch, imagesPerSecond: trainingMs > 0 ? (this.seen / trainingMs) * 1000 : 0, trainingMs };
    } finally {
      if (this.best) tf.dispose(this.best.weights);
      for (const g of this.groups) g.optimizer.dispose();
      for (const layer of this.dropouts) delete layer.seed;
    }
  }

  private plan(): RunPlan {
    const { hyper } = this;
    const augmentRng = streamFor(hyper.seed, 'augment');
    return {
      batches: Math.ceil(this.data.trainCount / hyper.batchSize),
      augment: augments(hyper.augment) ? { opts: hyper.augment, rng: augmentRng } : undefined,
      dropoutRng: streamFor(hyper.seed, 'dropout'),
    };
  }

  /**
   * One pass over the training set (or until a stop): one optimizer step per batch, the sums kept
   * on the device, progress read back now and then without waiting for it.
   */
  private async runEpoch(epoch: number, plan: RunPlan, clock: EpochClock): Promise<EpochSums> {
    const { hyper, data } = this;
    const order = data.epochOrder();
    const sums = { loss: tf.scalar(0), correct: tf.scalar(0) };
    const readEvery = this.opts.readEvery ?? 4;
    const maxAhead = this.opts.maxAhead ?? 16;
    let pending: { read: Promise<void>; since: number } | null = null;
    let epochSeen = 0;
    let lr = hyper.learningRate;
    try {
      for (let b = 0; b < plan.batches; b++) {
        if (this.pauseGate) await this.waitWhilePaused(pending?.read);
        if (this.stopRequested) break;
        const start = b * hyper.batchSize;
        const size = Math.min(hyper.batchSize, data.trainCount - start);
        lr = learningRateAt(hyper, this.step, plan.batches);
        for (const g of this.groups) setLearningRate(g.optimizer, lr * g.lrFactor);
        for (const layer of this.dropouts) layer.seed = nextSeed(plan.dropoutRng);
        const [newLoss, newCorrect] = this.trainStep(order, start, size, plan.augment, sums.loss, sums.correct);
        tf.dispose([sums.loss, sums.correct]);
        [sums.loss, sums.correct] = [newLoss, newCorrect];
        this.step++;
        this.seen += size;
        epochSeen += size;
        if (!pending && (b % readEvery === readEvery - 1 || b === plan.batches - 1) && this.callbacks.onBatch) {
          const at = { epoch, batch: b + 1, batches: plan.batches, epochSeen, seen: this.seen };
          const read = this.reportBatch(sums, at, clock).then(() => void (pending = null));
          pending = { read, since: b };
        }
        if (pending && b - pending.since >= maxAhead) await pending.read;
        await yieldToEventLoop();
      }
      await pending?.read;
      const [loss, correct] = await readPair(sums.loss, sums.correct);
      return { loss, correct, seen: epochSeen, lr };
    } finally {
      // Also on an error mid-epoch; disposing a disposed tensor is a no-op.
      tf.dispose([order, sums.loss, sums.correct]);
    }
  }

  /** Reads the running sums back asynchronously and reports them as batch progress. */
  private async reportBatch(
    sums: { loss: tf.Scalar; correct: tf.Scalar },
    at: { epoch: number; batch: number; batches: number; epochSeen: number; seen: number },
    clock: EpochClock,
  ): Promise<void> {
    // A copy, since the sums are replaced (and disposed) by the next batches.
    const snapshot = tf.stack([sums.loss, sums.correct]);
    const v = await snapshot.data();
    snapshot.dispose();
    const ms = performance.now() - clock.start - (this.pausedMs - clock.pausedBefore);
    this.callbacks.onBatch?.({
      epoch: at.epoch,
      batch: at.batch,
      batches: at.batches,
      loss: v[0]! / at.epochSeen,
      acc: v[1]! / at.epochSeen,
      imagesPerSecond: (at.epochSeen / ms) * 1000,
      seen: at.seen,
    });
  }

  /** The epoch's metrics: its training sums and, with a hold-out, a validation pass. */
  private async readMetrics(epoch: number, sums: EpochSums, clock: EpochClock): Promise<EpochMetrics> {
    const val = this.data.valCount > 0 ? await validate(this.model, this.data, this.opts.evalBatchSize ?? 500) : null;
    return {
      epoch,
      loss: sums.loss / sums.seen,
      acc: sums.correct / sums.seen,
      valLoss: val?.loss ?? null,
      valAcc: val?.acc ?? null,
      lr: sums.lr,
      ms: performance.now() - clock.start - (this.pausedMs - clock.pausedBefore),
    };
  }

  /** With early stopping on, snapshots the weights of the best epoch so far. */
  private rememberBest(metrics: EpochMetrics): void {
    if (this.hyper.patience <= 0) return;
    const score = metrics.valAcc ?? metrics.acc;
    if (this.best && !(score > this.best.score)) return;
    if (this.best) tf.dispose(this.best.weights);
    // clone() shares the data until the variable is next assigned: a cheap snapshot.
    this.best = { score, epoch: metrics.epoch, weights: this.model.getWeights().map((w) => w.clone()) };
  }

  /** `patience` epochs have passed without a better one. */
  private earlyStop(epoch: number): boolean {
    return this.best !== null && epoch - this.best.epoch >= this.hyper.patience;
  }

  /** The kept model is the best one seen, whether training stopped early or ran out; returns its epoch. */
  private restoreBest(outcome: FinishedState, epochs: number): number | null {
    if (!this.best || outcome === 'stopped') return null;
    if (this.best.epoch !== epochs) this.model.setWeights(this.best.weights);
    return this.best.epoch;
  }

  /** One optimizer step; returns the updated device-side sums (loss·n and correct count). */
  private trainStep(
    order: tf.Tensor1D,
    start: number,
    size: number,
    augment: Parameters<TrainData['trainBatch']>[3],
    lossSum: tf.Scalar,
    correctSum: tf.Scalar,
  ): [tf.Scalar, tf.Scalar] {
    const smoothing = this.hyper.labelSmoothing;
    return tf.tidy(() => {
      const { xs, ys } = this.data.trainBatch(order, start, size, augment);
      const kept: tf.Scalar[] = [];
      const lossOf = (): tf.Scalar => {
        const preds = trainingForward(this.model, xs) as tf.Tensor2D;
        // Kept out of the gradient's tidy; tidy never frees a kept tensor, so we dispose it below.
        kept.push(tf.keep(countCorrect(preds, ys)));
        return allowedCrossentropy(ys, preds, smoothing);
      };
      const loss = this.minimize(lossOf);
      const correct = tf.add(correctSum, kept[0]!) as tf.Scalar;
      tf.dispose(kept);
      return [tf.add(lossSum, tf.mul(loss, size)) as tf.Scalar, correct];
    });
  }

  /** One update of every group from one gradient computation; returns the loss. Call inside tf.tidy. */
  private minimize(lossOf: () => tf.Scalar): tf.Scalar {
    const [only] = this.groups;
    if (this.groups.length === 1) return only!.optimizer.minimize(lossOf, true, only!.vars) as tf.Scalar;
    const { value, grads } = tf.variableGrads(lossOf, this.groups.flatMap((g) => g.vars));
    for (const g of this.groups) g.optimizer.applyGradients(Object.fromEntries(g.vars.map((v) => [v.name, grads[v.name]!])));
    return value;
  }

  /** Waits at the pause gate; the progress read in flight lands first, so a paused run has shown all it did. */
  private async waitWhilePaused(inFlight?: Promise<void>): Promise<void> {
    await inFlight;
    const since = performance.now();
    if (this.pauseGate && !this.stopRequested) this.callbacks.onPause?.();
    while (this.pauseGate && !this.stopRequested) await this.pauseGate;
    this.pausedMs += performance.now() - since;
  }

}

/**
 * The trainable weights in optimizer groups. With `baseLrFactor` ≠ 1, the output layer trains at
 * the run's rate and every other layer at `baseLrFactor` × it, each group with its own optimizer:
 * Adam (and RMSprop) divide the gradient by its own running scale, so scaling gradients would
 * change nothing; the step size itself must differ.
 */
function paramGroups(model: tf.LayersModel, hyper: Hyperparameters, baseLrFactor: number): ParamGroup[] {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const head = [...model.layers].reverse().find((l) => l.trainableWeights.length > 0);
  const headNames = new Set(head?.trainableWeights.map((w) => (w.read() as tf.Variable).name) ?? []);
  const base = vars.filter((v) => !headNames.has(v.name));
  if (baseLrFactor === 1 || base.length === 0 || base.length === vars.length) return [{ optimizer: makeOptimizer(hyper), vars, lrFactor: 1 }];
  return [
    { optimizer: makeOptimizer(hyper), vars: vars.filter((v) => headNames.has(v.name)), lrFactor: 1 },
    { optimizer: makeOptimizer({ ...hyper, learningRate: hyper.learningRate * baseLrFactor }), vars: base, lrFactor: baseLrFactor },
  ];
}
