// Stand-ins for the state classes' tests (imported only by *.test.svelte.ts): main's API kept in
// memory, and the real ML worker (MlWorker, tfjs on its cpu backend) wired back to back with the
// real WorkerClient in this thread.
import type { Result, TailorApi } from '../../../src-shared/contract';
import type { DatasetPayload, DatasetStatus, PartName } from '../../../src-shared/types/dataset';
import type { ModelMeta, ModelSummary } from '../../../src-shared/types/model';
import type { RunRecord, RunSummary } from '../../../src-shared/types/run';
import { mulberry32 } from '../ml/random';
import { MlWorker } from '../worker/handlers';
import type { BackendInfo, WorkerCalls, WorkerEvents } from '../worker/protocol';
import { WorkerClient, serveCalls, type WorkerLike, type WorkerScope } from '../worker/rpc';

const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });
const fail = (message: string, code: 'not-found' | 'io' | 'invalid-argument' = 'io'): Promise<Result<never>> =>
  Promise.resolve({ ok: false, error: { code, message } });

/** Learnable side×side images of `classes` classes (class k lights every pixel ≡ k), as main loads them. */
export function makeDataset(opts: { id?: string; name?: string; side?: number; classes?: number; train?: number; test?: number; seed?: number } = {}): DatasetPayload {
  const { id = 'toy', name = 'Toy set', side = 8, classes = 3, train = 96, test = 24, seed = 7 } = opts;
  const rng = mulberry32(seed);
  const split = (n: number) => {
    const images = new Uint8Array(n * side * side);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % classes;
      for (let p = 0; p < side * side; p++) images[i * side * side + p] = p % classes === labels[i] ? 200 : Math.floor(rng() * 60);
    }
    return { images, labels, count: n };
  };
  const checksums = { trainImages: `${id}-ti-${seed}`, trainLabels: `${id}-tl`, testImages: `${id}-si`, testLabels: `${id}-sl` } satisfies Record<PartName, string>;
  return { id, name, classNames: Array.from({ length: classes }, (_, i) => `${name} class ${i}`), rows: side, cols: side, train: split(train), test: split(test), checksums };
}

interface StoredModel {
  meta: ModelMeta;
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}

/** main's API in memory: datasets, models (with the active one) and runs, with every call counted. */
export function fakeApi(datasets: DatasetPayload[] = [makeDataset()]) {
  const models = new Map<string, StoredModel>();
  const runs = new Map<string, RunRecord>();
  const calls: { channel: string; args: unknown[] }[] = [];
  let active: string | null = null;
  let nextId = 1;
  /** Promises that models:load and models:save wait for (to hold a call at a chosen moment); an error for cancelDownload. */
  const gates = { load: null as Promise<void> | null, save: null as Promise<void> | null, cancel: null as string | null };
  const log = (channel: string, ...args: unknown[]) => void calls.push({ channel, args });
  const summary = (m: StoredModel): ModelSummary => ({ ...m.meta, weightsBytes: m.weights.byteLength });
  const status = (d: DatasetPayload): DatasetStatus =>
    ({ id: d.id, name: d.name, classNames: d.classNames, ready: true, files: [], trainCount: d.train.count, testCount: d.test.count, rows: d.rows, cols: d.cols, downloading: false, downloadable: false }) as DatasetStatus;
  const api = {
    datasets: {
      list: () => (log('datasets:list'), ok(datasets.map(status))),
      load: (id: string) => {
        log('datasets:load', id);
        const d = datasets.find((x) => x.id === id);
        return d ? ok(d) : fail(`No dataset ${id}`, 'not-found');
      },
      import: (req: { id: string; files: unknown[] }) => (log('datasets:import', req), ok(status(datasets[0]!))),
      download: (id: string) => (log('datasets:download', id), ok(status(datasets[0]!))),
      cancelDownload: (id: string) => (log('datasets:cancelDownload', id), gates.cancel ? fail(gates.cancel) : ok(true)),
      status: (id: string) => ok(status(datasets.find((x) => x.id === id)!)),
    },
    models: {
      list: () => (log('models:list'), ok([...models.values()].map(summary))),
      load: async (id: string) => {
        log('models:load', id);
        if (gates.load) await gates.load;
        const m = models.get(id);
        return m ? { ok: true as const, value: { meta: m.meta, modelJson: m.modelJson, weights: m.weights.slice() } } : { ok: false as const, error: { code: 'not-found' as const, message: `No model ${id}` } };
      },
      save: async (req: { meta: Omit<ModelMeta, 'id' | 'createdAt'>; modelJson: Record<string, unknown>; weights: Uint8Array }) => {
        log('models:save', req);
        if (gates.save) await gates.save;
        const id = `m${nextId++}`;
        const stored = { meta: { ...req.meta, id, createdAt: new Date(0).toISOString() } as ModelMeta, modelJson: req.modelJson, weights: req.weights.slice() };
        models.set(id, stored);
        return ok(summary(stored));
      },
      rename: (id: string, name: string) => {
        log('models:rename', id, name);
        const m = models.get(id)!;
        m.meta = { ...m.meta, name };
        return ok(summary(m));
      },
      delete: (id: string) => (log('models:delete', id), ok(models.delete(id))),
      updateMeta: (id: string, patch: { testMetrics?: { metrics: ModelMeta['testMetrics'] } | null; pixelScale?: 'unit' | 'raw' }) => {
        log('models:updateMeta', id, patch);
        const m = models.get(id)!;
        if (patch.testMetrics !== undefined) m.meta = { ...m.meta, testMetrics: patch.testMetrics?.metrics ?? null };
        if (patch.pixelScale) m.meta = { ...m.meta, hyper: { ...m.meta.hyper, pixelScale: patch.pixelScale }, pixelScaleAssumed: false };
        return ok(summary(m));
      },
      export: () => ok(null),
      import: () => fail('not in this fake'),
      getActive: () => ok(active),
      setActive: (id: string) => (log('models:setActive', id), (active = id), ok(id)),
    },
    runs: {
      list: () => ok([...runs.values()].map((r) => ({ ...r, epochs: r.history.length, bestValAcc: null }) as unknown as RunSummary)),
      save: (run: RunRecord) => (log('runs:save', run), runs.set(run.id, run), ok({ ...run, epochs: run.history.length, bestValAcc: null } as unknown as RunSummary)),
      get: (id: string) => ok(runs.get(id)!),
      delete: (id: string) => ok(runs.delete(id)),
    },
    on: () => () => undefined,
  };
  /** Puts a model straight into the store (as the shipped one is on first launch). */
  const seed = (meta: Omit<ModelMeta, 'id' | 'createdAt'>, files: { modelJson: Record<string, unknown>; weights: Uint8Array }, id = `m${nextId++}`) => {
    models.set(id, { meta: { ...meta, id, createdAt: new Date(0).toISOString() } as ModelMeta, modelJson: files.modelJson, weights: files.weights.slice() });
    return id;
  };
  return { api: api as unknown as TailorApi, calls, models, runs, gates, seed, setActive: (id: string | null) => (active = id), of: (channel: string) => calls.filter((c) => c.channel === channel) };
}

/** The real ML worker in this thread, behind the real client; `worker` is there to look inside. */
export function inThreadWorker() {
  const scope: WorkerScope = {
    onmessage: null,
    postMessage: (message) => queueMicrotask(() => port.onmessage?.({ data: message } as MessageEvent)),
  };
  const port: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (message) => queueMicrotask(() => scope.onmessage?.({ data: message } as MessageEvent)),
    terminate: () => undefined,
  };
  const ml = new MlWorker({
    emit: (event, payload) => scope.postMessage({ kind: 'event', event, payload }, []),
    initBackend: async () => ({ name: 'cpu', reason: 'test', adapter: null, webgl: null, threads: 1 }) as unknown as BackendInfo,
  });
  serveCalls<WorkerCalls>(scope, ml.handlers);
  const client = new WorkerClient<WorkerCalls, WorkerEvents>(port, 'ML');
  return { client, worker: ml };
}
