import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { grayImage } from './image';
import { bmp, enc, gif, jpeg, pngClaiming, riff, u16le, u24le, u32le } from './image-fixtures';
import { encodePng } from './png';
import { sniff } from './sniff';

describe('sniff', () => {
  it('reads a PNG header', () => {
    expect(sniff(encodePng(grayImage(37, 19), deflateSync))).toEqual({ kind: 'png', width: 37, height: 19, animated: false });
    expect(sniff(pngClaiming(20_000, 20_000, deflateSync))).toMatchObject({ width: 20_000, height: 20_000 });
  });

  it('spots an animated PNG', () => {
    const png = encodePng(grayImage(2, 2), deflateSync);
    const acTL = Uint8Array.from([0, 0, 0, 8, ...enc('acTL'), 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
    const apng = new Uint8Array([...png.subarray(0, 33), ...acTL, ...png.subarray(33)]);
    expect(sniff(apng)).toMatchObject({ kind: 'png', animated: true });
  });

  it('finds the JPEG frame header behind metadata and fill bytes', () => {
    expect(sniff(jpeg(640, 480))).toEqual({ kind: 'jpeg', width: 640, height: 480, animated: false });
    expect(sniff(jpeg(4000, 3000, 70_000))).toMatchObject({ width: 4000, height: 3000 });
  });

  it('gives no size for a JPEG cut before its frame header, or with scan data first', () => {
    expect(sniff(jpeg(640, 480, 70_000).subarray(0, 65_536))).toEqual({ kind: 'jpeg', width: null, height: null, animated: false });
    expect(sniff(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xd9]))).toMatchObject({ width: null });
  });

  it('reads a GIF screen and counts frames', () => {
    expect(sniff(gif(320, 200, 1))).toEqual({ kind: 'gif', width: 320, height: 200, animated: false });
    expect(sniff(gif(320, 200, 3))).toEqual({ kind: 'gif', width: 320, height: 200, animated: true });
  });

  it('reads BMP headers, bottom-up, top-down and OS/2', () => {
    expect(sniff(bmp(800, 600))).toEqual({ kind: 'bmp', width: 800, height: 600, animated: false });
    expect(sniff(bmp(800, -600))).toMatchObject({ width: 800, height: 600 });
    expect(sniff(bmp(64, 32, true))).toMatchObject({ kind: 'bmp', width: 64, height: 32 });
  });

  it('reads the three WebP flavours', () => {
    const lossy = riff('VP8 ', [0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, ...u16le(1024), ...u16le(768)]);
    expect(sniff(lossy)).toEqual({ kind: 'webp', width: 1024, height: 768, animated: false });
    const bits = (1999 & 0x3fff) | ((999 & 0x3fff) << 14);
    expect(sniff(riff('VP8L', [0x2f, ...u32le(bits)]))).toMatchObject({ width: 2000, height: 1000 });
    const extended = riff('VP8X', [0x02, 0, 0, 0, ...u24le(19_999), ...u24le(19_999)]);
    expect(sniff(extended)).toEqual({ kind: 'webp', width: 20_000, height: 20_000, animated: true });
  });

  it('recognises SVG, with a prolog, a comment or a byte-order mark', () => {
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(sniff(text('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({ kind: 'svg' });
    expect(sniff(text('\uFEFF<?xml version="1.0"?>\n<!-- drawn -->\n<svg width="10">'))).toEqual({ kind: 'svg' });
  });

  it('calls text, HTML and empty files unknown', () => {
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(sniff(text('hello, this is not a picture'))).toEqual({ kind: 'unknown' });
    expect(sniff(text('BMW parts list, 2024 edition'))).toEqual({ kind: 'unknown' });
    expect(sniff(text('<!doctype html><html><body>x</body></html>'))).toEqual({ kind: 'unknown' });
    expect(sniff(new Uint8Array(0))).toEqual({ kind: 'unknown' });
  });

  it('gives no size for a PNG cut inside its header', () => {
    const png = encodePng(grayImage(5, 5), deflateSync);
    expect(sniff(png.subarray(0, 20))).toEqual({ kind: 'png', width: null, height: null, animated: false });
    expect(sniff(png.subarray(0, 40))).toMatchObject({ width: 5, height: 5 }); // header whole, data cut
  });

  it('reads from a view with a byte offset', () => {
    const png = encodePng(grayImage(9, 4), deflateSync);
    const shifted = new Uint8Array(png.length + 3);
    shifted.set(png, 3);
    expect(sniff(shifted.subarray(3))).toMatchObject({ kind: 'png', width: 9, height: 4 });
  });
});
