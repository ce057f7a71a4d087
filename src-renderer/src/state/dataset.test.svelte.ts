import { describe, expect, it } from 'vitest';
import { DatasetState } from './dataset.svelte';
import { fakeApi, makeDataset } from './test-doubles';

function setup() {
  const fake = fakeApi([makeDataset(), makeDataset({ id: 'other', name: 'Other set' })]);
  const state = new DatasetState(fake.api);
  state.selectedId = 'toy';
  return { fake, state };
}

describe('DatasetState', () => {
  it('loads the selected dataset once for concurrent callers, and another one when selected', async () => {
    const { fake, state } = setup();
    const [a, b] = await Promise.all([state.ensureLoaded(), state.ensureLoaded()]);
    expect(a).toBe(b);
    expect(a?.id).toBe('toy');
    expect(fake.of('datasets:load')).toHaveLength(1);
    await state.select('other');
    expect(state.data?.id).toBe('other');
    expect(state.statuses.map((s) => s.id)).toEqual(['toy', 'other']);
    expect(state.loadMs).not.toBeNull();
  });

  it('shows the dataset selected while another was still loading, never the overtaken one', async () => {
    const { fake, state } = setup();
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const load = fake.api.datasets.load;
    fake.api.datasets.load = async (id) => {
      if (id === 'toy') await gate; // the start-up load, slow on a busy machine
      return load(id);
    };
    const first = state.ensureLoaded();
    const selected = state.select('other'); // an import selects its new set meanwhile
    release();
    expect((await first)?.id).toBe('other');
    await selected;
    expect(state.data?.id).toBe('other');
    expect(state.loading).toBe(false);
    expect(state.error).toBeNull();
  });

  it('shows why a dataset could not be loaded', async () => {
    const { state } = setup();
    await state.select('missing');
    expect(state.data).toBeNull();
    expect(state.error).toBe('No dataset missing');
  });

  it('refuses to switch, re-download or replace the dataset while a run trains on it', async () => {
    const { fake, state } = setup();
    await state.ensureLoaded();
    state.lockedBy = 'a run trains on it';
    await state.select('other');
    expect(state.selectedId).toBe('toy');
    expect(state.error).toBe('The dataset cannot change while a run trains on it.');
    await state.download();
    await state.importFiles([new File([new Uint8Array(3)], 'train-images-idx3-ubyte')]);
    expect(fake.of('datasets:download')).toEqual([]);
    expect(fake.of('datasets:import')).toEqual([]);
    // A new dataset may still be imported; it is selected after the run.
    await state.importFiles([new File([new Uint8Array(3)], 'train-images-idx3-ubyte')], 'digits', 'Digits');
    expect(fake.of('datasets:import')).toHaveLength(1);
    expect(state.selectedId).toBe('toy');
    state.lockedBy = null;
    await state.select('other');
    expect(state.selectedId).toBe('other');
  });

  it('imports files as names and bytes and selects the new dataset', async () => {
    const { fake, state } = setup();
    await state.importFiles([new File([Uint8Array.from([1, 2, 3])], 't10k-labels-idx1-ubyte')], 'other', 'Other set', ['a', 'b']);
    const req = fake.of('datasets:import')[0]!.args[0] as { id: string; name: string; classNames: string[]; files: { name: string; bytes: Uint8Array }[] };
    expect(req).toMatchObject({ id: 'other', name: 'Other set', classNames: ['a', 'b'] });
    expect(req.files.map((f) => [f.name, Array.from(f.bytes)])).toEqual([['t10k-labels-idx1-ubyte', [1, 2, 3]]]);
    expect(state.selectedId).toBe('other');
    expect(state.data?.id).toBe('other');
  });

  it('shows a download that could not be cancelled instead of dropping the error', async () => {
    const { fake, state } = setup();
    fake.gates.cancel = 'The download had already written its files';
    await state.cancelDownload();
    expect(state.error).toBe('The download could not be cancelled: The download had already written its files');
    expect(fake.of('datasets:cancelDownload')[0]?.args).toEqual(['toy']);
  });
});
