// A training run as data, fixed when it starts: what the worker is asked (a fresh network, or a
// saved model to fine-tune with a mix), and what is kept afterwards (the saved model's meta, the
// run's record). Plain functions, so the Train state stays about the run's progress.
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { ModelArtifacts, ModelSave } from '../../../src-shared/types/model';
import type { EpochMetrics, RunRecord, RunState } from '../../../src-shared/types/run';
import type { Hyperparameters, LayerSpec } from '../../../src-shared/types/train';
import type { FineTune } from '../ml/fine-tune';
import type { BatchProgress } from '../ml/trainer';
import type { MixRequest, TrainReply, TrainRequest } from '../worker/protocol';
import { datasetRefOf } from './current-model';

/** Everything a run is, fixed when it starts. */
export interface RunPlan {
  id: string;
  name: string;
  preset: string;
  layers: LayerSpec[];
  hyper: Hyperparameters;
  testLimit: number;
  startedAt: string;
  data: DatasetPayload;
  /** The saved model the run starts from, with how it is fine-tuned. */
  from: { model: ModelArtifacts; fineTune: FineTune } | null;
  /** Another set's images mixed into every epoch (its labels are the run's classes). */
  mix: MixRequest | null;
}

/** How a run ended: the worker's reply if training finished, and the first error if any. */
export interface RunEnd {
  state: RunState;
  reply: TrainReply | null;
  error: string | null;
  lastProgress: BatchProgress | null;
}

/** The worker's train request, and the buffers it may take over (transferred, not copied). */
export function requestOf(plan: RunPlan): { request: TrainRequest; transfer: ArrayBuffer[] } {
  const request: TrainRequest = { layers: plan.layers, hyper: plan.hyper, testLimit: plan.testLimit, datasetId: plan.data.id };
  const transfer: ArrayBuffer[] = [];
  if (plan.from) {
    const { modelJson, weights, meta } = plan.from.model;
    request.startFrom = { modelJson, weights, meta: { classNames: [...meta.classNames], hyper: { pixelScale: meta.hyper.pixelScale } } };
    request.fineTune = plan.from.fineTune;
    transfer.push(weights.buffer as ArrayBuffer);
  }
  if (plan.mix) {
    request.mix = plan.mix;
    transfer.push(plan.mix.images.buffer as ArrayBuffer, plan.mix.labels.buffer as ArrayBuffer);
  }
  return { request, transfer };
}

/** The saved model's meta: an ordinary model, its classes the dataset's, whatever it started from. */
export function savedMetaOf(plan: RunPlan, reply: TrainReply): ModelSave['meta'] {
  const { data } = plan;
  return {
    name: `${plan.name} · ${(reply.test.acc * 100).toFixed(1)}%`,
    preset: plan.preset,
    layers: plan.layers,
    hyper: plan.hyper,
    history: reply.history,
    testMetrics: reply.test,
    backend: reply.backend,
    trainingMs: reply.trainingMs,
    dataset: datasetRefOf(data),
    classNames: [...data.classNames],
    inputShape: [data.rows, data.cols, 1],
    params: reply.params,
  };
}

/** The run's record, even of a failed run (`sofar`: what the UI saw when there is no reply). */
export function runRecordOf(plan: RunPlan, end: RunEnd, sofar: { history: EpochMetrics[]; modelId: string | null }): RunRecord {
  const { reply } = end;
  return {
    id: plan.id,
    name: plan.name,
    preset: plan.preset,
    layers: plan.layers,
    hyper: plan.hyper,
    dataset: datasetRefOf(plan.data),
    backend: reply?.backend ?? 'unknown',
    startedAt: plan.startedAt,
    endedAt: new Date().toISOString(),
    state: end.state,
    history: reply?.history ?? sofar.history,
    bestEpoch: reply?.bestEpoch ?? null,
    testMetrics: reply?.test ?? null,
    imagesPerSecond: reply?.imagesPerSecond ?? end.lastProgress?.imagesPerSecond ?? 0,
    modelId: sofar.modelId,
    ...(end.error ? { error: end.error.slice(0, 2000) } : {}),
  };
}
