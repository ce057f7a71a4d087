// One request/response correlator for every Web Worker of the app (the ML worker and the prepare
// worker): calls carry an id and get exactly one reply; events stream from the worker. Each worker
// declares its own tables of calls and events; this module knows neither.

/** method → [argument, result]. */
export type CallTable = { [method: string]: { arg: unknown; res: unknown } };
/** event → payload. */
export type EventTable = { [event: string]: unknown };

export type CallMessage<C extends CallTable> = {
  [M in keyof C & string]: { kind: 'call'; id: number; method: M; arg: C[M]['arg'] };
}[keyof C & string];

export type ReplyMessage =
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string };

export type EventMessage<E extends EventTable> = {
  [K in keyof E & string]: { kind: 'event'; event: K; payload: E[K] };
}[keyof E & string];

/** A worker that failed as a whole (could not load, or crashed): every call in flight gets this. */
export class WorkerFailure extends Error {
  constructor(name: string, detail: string) {
    super(`The ${name} worker failed: ${detail || 'unknown error'}`);
    this.name = 'WorkerFailure';
  }
}

/** The part of `Worker` the client needs, so tests can pass a stand-in. */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  terminate(): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
}

export class WorkerClient<C extends CallTable, E extends EventTable = Record<never, never>> {
  #nextId = 1;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #listeners = new Map<keyof E, Set<(payload: never) => void>>();
  #failure: WorkerFailure | null = null;

  constructor(
    private readonly worker: WorkerLike,
    private readonly name: string,
  ) {
    worker.onmessage = (e: MessageEvent<ReplyMessage | EventMessage<E>>) => this.#receive(e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.#fail(new WorkerFailure(name, e.message));
    };
  }

  /** Set once the worker has failed; later calls reject at once with it. */
  get failure(): WorkerFailure | null {
    return this.#failure;
  }

  call<M extends keyof C & string>(method: M, arg: C[M]['arg'], transfer: Transferable[] = []): Promise<C[M]['res']> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ kind: 'call', id, method, arg }, transfer);
    });
  }

  on<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  terminate(): void {
    this.worker.terminate();
    this.#fail(new WorkerFailure(this.name, 'it was stopped'));
  }

  #fail(failure: WorkerFailure): void {
    this.#failure ??= failure;
    for (const p of this.#pending.values()) p.reject(failure);
    this.#pending.clear();
  }

  #receive(msg: ReplyMessage | EventMessage<E>): void {
    if (msg.kind === 'reply') {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(msg.error));
    } else {
      for (const listener of this.#listeners.get(msg.event) ?? []) (listener as (p: unknown) => void)(msg.payload);
    }
  }
}

/** The part of a worker's global scope the serving side needs. */
export interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

/** What a handler answers: the value, and the buffers to transfer rather than copy. */
export interface Reply<T> {
  value: T;
  transfer?: Transferable[];
}

export type Handlers<C extends CallTable> = { [M in keyof C]: (arg: C[M]['arg']) => Promise<Reply<C[M]['res']>> };

/** The worker side: answers each call with its handler's value or its error message. */
export function serveCalls<C extends CallTable>(scope: WorkerScope, handlers: Handlers<C>): void {
  scope.onmessage = async (e: MessageEvent<CallMessage<C>>) => {
    const msg = e.data;
    if (msg?.kind !== 'call') return;
    try {
      const handler = handlers[msg.method] as ((arg: unknown) => Promise<Reply<unknown>>) | undefined;
      if (!handler) throw new Error(`Unknown call ${String(msg.method)}`);
      const { value, transfer } = await handler(msg.arg);
      scope.postMessage({ kind: 'reply', id: msg.id, ok: true, value } satisfies ReplyMessage, transfer ?? []);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      scope.postMessage({ kind: 'reply', id: msg.id, ok: false, error } satisfies ReplyMessage, []);
    }
  };
}

/** The worker side of events. */
export function eventSender<E extends EventTable>(scope: WorkerScope) {
  return <K extends keyof E & string>(event: K, payload: E[K], transfer: Transferable[] = []): void => {
    scope.postMessage({ kind: 'event', event, payload } as EventMessage<E>, transfer);
  };
}
