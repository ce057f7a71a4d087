// The prepare worker as one async function. Files are sent one at a time by the caller; if the
// worker cannot start or dies, the work moves to the main thread instead of failing the batch.
// Hints (a rectangle, brush strokes) re-segment a photo: send the same file again with them.
import { prepareImage, type Prepared } from '../classify/prepare-image';
import type { SegmentHints } from '../classify/segment';
import { WorkerClient, WorkerFailure } from './rpc';

export type PrepareCalls = {
  prepare: { arg: { blob: Blob; name: string; hints?: SegmentHints }; res: Prepared };
};

export type Prepare = (blob: Blob, name: string, hints?: SegmentHints) => Promise<Prepared>;

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
  const here = (blob: Blob, name: string, hints?: SegmentHints): Promise<Prepared> => prepareImage(blob, name, hints ? { hints } : {});
  return async (blob, name, hints) => {
    if (!client || client.failure) return here(blob, name, hints);
    try {
      return await client.call('prepare', hints ? { blob, name, hints } : { blob, name });
    } catch (err) {
      if (err instanceof WorkerFailure) return here(blob, name, hints);
      throw err;
    }
  };
}
