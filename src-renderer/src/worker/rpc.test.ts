import { describe, expect, it } from 'vitest';
import { WorkerClient, WorkerFailure, serveCalls, eventSender, type WorkerLike, type WorkerScope } from './rpc';

type Calls = { add: { arg: { a: number; b: number }; res: number }; boom: { arg: null; res: never } };
type Events = { tick: { n: number } };

/** A worker and its scope wired back to back in one thread, as structured-clone-free stand-ins. */
function pair(): { worker: WorkerLike; scope: WorkerScope } {
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (message) => queueMicrotask(() => scope.onmessage?.({ data: message } as MessageEvent)),
    terminate: () => undefined,
  };
  const scope: WorkerScope = {
    onmessage: null,
    postMessage: (message) => queueMicrotask(() => worker.onmessage?.({ data: message } as MessageEvent)),
  };
  return { worker, scope };
}

describe('WorkerClient and serveCalls', () => {
  it('correlates replies with calls, passes errors as messages and streams events', async () => {
    const { worker, scope } = pair();
    const emit = eventSender<Events>(scope);
    serveCalls<Calls>(scope, {
      add: async ({ a, b }) => {
        emit('tick', { n: a + b });
        return { value: a + b };
      },
      boom: async () => {
        throw new Error('no such thing');
      },
    });
    const client = new WorkerClient<Calls, Events>(worker, 'test');
    const ticks: number[] = [];
    const off = client.on('tick', ({ n }) => ticks.push(n));
    const [x, y] = await Promise.all([client.call('add', { a: 1, b: 2 }), client.call('add', { a: 10, b: 20 })]);
    expect([x, y]).toEqual([3, 30]);
    expect(ticks).toEqual([3, 30]);
    off();
    await client.call('add', { a: 0, b: 1 });
    expect(ticks).toEqual([3, 30]);
    await expect(client.call('boom', null)).rejects.toThrow('no such thing');
  });

  it('rejects every call in flight, and every later one, when the worker fails', async () => {
    const { worker } = pair(); // nothing serves: calls stay in flight
    const client = new WorkerClient<Calls, Events>(worker, 'test');
    const inFlight = client.call('add', { a: 1, b: 1 });
    worker.onerror?.({ message: 'script error', preventDefault: () => undefined } as ErrorEvent);
    await expect(inFlight).rejects.toBeInstanceOf(WorkerFailure);
    await expect(client.call('add', { a: 1, b: 1 })).rejects.toThrow('The test worker failed: script error');
  });
});
