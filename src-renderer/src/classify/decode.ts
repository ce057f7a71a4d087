/**
 * A dropped or picked file → RGBA pixels, or one sentence saying why not. Limits are checked on
 * the header before anything is decoded (see sniff.ts); the browser's own decoders do the rest.
 * Never throws: a batch of dropped files gets one result per file.
 */
import type { RGBAImage } from './image';
import { SNIFF_BYTES, sniff, type Sniffed } from './sniff';

export const MAX_FILE_BYTES = 50 * 1024 * 1024;
export const MAX_PIXELS = 40_000_000;
export const MAX_SIDE = 16_384;
/** Longest side images are drawn at: the model sees 28 px, and preprocessing time grows with area. */
export const WORK_SIDE = 1024;

export type DecodeResult = { ok: true; image: RGBAImage; note?: string } | { ok: false; message: string };

/** Decodes `blob` and draws it with its longest side at most `maxSide`. Throws on a bad file. */
export type Rasterize = (blob: Blob, maxSide: number) => Promise<RGBAImage>;

export const browserRasterize: Rasterize = async (blob, maxSide) => {
  // EXIF orientation is applied here, so the size to draw at comes from the bitmap, not the header.
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  try {
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2d canvas context');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height);
  } finally {
    bitmap.close();
  }
};

async function readBytes(blob: Blob, end: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(0, end).arrayBuffer());
}

const damaged = (name: string): DecodeResult => ({
  ok: false,
  message: `${name} could not be decoded: the file is damaged or not a supported image`,
});

export async function decodeImageFile(blob: Blob, name: string, rasterize: Rasterize = browserRasterize): Promise<DecodeResult> {
  if (blob.size === 0) return { ok: false, message: `${name} is empty` };
  if (blob.size > MAX_FILE_BYTES) {
    return { ok: false, message: `${name} is too large (${Math.ceil(blob.size / 2 ** 20)} MB): the limit is 50 MB` };
  }
  let head: Sniffed;
  try {
    head = sniff(await readBytes(blob, SNIFF_BYTES));
    // A JPEG's frame header can sit behind more metadata than the first read holds.
    if (head.kind === 'jpeg' && head.width === null && blob.size > SNIFF_BYTES) head = sniff(await readBytes(blob, blob.size));
  } catch {
    return { ok: false, message: `${name} could not be read` };
  }
  if (head.kind === 'svg') return { ok: false, message: `${name}: SVG drawings are not supported: export it as PNG` };
  if (head.kind === 'unknown') return { ok: false, message: `${name} is not an image Tailor can read: use PNG, JPEG, WebP, GIF or BMP` };
  const { width, height } = head;
  if (width === null || height === null) return damaged(name);
  if (width * height > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE) {
    return { ok: false, message: `${name} is too large (${width}×${height}): the limit is 40 megapixels and ${MAX_SIDE} pixels a side` };
  }
  try {
    const image = await rasterize(blob, WORK_SIDE);
    if (image.width < 1 || image.height < 1) return damaged(name);
    return head.animated ? { ok: true, image, note: `${name} is animated: its first frame is used` } : { ok: true, image };
  } catch {
    return damaged(name);
  }
}
