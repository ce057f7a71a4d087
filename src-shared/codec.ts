// Binary-safe message encoding for transports other than Electron IPC (which clones typed arrays
// natively). Layout: u32 header length | UTF-8 JSON header | binary blobs. Typed arrays in the value
// become {$bin: i} references, so 55 MB of pixels never turn into JSON number lists.
const TYPED = {
  Uint8Array,
  Int32Array,
  Float32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Float64Array,
  Uint8ClampedArray,
} as const;
type TypedName = keyof typeof TYPED;

interface BinRef {
  $bin: number;
  t: TypedName | 'ArrayBuffer';
}

function isBinRef(v: unknown): v is BinRef {
  return typeof v === 'object' && v !== null && typeof (v as BinRef).$bin === 'number' && Object.keys(v).length === 2;
}

export function encode(value: unknown): Uint8Array {
  const blobs: Uint8Array[] = [];
  const json = JSON.stringify(value, function (this: Record<string, unknown>, key, converted: unknown) {
    // The holder's own value, before toJSON (a Node Buffer would otherwise arrive as {type, data}).
    const v = key === '' ? value : this[key];
    if (v instanceof ArrayBuffer) {
      blobs.push(new Uint8Array(v));
      return { $bin: blobs.length - 1, t: 'ArrayBuffer' } satisfies BinRef;
    }
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      // Exact class first; subclasses (a Node Buffer is a Uint8Array) travel as their base class.
      const name =
        (Object.keys(TYPED) as TypedName[]).find((k) => v.constructor === TYPED[k]) ??
        (Object.keys(TYPED) as TypedName[]).find((k) => v instanceof TYPED[k]);
      if (!name) throw new TypeError(`cannot encode ${v.constructor.name}`);
      blobs.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return { $bin: blobs.length - 1, t: name } satisfies BinRef;
    }
    return converted;
  });
  const sizes = blobs.map((b) => b.byteLength);
  const header = new TextEncoder().encode(JSON.stringify({ json, sizes }));
  const total = 4 + header.byteLength + sizes.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, header.byteLength);
  out.set(header, 4);
  let at = 4 + header.byteLength;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

export function decode(bytes: Uint8Array): unknown {
  if (bytes.byteLength < 4) throw new Error('message too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0);
  if (4 + headerLength > bytes.byteLength) throw new Error('message header truncated');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as {
    json: string;
    sizes: number[];
  };
  const blobs: ArrayBuffer[] = [];
  let at = 4 + headerLength;
  for (const size of header.sizes) {
    if (at + size > bytes.byteLength) throw new Error('message body truncated');
    // Copy into an own, aligned buffer so Float32Array views are always valid.
    blobs.push(bytes.slice(at, at + size).buffer);
    at += size;
  }
  if (header.json === undefined) return undefined;
  return JSON.parse(header.json, (_key, v: unknown) => {
    if (!isBinRef(v)) return v;
    const buf = blobs[v.$bin];
    if (!buf) throw new Error('message references a missing blob');
    if (v.t === 'ArrayBuffer') return buf;
    const Ctor = TYPED[v.t];
    if (!Ctor) throw new Error(`unknown typed array ${String(v.t)}`);
    return new Ctor(buf);
  });
}
