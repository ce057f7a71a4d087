// The ML worker's client: the generic correlator typed with the ML protocol.
import type { WorkerCalls, WorkerEvents } from './protocol';
import { WorkerClient } from './rpc';

export type MlClient = WorkerClient<WorkerCalls, WorkerEvents>;

export function startMlWorker(): MlClient {
  return new WorkerClient(new Worker(new URL('./ml.worker.ts', import.meta.url), { type: 'module', name: 'tailor-ml' }), 'ML');
}
