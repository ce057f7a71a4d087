// Byte-level image files for tests: real headers, tiny bodies. Like src-main/services/idx-fixtures.ts,
// imported by tests only (which pass node:zlib's deflate in).
import { grayImage } from './image';
import { encodePng, type Deflate } from './png';

export const enc = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
export const u16le = (n: number): number[] => [n & 0xff, n >> 8];
const u16be = (n: number): number[] => [n >> 8, n & 0xff];
export const u32le = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
export const u24le = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];

/** A real 1×1 PNG whose IHDR then claims width×height: a decompression bomb's header. */
export function pngClaiming(width: number, height: number, deflate: Deflate): Uint8Array {
  const bytes = encodePng(grayImage(1, 1), deflate);
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  v.setUint32(16, width);
  v.setUint32(20, height);
  return bytes;
}

/** SOI, JFIF, `padding` bytes of APP1 metadata in 65,533-byte segments, then a frame header. */
export function jpeg(width: number, height: number, padding = 0): Uint8Array {
  const parts: number[] = [0xff, 0xd8, 0xff, 0xe0, ...u16be(16), ...enc('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  for (let left = padding; left > 0; left -= 65533) {
    const n = Math.min(65533, left);
    parts.push(0xff, 0xe1, ...u16be(n + 2), ...new Array<number>(n).fill(0x20));
  }
  parts.push(0xff, 0xff); // a fill byte before the marker is legal
  parts.push(0xc0, ...u16be(17), 8, ...u16be(height), ...u16be(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1);
  parts.push(0xff, 0xda, ...u16be(12), 3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0, 0xff, 0xd9);
  return Uint8Array.from(parts);
}

/** A GIF89a of `frames` 1×1 images on a width×height screen with a 2-colour global table. */
export function gif(width: number, height: number, frames: number): Uint8Array {
  const parts = [...enc('GIF89a'), ...u16le(width), ...u16le(height), 0x80, 0, 0, 0, 0, 0, 255, 255, 255];
  parts.push(0x21, 0xff, 11, ...enc('NETSCAPE2.0'), 3, 1, 0, 0, 0); // looping extension
  for (let f = 0; f < frames; f++) {
    parts.push(0x21, 0xf9, 4, 0, 10, 0, 0, 0); // graphic control (delay)
    parts.push(0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4c, 0x01, 0);
  }
  parts.push(0x3b);
  return Uint8Array.from(parts);
}

export function bmp(width: number, height: number, core = false): Uint8Array {
  const header = core ? [...u32le(12), ...u16le(width), ...u16le(height), 1, 0, 24, 0] : [...u32le(40), ...u32le(width), ...u32le(height), 1, 0, 24, 0, ...new Array<number>(24).fill(0)];
  return Uint8Array.from([...enc('BM'), ...u32le(14 + header.length), 0, 0, 0, 0, ...u32le(14 + header.length), ...header]);
}

export function riff(chunk: string, body: number[]): Uint8Array {
  return Uint8Array.from([...enc('RIFF'), ...u32le(4 + 8 + body.length), ...enc('WEBP'), ...enc(chunk), ...u32le(body.length), ...body]);
}
