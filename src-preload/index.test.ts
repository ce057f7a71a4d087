import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENTS, splitChannel } from '../src-shared/contract';

const exposed = new Map<string, unknown>();
const invoke = vi.fn(async (..._args: unknown[]) => ({ ok: true, value: 'pong' }));
const listeners = new Map<string, (...a: unknown[]) => void>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => invoke(...args),
    on: (event: string, fn: (...a: unknown[]) => void) => listeners.set(event, fn),
    removeListener: (event: string) => listeners.delete(event),
  },
}));

await import('./index');
const api = exposed.get('tailor') as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>> & {
  on: (e: string, fn: (p: unknown) => void) => () => void;
};

describe('preload', () => {
  beforeEach(() => invoke.mockClear());

  it('exposes exactly one object, window.tailor', () => {
    expect([...exposed.keys()]).toEqual(['tailor']);
  });

  it('exposes exactly the contract: one function per channel, plus on()', () => {
    const expected = new Map<string, string[]>();
    for (const c of CHANNELS) {
      const [g, op] = splitChannel(c);
      expected.set(g, [...(expected.get(g) ?? []), op]);
    }
    expect(Object.keys(api).sort()).toEqual([...expected.keys(), 'on'].sort());
    for (const [group, ops] of expected) {
      expect(Object.keys(api[group]!).sort()).toEqual([...ops].sort());
      for (const op of ops) expect(typeof api[group]![op]).toBe('function');
    }
  });

  it('forwards a call to its channel with its arguments', async () => {
    await expect(api['datasets']!['load']!('fashion-mnist')).resolves.toEqual({ ok: true, value: 'pong' });
    expect(invoke).toHaveBeenCalledWith('datasets:load', 'fashion-mnist');
  });

  it('never exposes ipcRenderer or the event object', () => {
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipc|invoke|send/i);
    const seen: unknown[] = [];
    const off = api.on(EVENTS[0], (p) => seen.push(p));
    listeners.get(EVENTS[0])!({ sender: 'the event object' }, { fraction: 0.5 });
    expect(seen).toEqual([{ fraction: 0.5 }]);
    off();
    expect(listeners.has(EVENTS[0])).toBe(false);
  });

  it('refuses events outside the contract', () => {
    expect(() => api.on('anything-else', () => undefined)).toThrow(/Unknown event/);
  });
});
