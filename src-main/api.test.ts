import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../src-shared/contract';
import { HYPER_LIMITS } from '../src-shared/limits';
import { dispatch, type Services } from './api';
import { createServices } from './services/create';
import { channelSchemas as validators } from '../src-shared/schemas/channels';

let dir: string;
let services: Services;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tailor-api-'));
  services = createServices({
    dataDir: dir,
    resourcesDir: join(dir, 'no-resources'),
    emit: () => undefined,
    pickFolder: async () => null,
    info: { name: 'Tailor', version: '0.0.0-test', shell: 'web', versions: {} },
    systemDatasetDirs: [],
  });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('dispatch', () => {
  it('has a validator for every channel', () => {
    expect(Object.keys(validators).sort()).toEqual([...CHANNELS].sort());
  });

  it('answers a valid call with {ok: true, value}', async () => {
    const r = await dispatch(services, 'app:info', []);
    expect(r.ok).toBe(true);
    expect(r.ok && (r.value as { version: string }).version).toBe('0.0.0-test');
  });

  it('refuses unknown channels', async () => {
    const r = await dispatch(services, 'fs:readFile', ['/etc/passwd']);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('refuses wrong argument types, counts and extra fields', async () => {
    for (const args of [[42], [], ['fashion-mnist', 'extra'], undefined, 'fashion-mnist', [{ id: 'x' }]]) {
      const r = await dispatch(services, 'datasets:status', args);
      expect(r, JSON.stringify(args)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
    const extra = await dispatch(services, 'datasets:import', [{ id: 'x', files: [], evil: true }]);
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('refuses ids that are paths', async () => {
    for (const id of ['../x', '/etc', 'a/b', 'A', 'x'.repeat(300), '', '..']) {
      const r = await dispatch(services, 'models:load', [id]);
      expect(r, id).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
  });

  it('refuses oversized payloads before they reach a service', async () => {
    const huge = new Uint8Array(101 * 1024 * 1024);
    const r = await dispatch(services, 'datasets:import', [{ id: 'big', files: [{ name: 'x.gz', bytes: huge }] }]);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    if (!r.ok) expect(r.error.message).toMatch(/at most/);
  });

  it('refuses test metrics that do not say which dataset they were measured on, and unknown pixel scales', async () => {
    for (const patch of [{ testMetrics: { loss: 0.3, acc: 0.9 } }, { testMetrics: { metrics: { loss: 0.3, acc: 0.9 } } }, { pixelScale: 'percent' }]) {
      const r = await dispatch(services, 'models:updateMeta', ['some-model', patch]);
      expect(r, JSON.stringify(patch)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
  });

  it('enforces the shared limits the Train form shows (HYPER_LIMITS), and at most 100 class names', async () => {
    const run = (epochs: number) => ({
      id: 'r1', name: 'Run', preset: 'best', layers: [], backend: 'cpu', startedAt: '', endedAt: '', state: 'completed',
      history: [], bestEpoch: null, testMetrics: null, imagesPerSecond: 0, modelId: null,
      hyper: { epochs, batchSize: 128, optimizer: 'adam', learningRate: 1e-3, decay: 0, schedule: 'none', validationSplit: 0.1,
        augment: { shift: 0, flip: false }, labelSmoothing: 0, seed: 1, patience: 0, limit: 0, pixelScale: 'raw' },
    });
    expect(await dispatch(services, 'runs:save', [run(HYPER_LIMITS.epochs.max)])).toMatchObject({ ok: true });
    const over = await dispatch(services, 'runs:save', [run(HYPER_LIMITS.epochs.max + 1)]);
    expect(over).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/at 0\.hyper\.epochs/) } });
    const names = Array.from({ length: 101 }, (_, i) => `c${i}`);
    const many = await dispatch(services, 'datasets:import', [{ id: 'many', classNames: names, files: [{ name: 'x', bytes: new Uint8Array(1) }] }]);
    expect(many).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/classNames/) } });
  });

  it('turns service errors into values the UI can show', async () => {
    const r = await dispatch(services, 'models:load', ['does-not-exist']);
    expect(r).toMatchObject({ ok: false, error: { code: 'not-found' } });
    if (!r.ok) expect(r.error.message.length).toBeGreaterThan(5);
  });
});
