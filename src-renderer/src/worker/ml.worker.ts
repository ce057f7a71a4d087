/// <reference lib="webworker" />
// The ML Worker owns TensorFlow.js: the UI thread never runs a kernel, so it never stutters.
import { handlers, setEmitter } from './handlers';
import type { WorkerCalls, WorkerEvents } from './protocol';
import { eventSender, serveCalls } from './rpc';

const scope = self as unknown as DedicatedWorkerGlobalScope;
setEmitter(eventSender<WorkerEvents>(scope));
serveCalls<WorkerCalls>(scope, handlers);
