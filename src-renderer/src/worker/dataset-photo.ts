// A photo made ready for a dataset, in the prepare worker: the 28×28 the model will see (as bytes,
// 0 = background) and a small JPEG thumbnail for the Data view, from one decode of the file. A
// photo that cannot be used says why (no garment found, unreadable), with a thumbnail when it
// could be decoded, so the Data view can show what was left out.
import { decodeImageFile, type DecodeResult } from '../classify/decode';
import type { RGBAImage } from '../classify/image';
import { prepareImage, type PrepareOptions } from '../classify/prepare-image';
import { PHOTO_LIMITS } from '../../../src-shared/limits';
import { THUMB_SIDE } from '../browser/thumbnail';

export type DatasetPhoto =
  | { ok: true; image: Uint8Array; thumb: Uint8Array | null; note: string | null }
  | { ok: false; reason: string; nothingFound: boolean; thumb: Uint8Array | null };

/** [0, 1] → bytes, rounded: what the IDX parts keep. */
export function toBytes(input: Float32Array): Uint8Array {
  const out = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, input[i]!)) * 255);
  return out;
}

/** A JPEG of the photo at most THUMB_SIDE long, under the size main accepts; null where no canvas can encode one. */
export async function thumbnail(photo: RGBAImage): Promise<Uint8Array | null> {
  if (typeof OffscreenCanvas === 'undefined') return null;
  const full = new OffscreenCanvas(photo.width, photo.height);
  full.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(photo.data), photo.width, photo.height), 0, 0);
  const k = Math.min(1, THUMB_SIDE / Math.max(photo.width, photo.height));
  const small = new OffscreenCanvas(Math.max(1, Math.round(photo.width * k)), Math.max(1, Math.round(photo.height * k)));
  const ctx = small.getContext('2d');
  if (!ctx) return null;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(full, 0, 0, small.width, small.height);
  for (const quality of [0.75, 0.5, 0.3]) {
    const bytes = new Uint8Array(await (await small.convertToBlob({ type: 'image/jpeg', quality })).arrayBuffer());
    if (bytes.byteLength <= PHOTO_LIMITS.thumbBytes) return bytes;
  }
  return null;
}

export async function prepareForDataset(blob: Blob, name: string, options: Omit<PrepareOptions, 'decode'> = {}): Promise<DatasetPhoto> {
  let decoded: RGBAImage | null = null;
  const decode = async (b: Blob, n: string): Promise<DecodeResult> => {
    const result = await decodeImageFile(b, n);
    if (result.ok) decoded = result.image;
    return result;
  };
  const prepared = await prepareImage(blob, name, { ...options, decode });
  const thumb = decoded ? await thumbnail(decoded).catch(() => null) : null;
  if (!prepared.ok) return { ok: false, reason: prepared.message, nothingFound: prepared.nothingFound === true, thumb };
  return { ok: true, image: toBytes(prepared.input), thumb, note: prepared.note };
}

export function datasetPhotoTransferables(p: DatasetPhoto): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (p.ok) out.push(p.image.buffer as ArrayBuffer);
  if (p.thumb) out.push(p.thumb.buffer as ArrayBuffer);
  return out;
}
