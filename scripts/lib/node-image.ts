// JPEG and PNG decoding in plain Node (jpeg-js, BSD-3; pngjs, MIT: pure JavaScript), as a
// `Rasterize` for the app's own `decodeImageFile`, so scripts get the same size limits, messages
// and WORK_SIDE scaling as the prepare worker. Differences from Chromium's decoders: no EXIF
// orientation (Chromium applies it; the photo sets here carry none that rotates), JPEG IDCT and
// chroma upsampling differ by a few gray levels, downscaling is an area average where Chromium's
// 'high' quality uses its own filter, and WebP, GIF and BMP are refused.
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { decodeImageFile, MAX_PIXELS, type DecodeResult, type Rasterize } from '../../src-renderer/src/classify/decode';
import type { RGBAImage } from '../../src-renderer/src/classify/image';
import { shrinkRGBA } from '../../src-renderer/src/classify/rgba';
import { sniff } from '../../src-renderer/src/classify/sniff';

function decodeBytes(bytes: Uint8Array): RGBAImage {
  const head = sniff(bytes);
  if (head.kind === 'jpeg') {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
  }
  if (head.kind === 'png') {
    const img = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
  }
  throw new Error(`${head.kind} is not decoded in Node`);
}

export const nodeRasterize: Rasterize = async (blob, maxSide) => {
  const image = decodeBytes(new Uint8Array(await blob.arrayBuffer()));
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  if (scale === 1) return image;
  return shrinkRGBA(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)));
};

/** File bytes → RGBA at most WORK_SIDE a side, or a sentence saying why not (never throws). */
export function decodeImageBytes(bytes: Uint8Array, name: string): Promise<DecodeResult> {
  // A Blob copies its parts, so a view into a shared or pooled buffer is fine here.
  return decodeImageFile(new Blob([bytes as Uint8Array<ArrayBuffer>]), name, nodeRasterize);
}
