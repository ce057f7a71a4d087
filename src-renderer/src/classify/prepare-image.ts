// A file → the 28×28 input the model sees, or one sentence saying why not. Runs in the prepare
// worker (worker/prepare.worker.ts) so decoding and preprocessing a large photo never blocks the UI,
// and on the main thread where no worker can be started.
import { decodeImageFile, type DecodeResult } from './decode';
import { preprocess } from './preprocess';

export type Prepared = { ok: true; input: Float32Array; note: string | null } | { ok: false; message: string };

export type Decode = (blob: Blob, name: string) => Promise<DecodeResult>;

export async function prepareImage(blob: Blob, name: string, decode: Decode = decodeImageFile): Promise<Prepared> {
  const decoded = await decode(blob, name);
  if (!decoded.ok) return decoded;
  try {
    const pre = preprocess(decoded.image);
    if (pre.empty) return { ok: false, message: `${name} is blank: there is nothing on it to classify` };
    return { ok: true, input: pre.input, note: decoded.note ?? null };
  } catch (err) {
    return { ok: false, message: `${name} could not be prepared: ${(err as Error).message}` };
  }
}
