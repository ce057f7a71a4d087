// Decodes and preprocesses dropped files off the main thread: a 1024-px photo takes a few hundred
// milliseconds, which would otherwise freeze the UI once per file of a batch.
import { prepareImage, type Prepared } from './prepare-image';

export interface PrepareRequest {
  id: number;
  blob: Blob;
  name: string;
}
export interface PrepareReply {
  id: number;
  result: Prepared;
}

self.onmessage = async (e: MessageEvent<PrepareRequest>) => {
  const { id, blob, name } = e.data;
  const result = await prepareImage(blob, name);
  const reply: PrepareReply = { id, result };
  self.postMessage(reply, { transfer: result.ok ? [result.input.buffer] : [] });
};
