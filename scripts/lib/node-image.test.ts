import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { grayImage } from '../../src-renderer/src/classify/image';
import { encodePng } from '../../src-renderer/src/classify/png';
import { WORK_SIDE } from '../../src-renderer/src/classify/decode';
import { decodeImageBytes } from './node-image';

describe('decodeImageBytes (Node)', () => {
  it('decodes PNG and JPEG to RGBA', async () => {
    const png = await decodeImageBytes(encodePng(grayImage(3, 2, Float32Array.of(0, 50, 100, 150, 200, 250)), deflateSync), 'a.png');
    expect(png.ok && Array.from(png.image.data.filter((_, i) => i % 4 === 0))).toEqual([0, 50, 100, 150, 200, 250]);
    const raw = { width: 16, height: 8, data: new Uint8Array(16 * 8 * 4).fill(128) };
    const jpg = await decodeImageBytes(jpeg.encode(raw, 95).data, 'b.jpg');
    expect(jpg.ok).toBe(true);
    if (!jpg.ok) return;
    expect([jpg.image.width, jpg.image.height]).toEqual([16, 8]);
    expect(Math.abs(jpg.image.data[0]! - 128)).toBeLessThan(3);
  });

  it('shrinks a large photo to WORK_SIDE as the browser path does', async () => {
    const raw = { width: 2048, height: 1024, data: new Uint8Array(2048 * 1024 * 4).fill(200) };
    const out = await decodeImageBytes(jpeg.encode(raw, 80).data, 'big.jpg');
    expect(out.ok && [out.image.width, out.image.height]).toEqual([WORK_SIDE, WORK_SIDE / 2]);
  });

  it('says why a file cannot be used, with the app’s own messages', async () => {
    expect(await decodeImageBytes(new Uint8Array(0), 'e.png')).toEqual({ ok: false, message: 'e.png is empty' });
    expect(await decodeImageBytes(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9), 'cut.jpg')).toMatchObject({ ok: false, message: expect.stringMatching(/could not be decoded/) });
    expect(await decodeImageBytes(new TextEncoder().encode('hello'), 't.txt')).toMatchObject({ ok: false, message: expect.stringMatching(/not an image/) });
  });

  it('reads every committed photo fixture', async () => {
    const dir = join(import.meta.dirname, '../../e2e/fixtures/photos');
    const folders = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
    let n = 0;
    for (const f of folders) {
      for (const name of readdirSync(join(dir, f.name))) {
        const out = await decodeImageBytes(readFileSync(join(dir, f.name, name)), name);
        expect(out.ok, name).toBe(true);
        n++;
      }
    }
    expect(n).toBe(34);
  });
});
