import { describe, expect, it } from 'vitest';
import type { DecodeResult } from '../classify/decode';
import type { RGBAImage } from '../classify/image';
import { prepareImage } from '../classify/prepare-image';
import { ClassifyState, MAX_FILES, type Classifier, type ClassifyDeps } from './classify.svelte';

/** A w×h white box on black in a 64×64 picture. */
function box(w: number, h: number): RGBAImage {
  const data = new Uint8ClampedArray(64 * 64 * 4);
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      const inside = x >= 32 - w / 2 && x < 32 + w / 2 && y >= 32 - h / 2 && y < 32 + h / 2;
      data.set([inside ? 255 : 0, inside ? 255 : 0, inside ? 255 : 0, 255], (y * 64 + x) * 4);
    }
  }
  return { width: 64, height: 64, data };
}

/** Tall images → class 1 (Trouser), wide ones → class 8 (Bag): how many of 28 columns hold ink. */
function fakeProbs(inputs: Float32Array, scale = 1): Float32Array {
  const n = inputs.length / 784;
  const out = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) {
    let cols = 0;
    for (let x = 0; x < 28; x++) {
      let ink = false;
      for (let y = 0; y < 28; y++) if (inputs[i * 784 + y * 28 + x]! > 0) ink = true;
      if (ink) cols++;
    }
    out.fill(0.01 * scale, i * 10, i * 10 + 10);
    out[i * 10 + (cols < 20 ? 1 : 8)] = 1 - 0.09 * scale;
  }
  return out;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function harness(opts: { gate?: boolean; manualFrames?: boolean } = {}) {
  const calls = { predict: [] as number[], decode: [] as string[], concurrentDecodes: 0, maxConcurrentDecodes: 0, saliency: 0 };
  const frames: (() => void)[] = [];
  const gates: Deferred<void>[] = [];
  let scale = 1;
  let fail: string | null = null;
  const classifier: Classifier = {
    predict: async (inputs) => {
      calls.predict.push(inputs.length / 784);
      if (opts.gate) {
        const g = deferred<void>();
        gates.push(g);
        await g.promise;
      }
      if (fail) throw new Error(fail);
      return fakeProbs(inputs, scale);
    },
    saliency: async (input) => {
      calls.saliency++;
      return input.map((v) => v / 2);
    },
  };
  const decode = async (_blob: Blob, name: string): Promise<DecodeResult> => {
    calls.decode.push(name);
    calls.concurrentDecodes++;
    calls.maxConcurrentDecodes = Math.max(calls.maxConcurrentDecodes, calls.concurrentDecodes);
    await new Promise((r) => setTimeout(r, 1));
    calls.concurrentDecodes--;
    if (name.startsWith('broken')) return { ok: false, message: `${name} could not be decoded: the file is damaged or not a supported image` };
    if (name.startsWith('blank')) return { ok: true, image: box(0, 0) };
    if (name.startsWith('anim')) return { ok: true, image: box(40, 20), note: `${name} is animated: its first frame is used` };
    return { ok: true, image: name.startsWith('wide') ? box(40, 20) : box(12, 40) };
  };
  const deps: Partial<ClassifyDeps> = {
    classifier,
    prepare: (blob, name) => prepareImage(blob, name, decode),
    frame: opts.manualFrames ? (cb) => frames.push(cb) : (cb) => cb(),
    yieldToUi: () => new Promise((r) => setTimeout(r, 0)),
  };
  const state = new ClassifyState(deps);
  state.classNames = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  return {
    state,
    calls,
    frames,
    gates,
    setScale: (s: number) => (scale = s),
    setFail: (m: string | null) => (fail = m),
    runFrames: () => {
      while (frames.length) frames.shift()!();
    },
  };
}

const file = (name: string, bytes = 10): { blob: Blob; name: string } => ({ blob: new Blob([new Uint8Array(bytes)]), name });

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const settled = (s: ClassifyState) => s.rows.length > 0 && s.rows.every((r) => r.status === 'done' || r.status === 'error');

describe('ClassifyState files', () => {
  it('classifies good files, reports a broken one, and decodes one file at a time', async () => {
    const h = harness();
    h.state.setModel('m1');
    h.state.add([file('tall-1.png'), file('broken.png'), file('wide-2.png'), file('tall-3.png')]);
    expect(h.state.rows.map((r) => r.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
    await until(() => settled(h.state), 'all rows');
    const rows = h.state.rows;
    expect(rows.map((r) => r.name)).toEqual(['tall-1.png', 'broken.png', 'wide-2.png', 'tall-3.png']);
    expect(rows.map((r) => r.top?.index ?? null)).toEqual([1, null, 8, 1]);
    expect(rows[1]).toMatchObject({ status: 'error', message: 'broken.png could not be decoded: the file is damaged or not a supported image', input: null });
    expect(rows[0]?.input).toHaveLength(784);
    expect(rows[0]?.probs).toHaveLength(10);
    expect(h.calls.maxConcurrentDecodes).toBe(1);
    expect(h.calls.predict.reduce((a, b) => a + b, 0)).toBe(3);
    expect(h.state.progress).toBeNull();
  });

  it('reports a blank picture and keeps a decoder note on a classified file', async () => {
    const h = harness();
    h.state.setModel('m1');
    h.state.add([file('blank.png'), file('anim.gif')]);
    await until(() => settled(h.state), 'rows');
    expect(h.state.rows[0]).toMatchObject({ status: 'error', message: 'blank.png is blank: there is nothing on it to classify' });
    expect(h.state.rows[1]).toMatchObject({ status: 'done', note: 'anim.gif is animated: its first frame is used' });
  });

  it('predicts in batches of at most 32 and shows progress while it works', async () => {
    const h = harness();
    h.state.setModel('m1');
    const seen: number[] = [];
    h.state.add(Array.from({ length: 70 }, (_, i) => file(`tall-${i}.png`)));
    await until(() => {
      if (h.state.progress) seen.push(h.state.progress.done);
      return settled(h.state);
    }, 'rows');
    expect(Math.max(...h.calls.predict)).toBeLessThanOrEqual(32);
    expect(h.calls.predict.reduce((a, b) => a + b, 0)).toBe(70);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((d) => d >= 0 && d <= 70)).toBe(true);
    expect(h.state.progress).toBeNull();
  });

  it('reads files before a model exists and classifies them once one is set', async () => {
    const h = harness();
    h.state.add([file('tall.png'), file('wide.png')]);
    await until(() => h.state.rows.every((r) => r.status === 'ready'), 'ready rows');
    expect(h.calls.predict).toEqual([]);
    expect(h.state.progress).toBeNull();
    h.state.setModel('m1');
    await until(() => settled(h.state), 'rows');
    expect(h.state.rows.map((r) => r.top?.index)).toEqual([1, 8]);
  });

  it('re-classifies every file when the model changes, without decoding them again', async () => {
    const h = harness();
    h.state.setModel('m1');
    h.state.add([file('tall.png'), file('broken.png')]);
    await until(() => settled(h.state), 'rows');
    const before = h.state.rows[0]!.top!.prob;
    h.setScale(5);
    h.state.setModel('m2');
    await until(() => settled(h.state) && h.state.rows[0]!.top!.prob !== before, 'new predictions');
    expect(h.state.rows[0]!.top!.prob).toBeCloseTo(1 - 0.45);
    expect(h.state.rows[1]!.status).toBe('error');
    expect(h.calls.decode).toEqual(['tall.png', 'broken.png']);
  });

  it('stops on a worker error, keeps the files, and retries when a model is set again', async () => {
    const h = harness();
    h.setFail('No model is loaded');
    h.state.setModel('m1');
    h.state.add([file('tall.png')]);
    await until(() => h.state.error !== null, 'the error');
    expect(h.state.error).toBe('No model is loaded');
    expect(h.state.rows[0]?.status).toBe('ready');
    h.setFail(null);
    h.state.setModel('m2');
    await until(() => settled(h.state), 'rows');
    expect(h.state.error).toBeNull();
  });

  it('stops a batch on clear and starts clean', async () => {
    const h = harness();
    h.state.setModel('m1');
    h.state.add(Array.from({ length: 50 }, (_, i) => file(`tall-${i}.png`)));
    await until(() => h.calls.decode.length >= 3, 'a few decodes');
    h.state.clear();
    expect(h.state.rows).toEqual([]);
    await new Promise((r) => setTimeout(r, 30));
    expect(h.calls.decode.length).toBeLessThan(10);
    h.state.add([file('wide.png')]);
    await until(() => settled(h.state), 'the new row');
    expect(h.state.rows.map((r) => [r.name, r.top?.index])).toEqual([['wide.png', 8]]);
    expect(h.state.rows[0]?.id).toBeGreaterThanOrEqual(50);
  });

  it(`accepts at most ${MAX_FILES} files and says how many it left out`, () => {
    const h = harness();
    h.state.add(Array.from({ length: MAX_FILES + 7 }, (_, i) => file(`tall-${i}.png`)));
    expect(h.state.rows).toHaveLength(MAX_FILES);
    expect(h.state.skipped).toBe(7);
    h.state.clear();
    expect(h.state.skipped).toBe(0);
  });

  it('keeps each original blob for the large view and forgets them on clear', () => {
    const h = harness();
    const f = file('tall.png', 33);
    h.state.add([f]);
    const id = h.state.rows[0]!.id;
    expect(h.state.blobOf(id)).toBe(f.blob);
    h.state.clear();
    expect(h.state.blobOf(id)).toBeNull();
  });
});

describe('ClassifyState draw pad', () => {
  it('predicts once per animation frame however many requests came in', async () => {
    const h = harness({ manualFrames: true });
    h.state.setModel('m1');
    let reads = 0;
    const read = () => (reads++, box(12, 40));
    for (let i = 0; i < 10; i++) h.state.requestDraw(read);
    expect(reads).toBe(0);
    h.runFrames();
    await until(() => h.state.draw !== null, 'the prediction');
    expect(reads).toBe(1);
    expect(h.calls.predict).toEqual([1]);
    expect(h.state.draw?.top.map((t) => t.index)[0]).toBe(1);
    expect(h.state.draw?.top).toHaveLength(5);
    expect(h.state.draw?.input).toHaveLength(784);
  });

  it('keeps one prediction in flight and runs the latest request after it', async () => {
    const h = harness({ manualFrames: true, gate: true });
    h.state.setModel('m1');
    const reads: string[] = [];
    h.state.requestDraw(() => (reads.push('a'), box(12, 40)));
    h.runFrames();
    await until(() => h.gates.length === 1, 'the first prediction');
    h.state.requestDraw(() => (reads.push('b'), box(40, 20)));
    h.state.requestDraw(() => (reads.push('c'), box(40, 20)));
    h.runFrames();
    expect(reads).toEqual(['a']);
    h.gates[0]!.resolve();
    await until(() => h.frames.length === 1, 'the next frame');
    h.runFrames();
    await until(() => h.gates.length === 2, 'the second prediction');
    h.gates[1]!.resolve();
    await until(() => h.state.draw?.top[0]?.index === 8, 'the latest drawing');
    expect(reads).toEqual(['a', 'c']);
    expect(h.calls.predict).toEqual([1, 1]);
  });

  it('shows a blank pad as no result, and the input without a prediction when no model is set', async () => {
    const h = harness();
    h.state.requestDraw(() => null);
    await until(() => true, '');
    expect(h.state.draw).toBeNull();
    h.state.requestDraw(() => box(12, 40));
    await until(() => h.state.draw !== null, 'the input');
    expect(h.state.draw).toMatchObject({ empty: false, probs: null, top: [] });
    expect(h.calls.predict).toEqual([]);
    h.state.setModel('m1');
    await until(() => h.state.draw?.probs != null, 'a prediction for the new model');
  });

  it('explains the latest request of each slot, one call at a time', async () => {
    const h = harness();
    h.state.setModel('m1');
    const a = new Float32Array(784).fill(1);
    const b = new Float32Array(784).fill(0.5);
    const c = new Float32Array(784).fill(0.2);
    h.state.explain('draw', a, 1);
    h.state.explain('draw', b, 8);
    h.state.explain('file', c, 3);
    await until(() => h.state.explanations.draw?.input === b && h.state.explanations.file?.input === c, 'both explanations');
    expect(h.state.explanations.draw?.classIndex).toBe(8);
    expect(h.state.explanations.draw?.map[0]).toBeCloseTo(0.25);
    expect(h.state.explanations.file?.map[0]).toBeCloseTo(0.1);
    const n = h.calls.saliency;
    expect(n).toBeLessThanOrEqual(3);
    h.state.explain('draw', b, 8);
    expect(h.calls.saliency).toBe(n);
    h.state.clear();
    expect(h.state.explanations.file).toBeUndefined();
    expect(h.state.explanations.draw).toBeDefined();
    h.state.setModel('m2');
    expect(h.state.explanations).toEqual({});
  });
});
