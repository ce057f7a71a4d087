import { describe, expect, it } from 'vitest';
import type { DatasetPayload } from '../../../src-shared/types/dataset';
import type { MlClient } from '../worker/ml-client';
import type { WorkerDataset } from '../worker/protocol';
import { MlState, type Prefs } from './ml.svelte';
import { makeDataset } from './test-doubles';

/** A worker client that records calls; `init` fails while `initError` is set. */
function fakeClient() {
  const sent: WorkerDataset[] = [];
  const calls: string[] = [];
  let initError: string | null = null;
  const client = {
    call: async (method: string, arg: unknown) => {
      calls.push(method);
      await new Promise((r) => setTimeout(r, 1));
      if (method === 'setData') sent.push(arg as WorkerDataset);
      if (method === 'init') {
        if (initError) throw new Error(initError);
        return { name: (arg as { override: string | null }).override ?? 'wasm', reason: 'chosen' };
      }
      return { train: 0, test: 0 };
    },
    on: () => () => undefined,
  } as unknown as MlClient;
  return { client, sent, calls, failInit: (m: string | null) => (initError = m) };
}

function memoryPrefs(initial: Record<string, string> = {}): Prefs & { values: Record<string, string> } {
  const values = { ...initial };
  return {
    values,
    getItem: (k) => values[k] ?? null,
    setItem: (k, v) => void (values[k] = v),
    removeItem: (k) => void delete values[k],
  };
}

describe('MlState', () => {
  it('sends the dataset once, to one worker, and again only when the loaded pixels change', async () => {
    const fake = fakeClient();
    let data: DatasetPayload | null = makeDataset();
    let starts = 0;
    const ml = new MlState({ start: () => (starts++, fake.client), dataset: { ensureLoaded: async () => data, error: null } });
    const [a, b] = await Promise.all([ml.ensureData(), ml.ensureData()]);
    expect(a).toBe(data);
    expect(b).toBe(data);
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({ id: 'toy', name: 'Toy set', rows: 8, cols: 8, classCount: 3 });
    // Copies: the UI keeps its own pixels for galleries.
    expect(fake.sent[0]!.trainImages).not.toBe(data.train.images);
    expect(Array.from(fake.sent[0]!.trainImages)).toEqual(Array.from(data.train.images));
    await ml.ensureData();
    expect(fake.sent).toHaveLength(1);
    // The same id re-imported: new pixels, sent again.
    data = makeDataset({ seed: 9 });
    await ml.ensureData();
    expect(fake.sent).toHaveLength(2);
    expect(starts).toBe(1);
  });

  it('says why there is no data to send', async () => {
    const ml = new MlState({ start: () => fakeClient().client, dataset: { ensureLoaded: async () => null, error: 'The files are missing' } });
    await expect(ml.ensureData()).rejects.toThrow('The files are missing');
  });

  it('starts the backend, keeps the override in the preferences and shows a failure', async () => {
    const fake = fakeClient();
    const prefs = memoryPrefs({ 'tailor.backend': 'webgpu' });
    const ml = new MlState({ start: () => fake.client, dataset: { ensureLoaded: async () => null, error: null }, prefs });
    expect(ml.override).toBe('webgpu');
    await ml.start();
    expect(ml.backend?.name).toBe('webgpu');
    await ml.setOverride(null);
    expect(prefs.values).toEqual({});
    expect(ml.backend?.name).toBe('wasm');
    fake.failInit('WebGPU adapter lost');
    await ml.setOverride('cpu');
    expect(prefs.values['tailor.backend']).toBe('cpu');
    expect(ml.error).toBe('WebGPU adapter lost');
    expect(ml.starting).toBe(false);
  });

  it('ignores a stored override that is not a backend, and works without preferences', () => {
    expect(new MlState({ start: () => fakeClient().client, dataset: { ensureLoaded: async () => null, error: null }, prefs: memoryPrefs({ 'tailor.backend': 'quantum' }) }).override).toBeNull();
    expect(new MlState({ start: () => fakeClient().client, dataset: { ensureLoaded: async () => null, error: null } }).override).toBeNull();
  });
});
