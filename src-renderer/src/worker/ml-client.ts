// The ML worker's client: the generic correlator typed with the ML protocol.
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { WorkerCalls, WorkerDataset, WorkerEvents } from './protocol';
import { WorkerClient } from './rpc';

export type MlClient = WorkerClient<WorkerCalls, WorkerEvents>;

export function startMlWorker(): MlClient {
  return new WorkerClient(new Worker(new URL('./ml.worker.ts', import.meta.url), { type: 'module', name: 'tailor-ml' }), 'ML');
}

/** A dataset as the worker takes it: flat arrays, copied so they can be transferred while the UI keeps its own. */
export function workerDatasetOf(data: DatasetPayload): WorkerDataset {
  return {
    id: data.id,
    name: data.name,
    rows: data.rows,
    cols: data.cols,
    classCount: data.classNames.length,
    // The class names let a run start from a saved model (its head is kept when they are its own);
    // label names and allowed classes where labels are photo folders mapped onto classes.
    classNames: [...data.classNames],
    ...(data.labelNames && data.allowed ? { labelNames: [...data.labelNames], allowed: data.allowed.map((a) => [...a]) } : {}),
    trainImages: data.train.images.slice(),
    trainLabels: data.train.labels.slice(),
    testImages: data.test.images.slice(),
    testLabels: data.test.labels.slice(),
  };
}
