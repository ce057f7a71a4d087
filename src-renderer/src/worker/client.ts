// The UI side of the Worker protocol: typed calls that return promises, and event subscriptions.
import type { CallName, EventName, FromWorker, ToWorker, WorkerCalls, WorkerEvents } from './protocol';

export class WorkerClient {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private listeners = new Map<EventName, Set<(payload: never) => void>>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    worker.onerror = (e) => {
      const error = new Error(`The ML worker failed: ${e.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  call<M extends CallName>(method: M, arg: WorkerCalls[M]['arg'], transfer: Transferable[] = []): Promise<WorkerCalls[M]['res']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ kind: 'call', id, method, arg } as ToWorker, transfer);
    });
  }

  on<E extends EventName>(event: E, listener: (payload: WorkerEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  terminate(): void {
    this.worker.terminate();
  }

  private receive(msg: FromWorker): void {
    if (msg.kind === 'reply') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(msg.error));
    } else {
      for (const listener of this.listeners.get(msg.event) ?? []) (listener as (p: unknown) => void)(msg.payload);
    }
  }
}

export function startMlWorker(): WorkerClient {
  return new WorkerClient(new Worker(new URL('./ml.worker.ts', import.meta.url), { type: 'module', name: 'tailor-ml' }));
}
