import { describe, expect, it } from 'vitest';
import { ModelSlot } from './model-slot';

/** A model stand-in that counts its disposals. */
const model = (name: string) => ({ name, disposed: 0, dispose() {
  this.disposed++;
} });
const meta = { label: 'm', pixelScale: 'unit' as const };
const none = () => new Error('none');

describe('ModelSlot', () => {
  it('disposes a replaced model at once when nothing holds it, and numbers models in order', () => {
    const slot = new ModelSlot<ReturnType<typeof model>>();
    expect(slot.key).toBeNull();
    expect(() => slot.hold(none)).toThrow('none');
    const a = model('a');
    const b = model('b');
    const ka = slot.put(a, meta);
    const kb = slot.put(b, meta);
    expect(kb).toBeGreaterThan(ka);
    expect(a.disposed).toBe(1);
    expect(b.disposed).toBe(0);
    expect(slot.peek()?.model).toBe(b);
  });

  it('keeps a replaced model until its last lease ends, then disposes it exactly once', () => {
    const slot = new ModelSlot<ReturnType<typeof model>>();
    const a = model('a');
    slot.put(a, meta);
    const first = slot.hold(none);
    const second = slot.hold(none);
    slot.put(model('b'), meta);
    expect(a.disposed).toBe(0);
    first.release();
    first.release(); // a second release of the same lease changes nothing
    expect(a.disposed).toBe(0);
    second.release();
    expect(a.disposed).toBe(1);
    expect(first.model).toBe(a);
  });

  it('releases the lease of a job that fails', async () => {
    const slot = new ModelSlot<ReturnType<typeof model>>();
    const a = model('a');
    slot.put(a, meta);
    await expect(slot.with(none, async () => {
      slot.put(model('b'), meta);
      throw new Error('job failed');
    })).rejects.toThrow('job failed');
    expect(a.disposed).toBe(1);
  });

  it('does not dispose a model put again in its own place', () => {
    const slot = new ModelSlot<ReturnType<typeof model>>();
    const a = model('a');
    slot.put(a, meta);
    slot.put(a, { ...meta, pixelScale: 'raw' });
    expect(a.disposed).toBe(0);
    expect(slot.peek()?.meta.pixelScale).toBe('raw');
  });
});
