// Reader (and writer) for IDX files (the MNIST family's format): a big-endian header — magic 0x0000TTDD
// (TT = value type, DD = number of dimensions), one u32 per dimension — then the values, row-major.
// Every check runs on the header and the byte length before anything is allocated, and every
// failure names the file and says what is wrong in words a user can act on.
import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import { fsError, TailorError } from './errors';

export class IdxError extends TailorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('corrupt', message, options);
    this.name = 'IdxError';
  }
}

export type IdxKind = 'images' | 'labels';

export type IdxFile = {
  kind: IdxKind;
  count: number;
  /** 0 for labels. */
  rows: number;
  cols: number;
  /** The values after the header: a view into the input, never a copy. */
  data: Uint8Array;
};

export interface IdxHeader {
  kind: IdxKind;
  count: number;
  rows: number;
  cols: number;
  headerBytes: number;
}

export interface IdxOptions {
  /** Labels must be below this; checked when given. */
  classCount?: number;
  /** The kind the caller expects, for a clearer message than a size mismatch. */
  expect?: IdxKind;
  /** Cap on the decompressed size (a gzip bomb must not exhaust memory). */
  maxBytes?: number;
}

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;
/** Largest image side we accept: far above any IDX image set, small enough that n·rows·cols stays exact. */
export const MAX_SIDE = 1024;
/** Counts are indexed as signed 32-bit integers downstream (typed arrays, tfjs int32). */
export const MAX_COUNT = 2 ** 31 - 1;
/** Fashion-MNIST's largest file is 47 MB raw; this leaves room for larger IDX sets. */
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

const TYPE_NAMES: Record<number, string> = {
  0x09: 'signed bytes',
  0x0b: '16-bit integers',
  0x0c: '32-bit integers',
  0x0d: '32-bit floats',
  0x0e: '64-bit floats',
};

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function startsWith(bytes: Uint8Array, sig: readonly number[]): boolean {
  return bytes.byteLength >= sig.length && sig.every((v, i) => bytes[i] === v);
}

/** Names what a non-IDX file looks like, so "wrong file" is obvious from the message. */
function describeForeign(bytes: Uint8Array): string {
  const known: [number[], string][] = [
    [[0x89, 0x50, 0x4e, 0x47], 'is a PNG image'],
    [[0xff, 0xd8, 0xff], 'is a JPEG image'],
    [[0x47, 0x49, 0x46, 0x38], 'is a GIF image'],
    [[0x50, 0x4b, 0x03, 0x04], 'is a ZIP archive (extract it first)'],
    [[0x42, 0x5a, 0x68], 'is a bzip2 archive (decompress it first)'],
    [[0xfd, 0x37, 0x7a, 0x58, 0x5a], 'is an xz archive (decompress it first)'],
    [[0x1f, 0x8b], 'is gzip-compressed twice'],
  ];
  for (const [sig, what] of known) if (startsWith(bytes, sig)) return what;
  const head = bytes.subarray(0, 64);
  const text = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  if (text) {
    const s = Buffer.from(head).toString('latin1');
    if (/^\s*<(!doctype|html|\?xml)/i.test(s)) return 'is a web page (HTML)';
    return `is a text file (it starts with ${JSON.stringify(s.slice(0, 24))})`;
  }
  const first = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `does not start with an IDX magic number (its first bytes are ${first})`;
}

/** Validates the header against the file's total length. `head` needs at least the header's bytes. */
export function readIdxHeader(head: Uint8Array, fileName: string, byteLength: number, opts: IdxOptions = {}): IdxHeader {
  if (byteLength === 0) throw new IdxError(`${fileName} is empty (0 bytes)`);
  if (byteLength < 4) {
    throw new IdxError(`${fileName} is truncated: ${plural(byteLength, 'byte')}, too short for an IDX header`);
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== IMAGES_MAGIC && magic !== LABELS_MAGIC) throw new IdxError(badMagic(head, magic, fileName));
  const kind: IdxKind = magic === IMAGES_MAGIC ? 'images' : 'labels';
  if (opts.expect && opts.expect !== kind) {
    throw new IdxError(`${fileName} holds ${kind} (magic ${hex(magic)}), but ${opts.expect} were expected here`);
  }
  const headerBytes = kind === 'images' ? 16 : 8;
  if (byteLength < headerBytes || head.byteLength < headerBytes) {
    throw new IdxError(
      `${fileName} is truncated: an IDX ${kind} header needs ${headerBytes} bytes, but the file has ${byteLength}`,
    );
  }
  const count = view.getUint32(4, false);
  const rows = kind === 'images' ? view.getUint32(8, false) : 0;
  const cols = kind === 'images' ? view.getUint32(12, false) : 0;
  const item = kind === 'images' ? 'image' : 'label';
  if (count === 0) throw new IdxError(`${fileName} declares 0 ${kind}; a dataset file must hold at least one`);
  if (count > MAX_COUNT) {
    throw new IdxError(
      `${fileName} declares ${plural(count, item)}, more than the 2^31−1 an IDX reader can index: the header is corrupt`,
    );
  }
  if (kind === 'images' && (rows < 1 || cols < 1 || rows > MAX_SIDE || cols > MAX_SIDE)) {
    throw new IdxError(
      `${fileName} declares images of ${rows}×${cols} pixels; each side must be between 1 and ${MAX_SIDE}`,
    );
  }
  const itemBytes = kind === 'images' ? rows * cols : 1;
  const expected = headerBytes + count * itemBytes; // < 2^52: exact in a double
  const what = kind === 'images' ? `${plural(count, item)} of ${rows}×${cols}` : plural(count, item);
  if (byteLength < expected) {
    const missing = expected - byteLength;
    throw new IdxError(
      `${fileName} is truncated: its header declares ${what} (${plural(expected, 'byte')}), ` +
        `but the file has ${plural(byteLength, 'byte')}, ${plural(missing, 'byte')} short`,
    );
  }
  if (byteLength > expected) {
    throw new IdxError(
      `${fileName} has ${plural(byteLength - expected, 'trailing byte')} after the ${what} its header declares`,
    );
  }
  return { kind, count, rows, cols, headerBytes };
}

function badMagic(head: Uint8Array, magic: number, fileName: string): string {
  const [b0, b1, b2, b3] = [head[0], head[1], head[2], head[3]];
  if (b0 === 0 && b1 === 0) {
    if (b2 !== 0x08) {
      const type = TYPE_NAMES[b2 ?? 0] ?? `type 0x${(b2 ?? 0).toString(16).padStart(2, '0')}`;
      return `${fileName} is an IDX file of ${type}; only unsigned bytes (type 0x08) are supported`;
    }
    return `${fileName} is an IDX file with ${b3} dimension${b3 === 1 ? '' : 's'}; expected 1 (labels) or 3 (images)`;
  }
  if (b1 === 0x08 && b2 === 0 && b3 === 0) {
    return `${fileName} has its IDX magic number byte-swapped (${hex(magic)}): IDX headers are big-endian`;
  }
  return `${fileName} ${describeForeign(head)}, not an IDX file`;
}

/** First label ≥ classCount, reported by index and value (tfjs oneHot would silently zero it). */
export function checkLabels(labels: Uint8Array, classCount: number, fileName: string): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v >= classCount) {
      throw new IdxError(
        `${fileName}: label ${v} at index ${i.toLocaleString('en-US')} is out of range; ` +
          `labels must be 0–${classCount - 1} for ${plural(classCount, 'class', 'classes')}`,
      );
    }
  }
}

/** Parses IDX bytes already decompressed (gzip here means compressed twice); `data` is a view into `bytes`. */
export function parseRawIdx(bytes: Uint8Array, fileName: string, opts: IdxOptions = {}): IdxFile {
  const h = readIdxHeader(bytes, fileName, bytes.byteLength, opts);
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + h.headerBytes, bytes.byteLength - h.headerBytes);
  if (h.kind === 'labels' && opts.classCount !== undefined) checkLabels(data, opts.classCount, fileName);
  return { kind: h.kind, count: h.count, rows: h.rows, cols: h.cols, data };
}

function gunzipError(err: unknown, fileName: string, maxBytes: number): IdxError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
    return new IdxError(
      `${fileName} decompresses to more than ${Math.round(maxBytes / 2 ** 20)} MB, more than an IDX dataset this app reads`,
      { cause: err },
    );
  }
  if (code === 'Z_BUF_ERROR') {
    return new IdxError(`${fileName}: the gzip data ends early (the file is truncated or was cut off)`, { cause: err });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new IdxError(`${fileName} is not a valid gzip file: ${detail}`, { cause: err });
}

const gunzipAsync = promisify(gunzip);

/** Decompresses gzip input (sniffed from its first two bytes) on the thread pool; raw input is returned as is. */
export async function decompressIdx(bytes: Uint8Array, fileName: string, maxBytes = DEFAULT_MAX_BYTES): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    throw gunzipError(err, fileName, maxBytes);
  }
}

/** Parses an IDX file, gzip-compressed or raw. Throws only IdxError for bad input. */
export function parseIdx(bytes: Uint8Array, fileName: string, opts: IdxOptions = {}): IdxFile {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (err) {
      throw gunzipError(err, fileName, maxBytes);
    }
  }
  return parseRawIdx(raw, fileName, opts);
}

/** Reads and parses one file; gzip is decompressed off the main thread. */
export async function readIdxFile(path: string, opts: IdxOptions = {}): Promise<IdxFile> {
  const fileName = basename(path);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let bytes: Uint8Array;
  try {
    const size = (await fs.stat(path)).size;
    if (size > maxBytes) {
      throw new IdxError(`${fileName} is ${Math.round(size / 2 ** 20)} MB, larger than an IDX dataset this app reads`);
    }
    bytes = await fs.readFile(path);
  } catch (err) {
    throw err instanceof TailorError ? err : fsError(err, fileName);
  }
  return parseRawIdx(await decompressIdx(bytes, fileName, maxBytes), fileName, opts);
}

/** Images and labels of one split must agree in kind and count. */
export function checkPair(images: IdxFile, labels: IdxFile, fileNames: { images: string; labels: string }): void {
  if (images.kind !== 'images') throw new IdxError(`${fileNames.images} holds labels, not images`);
  if (labels.kind !== 'labels') throw new IdxError(`${fileNames.labels} holds images, not labels`);
  if (images.count !== labels.count) {
    throw new IdxError(
      `${fileNames.images} has ${plural(images.count, 'image')} but ${fileNames.labels} has ` +
        `${plural(labels.count, 'label')}: the counts must match`,
    );
  }
}

/** An IDX file of unsigned bytes: images (`count × rows × cols`) or labels (`count`), header and values. */
function idxBytes(dims: readonly number[], values: (out: Uint8Array, offset: number) => void): Uint8Array {
  const offset = 4 + 4 * dims.length;
  const out = new Uint8Array(offset + dims.reduce((a, b) => a * b, 1));
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  values(out, offset);
  return out;
}

/** Writes images, each `rows × cols` bytes, as one IDX images file. */
export function encodeIdxImages(images: readonly Uint8Array[], rows: number, cols: number): Uint8Array {
  return idxBytes([images.length, rows, cols], (out, at) => images.forEach((img, i) => out.set(img, at + i * rows * cols)));
}

/** Writes labels as one IDX labels file. */
export function encodeIdxLabels(labels: ArrayLike<number>): Uint8Array {
  return idxBytes([labels.length], (out, at) => out.set(labels, at));
}
