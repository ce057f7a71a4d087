import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { decodeImageFile, MAX_FILE_BYTES, WORK_SIDE, type Rasterize } from './decode';
import { grayImage, grayToRGBA } from './image';
import { gif, jpeg, pngClaiming } from './image-fixtures';
import { encodePng } from './png';

const SAMPLES = join(import.meta.dirname, '../../../resources/samples');
const pixels = grayToRGBA(grayImage(2, 2));
const fine: Rasterize = async () => pixels;
const blob = (bytes: Uint8Array | string): Blob => new Blob([bytes as BlobPart]);
const png = (w: number, h: number): Uint8Array => encodePng(grayImage(w, h), deflateSync);
const DAMAGED = 'could not be decoded: the file is damaged or not a supported image';

describe('decodeImageFile', () => {
  it('decodes a readable image, drawing it at most WORK_SIDE pixels long', async () => {
    const rasterize = vi.fn(fine);
    expect(await decodeImageFile(blob(png(3, 3)), 'a.png', rasterize)).toEqual({ ok: true, image: pixels });
    expect(rasterize).toHaveBeenCalledWith(expect.any(Blob), WORK_SIDE);
  });

  it('says a file is empty', async () => {
    expect(await decodeImageFile(blob(new Uint8Array(0)), 'empty.png', fine)).toEqual({ ok: false, message: 'empty.png is empty' });
  });

  it('refuses files over 50 MB before reading them', async () => {
    const result = await decodeImageFile(blob(new Uint8Array(MAX_FILE_BYTES + 1)), 'huge.jpg', fine);
    expect(result).toEqual({ ok: false, message: 'huge.jpg is too large (51 MB): the limit is 50 MB' });
  });

  it('refuses a 20,000×20,000 image from its header, without decoding it', async () => {
    const rasterize = vi.fn(fine);
    const result = await decodeImageFile(blob(pngClaiming(20_000, 20_000, deflateSync)), 'bomb.png', rasterize);
    expect(result).toEqual({ ok: false, message: 'bomb.png is too large (20000×20000): the limit is 40 megapixels and 16384 pixels a side' });
    expect(rasterize).not.toHaveBeenCalled();
  });

  it('refuses a side over 16,384 even when the area is small', async () => {
    const result = await decodeImageFile(blob(pngClaiming(20_000, 10, deflateSync)), 'strip.png', fine);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('is too large (20000×10)') });
  });

  it('allows a large image within the limits', async () => {
    expect(await decodeImageFile(blob(pngClaiming(8000, 5000, deflateSync)), 'big.png', fine)).toMatchObject({ ok: true });
  });

  it('explains SVG and non-image files', async () => {
    expect(await decodeImageFile(blob('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'logo.svg', fine)).toEqual({
      ok: false,
      message: 'logo.svg: SVG drawings are not supported: export it as PNG',
    });
    expect(await decodeImageFile(blob('just some notes'), 'notes.png', fine)).toEqual({
      ok: false,
      message: 'notes.png is not an image Tailor can read: use PNG, JPEG, WebP, GIF or BMP',
    });
  });

  it('calls a file with a cut header damaged without decoding it', async () => {
    const rasterize = vi.fn(fine);
    expect(await decodeImageFile(blob(png(4, 4).subarray(0, 18)), 'cut.png', rasterize)).toEqual({ ok: false, message: `cut.png ${DAMAGED}` });
    expect(rasterize).not.toHaveBeenCalled();
  });

  it('calls a file the decoder rejects damaged (the truncated sample)', async () => {
    const broken = readFileSync(join(SAMPLES, 'broken.png'));
    const failing: Rasterize = () => Promise.reject(new DOMException('The source image could not be decoded.', 'InvalidStateError'));
    expect(await decodeImageFile(blob(broken), 'broken.png', failing)).toEqual({ ok: false, message: `broken.png ${DAMAGED}` });
  });

  it('reads further into a JPEG whose frame header sits behind 64 KB of metadata', async () => {
    expect(await decodeImageFile(blob(jpeg(6000, 4000, 100_000)), 'camera.jpg', fine)).toMatchObject({ ok: true });
    const result = await decodeImageFile(blob(jpeg(9000, 9000, 100_000)), 'pano.jpg', fine);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('too large (9000×9000)') });
  });

  it('uses the first frame of an animated GIF and says so', async () => {
    expect(await decodeImageFile(blob(gif(10, 10, 3)), 'spin.gif', fine)).toEqual({
      ok: true,
      image: pixels,
      note: 'spin.gif is animated: its first frame is used',
    });
  });

  it('never throws, even when the file cannot be read', async () => {
    const unreadable = { size: 10, slice: () => ({ arrayBuffer: () => Promise.reject(new Error('NotReadableError')) }) } as unknown as Blob;
    expect(await decodeImageFile(unreadable, 'gone.png', fine)).toEqual({ ok: false, message: 'gone.png could not be read' });
  });
});
