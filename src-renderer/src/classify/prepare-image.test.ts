import { beforeAll, describe, expect, it } from 'vitest';
import { loadOpenCvNode } from '../../../scripts/lib/opencv-node';
import type { DecodeResult } from './decode';
import type { OpenCv } from './opencv';
import { flat, scene, shaded, stripes, tShirt } from './photo-fixtures';
import { prepareImage, transferables } from './prepare-image';
import { startPrepareWorker } from '../worker/prepare-client';

let cv: OpenCv;
beforeAll(async () => {
  cv = await loadOpenCvNode();
}, 60_000);
const openCv = async (): Promise<OpenCv> => cv;

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

describe('prepareImage on photos', () => {
  const shirt = scene(120, 160, stripes([200, 60, 60], [235, 235, 225]), tShirt(120, 160), flat([40, 70, 160]));
  const decode = async (): Promise<DecodeResult> => ({ ok: true, image: shirt.photo });

  it('returns the mask, its outline in photo pixels and every buffer to transfer', async () => {
    const p = await prepareImage(new Blob(['x']), 'bed.jpg', { decode, openCv });
    expect(p.ok).toBe(true);
    if (!p.ok || !p.photo) throw new Error('expected a photo view');
    expect(p.photo).toMatchObject({ route: 'grabcut', fillsFrame: false, width: 120, height: 160 });
    expect(p.photo.mask.data.some((v) => v === 1)).toBe(true);
    expect(Math.max(...p.photo.outline)).toBeLessThanOrEqual(160);
    expect(transferables(p)).toEqual([p.input.buffer, p.photo.mask.data.buffer, p.photo.outline.buffer]);
  });

  it('re-segments with a rectangle, and says honestly when nothing is found where the user marked', async () => {
    const inside = await prepareImage(new Blob(['x']), 'bed.jpg', { decode, openCv, hints: { rect: { x: 20, y: 20, width: 80, height: 120 } } });
    expect(inside.ok).toBe(true);
    const empty = scene(120, 160, shaded([200, 190, 180], 40), () => false, flat([0, 0, 0]), 2);
    const none = await prepareImage(new Blob(['x']), 'floor.jpg', {
      decode: async () => ({ ok: true, image: empty.photo }),
      openCv,
      hints: { rect: { x: 30, y: 30, width: 40, height: 40 } },
    });
    expect(none).toMatchObject({ ok: false, nothingFound: true, message: 'No garment was found where you marked it in floor.jpg: draw a rectangle around the garment' });
  });

  it('falls back to the heuristic, and says so, when OpenCV cannot load', async () => {
    const p = await prepareImage(new Blob(['x']), 'bed.jpg', { decode, openCv: () => Promise.reject(new Error('blocked')) });
    expect(p).toMatchObject({ ok: true, note: 'garment finding is unavailable: the whole picture was used' });
  });
});
