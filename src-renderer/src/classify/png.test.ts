import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { grayImage } from './image';
import { crc32, encodePng } from './png';

/** Chunks of a PNG as [type, body]. */
function chunks(png: Uint8Array): [string, Uint8Array][] {
  const v = new DataView(png.buffer, png.byteOffset);
  const out: [string, Uint8Array][] = [];
  for (let p = 8; p < png.length; ) {
    const length = v.getUint32(p);
    const type = String.fromCharCode(...png.subarray(p + 4, p + 8));
    const body = png.subarray(p + 8, p + 8 + length);
    expect(v.getUint32(p + 8 + length)).toBe(crc32(png.subarray(p + 4, p + 8 + length)));
    out.push([type, body]);
    p += 12 + length;
  }
  return out;
}

describe('encodePng', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('writes gray pixels, rounded and clamped, one unfiltered row at a time', () => {
    const png = encodePng(grayImage(3, 2, Float32Array.from([0, 127.6, 300, -4, 1, 255])), deflateSync);
    const parts = chunks(png);
    expect(parts.map(([t]) => t)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(Array.from(parts[0]![1])).toEqual([0, 0, 0, 3, 0, 0, 0, 2, 8, 0, 0, 0, 0]);
    expect(Array.from(inflateSync(parts[1]![1]))).toEqual([0, 0, 128, 255, 0, 0, 1, 255]);
  });

  it('writes RGBA pixels', () => {
    const data = Uint8ClampedArray.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const parts = chunks(encodePng({ width: 2, height: 1, data }, deflateSync));
    expect(parts[0]![1][9]).toBe(6);
    expect(Array.from(inflateSync(parts[1]![1]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses pixels that do not match the size', () => {
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8ClampedArray(4) }, deflateSync)).toThrow(RangeError);
  });
});
