/**
 * A minimal PNG encoder (8-bit gray or RGBA, no filtering) for sample pictures and test
 * fixtures. Deflate is passed in (node:zlib's `deflateSync` in scripts and tests), so this file
 * stays free of Node imports.
 */
import type { GrayImage, RGBAImage } from './image';

export type Deflate = (data: Uint8Array) => Uint8Array;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** RGBA bytes → an RGBA PNG; gray 0–255 floats (rounded, clamped) → a gray PNG. */
export function encodePng(image: RGBAImage | GrayImage, deflate: Deflate): Uint8Array {
  const { width, height } = image;
  const channels = image.data instanceof Float32Array ? 1 : 4;
  if (image.data.length !== width * height * channels) throw new RangeError(`${width}×${height} needs ${width * height * channels} values`);
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height); // each row: filter byte 0, then pixels
  for (let y = 0; y < height; y++) {
    const row = image.data.subarray(y * stride, (y + 1) * stride);
    raw.set(channels === 1 ? Uint8ClampedArray.from(row) : row, y * (stride + 1) + 1);
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : 6; // colour type: gray or RGBA
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflate(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
