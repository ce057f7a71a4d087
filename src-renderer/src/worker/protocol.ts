// The typed message protocol between the UI and the ML Worker. Calls carry an id and get exactly
// one reply; events stream from the Worker (training progress).
import type { BackendName, GpuAdapterInfo, Probe } from '../ml/backend-rule';

export interface BackendInfo {
  name: BackendName;
  reason: string;
  adapter: GpuAdapterInfo | null;
  webgl: Probe['webgl'];
  threads: number;
  probe: Probe;
}

/** method → [argument, result]. */
export interface WorkerCalls {
  init: { arg: { override: BackendName | null }; res: BackendInfo };
}

export interface WorkerEvents {
  backend: BackendInfo;
}

export type CallName = keyof WorkerCalls;
export type EventName = keyof WorkerEvents;

export type ToWorker = { [M in CallName]: { kind: 'call'; id: number; method: M; arg: WorkerCalls[M]['arg'] } }[CallName];

export type FromWorker =
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string }
  | { [E in EventName]: { kind: 'event'; event: E; payload: WorkerEvents[E] } }[EventName];
