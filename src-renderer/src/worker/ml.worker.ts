/// <reference lib="webworker" />
// The ML Worker owns TensorFlow.js: the UI thread never runs a kernel, so it never stutters.
import { registerFastGradients } from '../ml/gradients';
import { initBackend } from './backends';
import { MlWorker } from './handlers';
import { probe } from './probe';
import type { WorkerCalls, WorkerEvents } from './protocol';
import { eventSender, serveCalls } from './rpc';

registerFastGradients();
const scope = self as unknown as DedicatedWorkerGlobalScope;
let probed: Awaited<ReturnType<typeof probe>> | null = null;
const worker = new MlWorker({
  emit: eventSender<WorkerEvents>(scope),
  initBackend: async (override) => initBackend((probed ??= await probe()), override),
});
serveCalls<WorkerCalls>(scope, worker.handlers);
