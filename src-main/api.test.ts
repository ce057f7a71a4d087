import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../src-shared/contract';
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

  it('turns service errors into values the UI can show', async () => {
    const r = await dispatch(services, 'models:load', ['does-not-exist']);
    expect(r).toMatchObject({ ok: false, error: { code: 'not-found' } });
    if (!r.ok) expect(r.error.message.length).toBeGreaterThan(5);
  });
});
