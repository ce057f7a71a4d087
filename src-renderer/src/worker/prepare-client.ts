// The prepare worker as one async function. Files are sent one at a time by the caller; if the
// worker cannot start or dies, the work moves to the main thread instead of failing the batch.
import { prepareImage, type Prepared } from '../classify/prepare-image';
import { WorkerClient, WorkerFailure } from './rpc';

export type PrepareCalls = {
  prepare: { arg: { blob: Blob; name: string }; res: Prepared };
};

export type Prepare = (blob: Blob, name: string) => Promise<Prepared>;

export function startPrepareWorker(): Prepare {
  let client: WorkerClient<PrepareCalls> | null = null;
  try {
    client = new WorkerClient<PrepareCalls>(
      new Worker(new URL('./prepare.worker.ts', import.meta.url), { type: 'module', name: 'tailor-prepare' }),
      'prepare',
    );
  } catch {
    client = null; // no Worker here (e.g. a test in Node): prepare on this thread
  }
  return async (blob, name) => {
    if (!client || client.failure) return prepareImage(blob, name);
    try {
      return await client.call('prepare', { blob, name });
    } catch (err) {
      if (err instanceof WorkerFailure) return prepareImage(blob, name);
      throw err;
    }
  };
}
