// The prepare worker as async functions. Files are sent one at a time by the caller; if the
// worker cannot start or dies, the work moves to the main thread instead of failing the batch.
// Hints (a rectangle, brush strokes) re-segment a photo: send the same file again with them.
// A pool of workers (one per core) prepares a folder of photos for a dataset in parallel.
import { prepareImage, type Prepared } from '../classify/prepare-image';
import type { SegmentHints } from '../classify/segment';
import { prepareForDataset, type DatasetPhoto } from './dataset-photo';
import { WorkerClient, WorkerFailure } from './rpc';

type Job = { blob: Blob; name: string; hints?: SegmentHints };

export type PrepareCalls = {
  prepare: { arg: Job; res: Prepared };
  /** A photo for a dataset: its 28×28 as bytes and a thumbnail, or why it cannot be used. */
  forDataset: { arg: Job; res: DatasetPhoto };
};

export type Prepare = (blob: Blob, name: string, hints?: SegmentHints) => Promise<Prepared>;
export type PrepareForDataset = (blob: Blob, name: string, hints?: SegmentHints) => Promise<DatasetPhoto>;

/** A worker, or null where none can start (e.g. a test in Node). */
export type StartWorker = () => Worker | null;

const startBrowserWorker: StartWorker = () => {
  try {
    return new Worker(new URL('./prepare.worker.ts', import.meta.url), { type: 'module', name: 'tailor-prepare' });
  } catch {
    return null;
  }
};

const job = (blob: Blob, name: string, hints?: SegmentHints): Job => (hints ? { blob, name, hints } : { blob, name });

/** Calls `method` on `client`, or runs `here` on this thread when there is no worker or it failed. */
async function callOr<M extends keyof PrepareCalls>(client: WorkerClient<PrepareCalls> | null, method: M, arg: Job, here: () => Promise<PrepareCalls[M]['res']>): Promise<PrepareCalls[M]['res']> {
  if (!client || client.failure) return here();
  try {
    return await client.call(method, arg);
  } catch (err) {
    if (err instanceof WorkerFailure) return here();
    throw err;
  }
}

function clientOf(start: StartWorker): WorkerClient<PrepareCalls> | null {
  const worker = start();
  return worker ? new WorkerClient<PrepareCalls>(worker, 'prepare') : null;
}

export function startPrepareWorker(start: StartWorker = startBrowserWorker): Prepare {
  const client = clientOf(start);
  return (blob, name, hints) => callOr(client, 'prepare', job(blob, name, hints), () => prepareImage(blob, name, hints ? { hints } : {}));
}

export interface PreparePool {
  forDataset: PrepareForDataset;
  /** Workers in the pool (0: everything runs on this thread). */
  readonly size: number;
  /** Ends the workers (their OpenCV heap goes with them); later calls run on this thread. */
  terminate(): void;
}

/**
 * `size` prepare workers; each call goes to the one with the fewest calls in flight, so two cores
 * both stay busy while the UI thread only hands out files and collects results.
 */
export function startPreparePool(size = 2, start: StartWorker = startBrowserWorker): PreparePool {
  const clients = Array.from({ length: size }, () => clientOf(start)).filter((c): c is WorkerClient<PrepareCalls> => c !== null);
  const inFlight = clients.map(() => 0);
  let ended = false;
  return {
    size: clients.length,
    async forDataset(blob, name, hints) {
      const here = () => prepareForDataset(blob, name, hints ? { hints } : {});
      if (ended || clients.length === 0) return here();
      const i = inFlight.indexOf(Math.min(...inFlight));
      inFlight[i]!++;
      try {
        return await callOr(clients[i]!, 'forDataset', job(blob, name, hints), here);
      } finally {
        inFlight[i]!--;
      }
    },
    terminate() {
      ended = true;
      for (const c of clients) c.terminate();
    },
  };
}
