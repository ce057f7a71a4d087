import { describe, expect, it } from 'vitest';
import { decode, encode } from './codec';

describe('binary codec', () => {
  it('round-trips JSON values with typed arrays as bytes', () => {
    const pixels = new Uint8Array(784 * 3).map((_, i) => i % 256);
    const value = { ok: true, value: { name: 'x', n: 3, nested: [{ pixels }], f: new Float32Array([1.5, -2]) } };
    const bytes = encode(value);
    // Pixels travel as raw bytes, not as a JSON list of numbers.
    expect(bytes.byteLength).toBeLessThan(pixels.byteLength + 400);
    const back = decode(bytes) as typeof value;
    expect(back.value.name).toBe('x');
    expect(back.value.nested[0]!.pixels).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.value.nested[0]!.pixels)).toEqual(Array.from(pixels));
    expect(Array.from(back.value.f)).toEqual([1.5, -2]);
  });

  it('encodes a Node Buffer as bytes, not as {type, data}', () => {
    const back = decode(encode({ b: Buffer.from([1, 2, 3]) })) as { b: Uint8Array };
    expect(Array.from(back.b)).toEqual([1, 2, 3]);
  });

  it('keeps subarray views to their own bytes', () => {
    const big = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const back = decode(encode([big.subarray(2, 5)])) as Uint8Array[];
    expect(Array.from(back[0]!)).toEqual([1, 2, 3]);
  });

  it('rejects truncated messages', () => {
    const bytes = encode({ a: new Uint8Array(100) });
    expect(() => decode(bytes.subarray(0, bytes.byteLength - 1))).toThrow(/truncated/);
    expect(() => decode(new Uint8Array(2))).toThrow(/too short/);
  });
});
