// The Worker's call handlers, one per protocol method.
import type { BackendName } from '../ml/backend-rule';
import { initBackend } from './backends';
import { probe } from './probe';
import type { CallName, EventName, WorkerCalls, WorkerEvents } from './protocol';

type Emitter = <E extends EventName>(event: E, payload: WorkerEvents[E], transfer?: Transferable[]) => void;
let emit: Emitter = () => undefined;
export function setEmitter(fn: Emitter): void {
  emit = fn;
}

export interface Reply<T> {
  value: T;
  transfer?: Transferable[];
}

type Handlers = { [M in CallName]: (arg: WorkerCalls[M]['arg']) => Promise<Reply<WorkerCalls[M]['res']>> };

let probed: Awaited<ReturnType<typeof probe>> | null = null;

async function init(override: BackendName | null) {
  probed ??= await probe();
  const info = await initBackend(probed, override);
  emit('backend', info);
  return info;
}

export const handlers: Handlers = {
  init: async ({ override }) => ({ value: await init(override) }),
};
