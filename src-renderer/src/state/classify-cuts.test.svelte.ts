// A photo where nothing was found says so (not "not readable"); marking it cuts and classifies it
// again at once; only the latest of overlapping re-cuts counts; a large batch keeps only recent cuts.
import { describe, expect, it } from 'vitest';
import type { Prepared, PhotoView } from '../classify/prepare-image';
import type { SegmentHints } from '../classify/segment';
import { filesSummary } from '../view-logic/classify-view';
import { ClassifyState } from './classify.svelte';
import { PhotoCuts } from './classify-cuts.svelte';

const cut = (w = 40): PhotoView => ({ route: 'grabcut', fillsFrame: false, width: w, height: 30, mask: { width: 4, height: 3, data: new Uint8Array(12) }, outline: new Float32Array(4) });

/** An input whose ink fills `cols` columns: the fake model answers class 1 below 20 columns, else 8. */
function input(cols: number): Float32Array {
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < cols; x++) out[y * 28 + x] = 1;
  return out;
}

function harness(delays: Record<string, number> = {}) {
  const asked: { name: string; hints: SegmentHints | undefined }[] = [];
  /** "empty-…" photos: nothing found unless a rectangle is given; its width decides the class. */
  const prepare = async (_blob: Blob, name: string, hints?: SegmentHints): Promise<Prepared> => {
    asked.push({ name, hints });
    await new Promise((r) => setTimeout(r, delays[String(hints?.rect?.width ?? 'none')] ?? 1));
    if (name.startsWith('empty') && !hints?.rect) return { ok: false, nothingFound: true, message: `No garment was found in ${name}: draw a rectangle around the garment`, photo: cut() };
    if (name.startsWith('broken')) return { ok: false, message: `${name} could not be decoded` };
    return { ok: true, input: input(hints?.rect ? hints.rect.width : 10), note: null, photo: cut() };
  };
  const state = new ClassifyState({
    classifier: {
      predict: async (inputs) => {
        const n = inputs.length / 784;
        const probs = new Float32Array(n * 10).fill(0.02);
        for (let i = 0; i < n; i++) {
          let cols = 0;
          for (let x = 0; x < 28; x++) if (inputs[i * 784 + x]! > 0) cols++;
          probs[i * 10 + (cols < 20 ? 1 : 8)] = cols === 15 ? 0.5 : 0.82;
        }
        return probs;
      },
      saliency: async (i) => i,
    },
    prepare,
    frame: (cb) => cb(),
    yieldToUi: () => new Promise((r) => setTimeout(r, 0)),
  });
  state.setModel('m');
  return { state, asked };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const file = (name: string) => ({ blob: new Blob([new Uint8Array(4)]), name });
const settled = (s: ClassifyState) => s.rows.every((r) => (r.status === 'done' || r.status === 'error') && !r.recutting);

describe('photos with nothing found', () => {
  it('say so, are counted apart from unreadable files, and keep their cut to be marked', async () => {
    const h = harness();
    h.state.add([file('empty-bed.jpg'), file('broken.jpg'), file('shirt.jpg')]);
    await until(() => settled(h.state), 'rows');
    expect(h.state.rows[0]).toMatchObject({ status: 'error', nothingFound: true, message: expect.stringMatching(/^No garment was found in empty-bed\.jpg: draw a rectangle/) });
    expect(h.state.rows[1]).toMatchObject({ status: 'error', nothingFound: false });
    expect(h.state.cutOf(h.state.rows[0]!.id)).not.toBeNull();
    expect(filesSummary(h.state.rows, 0.6)).toBe('1 classified · 1 with no garment found · 1 not readable');
  });

  it('a rectangle cuts the photo again and classifies it at once; clearing the hints goes back', async () => {
    const h = harness();
    h.state.add([file('empty-bed.jpg')]);
    await until(() => settled(h.state), 'first cut');
    const id = h.state.rows[0]!.id;
    const rect = { x: 2, y: 2, width: 24, height: 20 };
    await h.state.recut(id, { rect });
    await until(() => h.state.rows[0]!.status === 'done', 'the re-classified photo');
    expect(h.state.rows[0]).toMatchObject({ status: 'done', nothingFound: false, hints: { rect }, top: { index: 8 } });
    expect(h.asked.at(-1)).toEqual({ name: 'empty-bed.jpg', hints: { rect } });
    await h.state.recut(id, null);
    await until(() => settled(h.state), 'back to the automatic cut');
    expect(h.state.rows[0]).toMatchObject({ status: 'error', nothingFound: true, hints: null });
  });

  it('of two overlapping re-cuts, the later one wins even when the earlier answers last', async () => {
    const h = harness({ '24': 30, '15': 1 });
    h.state.add([file('empty-bed.jpg')]);
    await until(() => settled(h.state), 'first cut');
    const id = h.state.rows[0]!.id;
    const slow = h.state.recut(id, { rect: { x: 0, y: 0, width: 24, height: 9 } });
    const fast = h.state.recut(id, { rect: { x: 0, y: 0, width: 15, height: 9 } });
    await Promise.all([slow, fast]);
    await until(() => settled(h.state) && h.state.rows[0]!.status === 'done', 'the last re-cut');
    expect(h.state.rows[0]).toMatchObject({ hints: { rect: { width: 15 } }, top: { index: 1 } });
    // 0.5 is below the measured threshold: the summary counts it as unsure.
    expect(filesSummary(h.state.rows, 0.6)).toBe('1 classified (1 unsure)');
  });
});

describe('cuts kept', () => {
  it('keeps the most recent cuts only, and gets a dropped one back on request', async () => {
    const cuts = new PhotoCuts(2);
    cuts.set(1, cut(1));
    cuts.set(2, cut(2));
    cuts.set(3, cut(3));
    expect([cuts.get(1), cuts.get(2)?.width, cuts.get(3)?.width]).toEqual([null, 2, 3]);
    cuts.set(2, null);
    expect([...cuts.byId.keys()]).toEqual([3]);

    const h = harness();
    h.state.add(Array.from({ length: 50 }, (_, i) => file(`shirt-${i}.jpg`)));
    await until(() => settled(h.state) && h.state.rows.length === 50, 'the batch');
    const first = h.state.rows[0]!.id;
    expect(h.state.cutOf(first)).toBeNull();
    expect(h.state.cutOf(h.state.rows[49]!.id)).not.toBeNull();
    h.state.ensureCut(first);
    await until(() => h.state.cutOf(first) !== null, 'the cut again');
    expect(h.asked.filter((a) => a.name === 'shirt-0.jpg')).toHaveLength(2);
  });
});
