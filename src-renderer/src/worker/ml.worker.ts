/// <reference lib="webworker" />
// The ML Worker owns TensorFlow.js: the UI thread never runs a kernel, so it never stutters.
import type { FromWorker, ToWorker } from './protocol';
import { handlers, setEmitter } from './handlers';

const scope = self as unknown as DedicatedWorkerGlobalScope;

setEmitter((event, payload, transfer) => {
  scope.postMessage({ kind: 'event', event, payload } as FromWorker, transfer ?? []);
});

scope.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg?.kind !== 'call') return;
  try {
    const handler = handlers[msg.method] as (arg: unknown) => Promise<{ value: unknown; transfer?: Transferable[] }>;
    if (!handler) throw new Error(`Unknown call ${String(msg.method)}`);
    const { value, transfer } = await handler(msg.arg);
    scope.postMessage({ kind: 'reply', id: msg.id, ok: true, value } satisfies FromWorker, transfer ?? []);
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    scope.postMessage({ kind: 'reply', id: msg.id, ok: false, error } satisfies FromWorker);
  }
};
