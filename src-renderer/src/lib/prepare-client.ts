// The prepare worker as one async function. Files are sent one at a time by the caller; if the
// worker cannot start or dies, the work moves to the main thread instead of failing the batch.
import { prepareImage, type Prepared } from './prepare-image';
import type { PrepareReply, PrepareRequest } from './prepare.worker';

export function startPrepareWorker(): (blob: Blob, name: string) => Promise<Prepared> {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (p: Prepared) => void; blob: Blob; name: string }>();

  const fallBack = (): void => {
    worker?.terminate();
    worker = null;
    for (const [id, p] of pending) {
      pending.delete(id);
      void prepareImage(p.blob, p.name).then(p.resolve);
    }
  };

  try {
    worker = new Worker(new URL('./prepare.worker.ts', import.meta.url), { type: 'module', name: 'tailor-prepare' });
    worker.onmessage = (e: MessageEvent<PrepareReply>) => {
      const p = pending.get(e.data.id);
      pending.delete(e.data.id);
      p?.resolve(e.data.result);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      fallBack();
    };
  } catch {
    worker = null;
  }

  return (blob, name) => {
    if (!worker) return prepareImage(blob, name);
    const id = nextId++;
    return new Promise<Prepared>((resolve) => {
      pending.set(id, { resolve, blob, name });
      const req: PrepareRequest = { id, blob, name };
      worker!.postMessage(req);
    });
  };
}
