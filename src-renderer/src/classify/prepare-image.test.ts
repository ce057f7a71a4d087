import { describe, expect, it } from 'vitest';
import type { DecodeResult } from './decode';
import { prepareImage } from './prepare-image';
import { startPrepareWorker } from '../worker/prepare-client';

/** A 40×40 picture: black, with a white w×h box in the middle when w and h are positive. */
function picture(w: number, h: number): DecodeResult {
  const data = new Uint8ClampedArray(40 * 40 * 4);
  for (let i = 0; i < 1600; i++) {
    const x = i % 40;
    const y = Math.floor(i / 40);
    const v = Math.abs(x - 19.5) < w / 2 && Math.abs(y - 19.5) < h / 2 ? 255 : 0;
    data.set([v, v, v, 255], i * 4);
  }
  return { ok: true, image: { width: 40, height: 40, data } };
}

describe('prepareImage', () => {
  it('turns a decoded picture into 784 inputs in [0,1] and keeps the decoder note', async () => {
    const decoded = picture(10, 30);
    const p = await prepareImage(new Blob(['x']), 'tall.gif', async () => (decoded.ok ? { ...decoded, note: 'tall.gif is animated: its first frame is used' } : decoded));
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.input).toHaveLength(784);
    expect(Math.max(...p.input)).toBe(1);
    expect(Math.min(...p.input)).toBe(0);
    expect(p.note).toBe('tall.gif is animated: its first frame is used');
  });

  it('passes the decoder’s message through and calls a blank picture blank', async () => {
    const broken = await prepareImage(new Blob(['x']), 'b.png', async () => ({ ok: false, message: 'b.png could not be decoded' }));
    expect(broken).toEqual({ ok: false, message: 'b.png could not be decoded' });
    const blank = await prepareImage(new Blob(['x']), 'blank.png', async () => picture(0, 0));
    expect(blank).toEqual({ ok: false, message: 'blank.png is blank: there is nothing on it to classify' });
  });

  it('runs on the calling thread where no worker can start (here: Node), with the real decoder', async () => {
    const prepare = startPrepareWorker();
    expect(await prepare(new Blob([]), 'empty.png')).toEqual({ ok: false, message: 'empty.png is empty' });
    const svg = await prepare(new Blob(['<svg xmlns="http://www.w3.org/2000/svg"/>']), 'logo.svg');
    expect(svg).toEqual({ ok: false, message: 'logo.svg: SVG drawings are not supported: export it as PNG' });
  });
});
