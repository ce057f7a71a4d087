import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TailorError } from './errors';
import { cyclicLabels, gz, idxImages, idxLabels, prng } from './idx-fixtures';
import { checkPair, decompressIdx, IdxError, parseIdx, readIdxFile, readIdxHeader } from './idx';

/** Runs `fn`, expecting an IdxError whose message matches `pattern`. */
function idxFailure(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(IdxError);
  expect((caught as IdxError).code).toBe('corrupt');
  expect((caught as IdxError).message).toMatch(pattern);
}

function withU32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value);
  return copy;
}

describe('parseIdx: good files', () => {
  const images = idxImages(3, 4, 5);
  const labels = idxLabels([0, 9, 4]);

  it('reads raw images and labels', () => {
    const im = parseIdx(images, 'im');
    expect(im).toMatchObject({ kind: 'images', count: 3, rows: 4, cols: 5 });
    expect(im.data.length).toBe(60);
    expect([...im.data.subarray(20, 23)]).toEqual([31, 32, 33]); // image 1 starts at 1·31
    const lb = parseIdx(labels, 'lb', { classCount: 10 });
    expect(lb).toMatchObject({ kind: 'labels', count: 3, rows: 0, cols: 0 });
    expect([...lb.data]).toEqual([0, 9, 4]);
  });

  it('reads gzip the same as raw', () => {
    const raw = parseIdx(images, 'a');
    const zipped = parseIdx(gz(images), 'a.gz');
    expect(zipped).toMatchObject({ kind: raw.kind, count: raw.count, rows: raw.rows, cols: raw.cols });
    expect(Buffer.compare(zipped.data, raw.data)).toBe(0);
  });

  it('returns a plain Uint8Array view into a Buffer with a byteOffset, not a copy', () => {
    const backing = new ArrayBuffer(1000);
    const buf = Buffer.from(backing, 100, images.length);
    buf.set(images);
    const im = parseIdx(buf, 'offset');
    expect(im.data.buffer).toBe(backing);
    expect(im.data.byteOffset).toBe(116);
    expect(Object.getPrototypeOf(im.data)).toBe(Uint8Array.prototype);
    buf[16] = 222; // same memory: the view sees writes to the Buffer
    expect(im.data[0]).toBe(222);
  });

  it('checks the header against a length without the body (cache reads)', () => {
    expect(readIdxHeader(images.subarray(0, 16), 'h', images.length)).toEqual({
      kind: 'images',
      count: 3,
      rows: 4,
      cols: 5,
      headerBytes: 16,
    });
  });
});

describe('parseIdx: bad files name the file and the problem', () => {
  const images = idxImages(10, 2, 2);
  const labels = idxLabels([1, 2]);

  it('empty file', () => idxFailure(() => parseIdx(new Uint8Array(0), 'e.idx'), /^e\.idx is empty \(0 bytes\)$/));

  it('short header', () => {
    idxFailure(() => parseIdx(images.subarray(0, 3), 's'), /^s is truncated: 3 bytes, too short for an IDX header$/);
    idxFailure(() => parseIdx(images.subarray(0, 10), 's'), /^s is truncated: an IDX images header needs 16 bytes, but the file has 10$/);
    idxFailure(() => parseIdx(labels.subarray(0, 6), 'l'), /^l is truncated: an IDX labels header needs 8 bytes/);
  });

  it('byte-swapped magic', () => {
    idxFailure(() => parseIdx(withU32(images, 0, 0x03080000), 'sw'), /^sw has its IDX magic number byte-swapped \(0x03080000\)/);
  });

  it('images where labels were expected (swapped files)', () => {
    idxFailure(() => parseIdx(images, 'train-labels', { expect: 'labels' }), /^train-labels holds images \(magic 0x00000803\), but labels were expected/);
  });

  it('wrong dimensions and value types', () => {
    idxFailure(() => parseIdx(withU32(images, 0, 0x00000802), 'd'), /^d is an IDX file with 2 dimensions; expected 1 \(labels\) or 3 \(images\)$/);
    idxFailure(() => parseIdx(withU32(images, 0, 0x00000d03), 'f'), /^f is an IDX file of 32-bit floats; only unsigned bytes/);
    idxFailure(() => parseIdx(withU32(images, 8, 0), 'z'), /^z declares images of 0×2 pixels; each side must be between 1 and 1024$/);
    idxFailure(() => parseIdx(withU32(images, 12, 5000), 'w'), /^w declares images of 2×5000 pixels/);
  });

  it('declared count larger than the data', () => {
    idxFailure(
      () => parseIdx(images.subarray(0, images.length - 4), 'short'),
      /^short is truncated: its header declares 10 images of 2×2 \(56 bytes\), but the file has 52 bytes, 4 bytes short$/,
    );
  });

  it('trailing bytes', () => {
    const long = new Uint8Array(labels.length + 3);
    long.set(labels);
    idxFailure(() => parseIdx(long, 'tail'), /^tail has 3 trailing bytes after the 2 labels its header declares$/);
  });

  it('n = 2^31', () => {
    idxFailure(() => parseIdx(withU32(images, 4, 2 ** 31), 'big'), /^big declares 2,147,483,648 images, more than the 2\^31−1/);
    idxFailure(() => parseIdx(withU32(labels, 4, 2 ** 32 - 1), 'big'), /^big declares 4,294,967,295 labels/);
  });

  it('n = 0', () => {
    idxFailure(() => parseIdx(idxImages(0, 28, 28), 'none'), /^none declares 0 images; a dataset file must hold at least one$/);
    idxFailure(() => parseIdx(idxLabels([]), 'none'), /^none declares 0 labels/);
  });

  it('labels 10 and 255 with ten classes', () => {
    idxFailure(
      () => parseIdx(idxLabels([0, 9, 10]), 'l10', { classCount: 10 }),
      /^l10: label 10 at index 2 is out of range; labels must be 0–9 for 10 classes$/,
    );
    idxFailure(() => parseIdx(idxLabels([255, 1]), 'l255', { classCount: 10 }), /^l255: label 255 at index 0 is out of range/);
    expect(parseIdx(idxLabels([255]), 'any').data[0]).toBe(255); // no class count: any byte is a label
  });

  it('counts differ between images and labels', () => {
    const im = parseIdx(idxImages(3, 2, 2), 'im');
    expect(() => checkPair(im, parseIdx(idxLabels([1, 2]), 'lb'), { images: 'train-images', labels: 'train-labels' })).toThrow(
      /^train-images has 3 images but train-labels has 2 labels: the counts must match$/,
    );
    expect(() => checkPair(im, im, { images: 'a', labels: 'b' })).toThrow(/^b holds images, not labels$/);
    expect(() => checkPair(im, parseIdx(idxLabels([1, 2, 3]), 'lb'), { images: 'a', labels: 'b' })).not.toThrow();
  });

  it('a PNG (or other known format) renamed .gz', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    idxFailure(() => parseIdx(png, 'train-images-idx3-ubyte.gz'), /^train-images-idx3-ubyte\.gz is a PNG image, not an IDX file$/);
    idxFailure(() => parseIdx(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]), 'p.gz'), /is a JPEG image, not an IDX file/);
    idxFailure(() => parseIdx(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), 'z'), /is a ZIP archive \(extract it first\)/);
    idxFailure(() => parseIdx(gz(gz(labels)), 'twice.gz'), /^twice\.gz is gzip-compressed twice, not an IDX file$/);
  });

  it('an HTML error page or text', () => {
    const html = new TextEncoder().encode('<!DOCTYPE html><html><body>404</body></html>');
    idxFailure(() => parseIdx(html, 'page'), /^page is a web page \(HTML\), not an IDX file$/);
    idxFailure(() => parseIdx(new TextEncoder().encode('hello world, not data'), 't'), /^t is a text file \(it starts with "hello world, not data"\)/);
    idxFailure(() => parseIdx(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 'x'), /does not start with an IDX magic number \(its first bytes are 01 02 03 04\)/);
  });

  it('corrupt and truncated gzip', () => {
    const zipped = gz(idxImages(50, 8, 8, () => Math.floor(Math.random() * 256)));
    const bad = zipped.slice();
    for (let i = 20; i < 60; i++) bad[i]! ^= 0x5a;
    idxFailure(() => parseIdx(bad, 'bad.gz'), /^bad\.gz is not a valid gzip file: /);
    idxFailure(() => parseIdx(zipped.subarray(0, zipped.length >> 1), 'cut.gz'), /^cut\.gz: the gzip data ends early \(the file is truncated or was cut off\)$/);
  });

  it('caps decompressed size (gzip bomb)', async () => {
    const bomb = gz(new Uint8Array(4 * 2 ** 20));
    expect(bomb.length).toBeLessThan(10_000);
    idxFailure(() => parseIdx(bomb, 'bomb.gz', { maxBytes: 2 ** 20 }), /^bomb\.gz decompresses to more than 1 MB/);
    await expect(decompressIdx(bomb, 'bomb.gz', 2 ** 20)).rejects.toThrow(/^bomb\.gz decompresses to more than 1 MB/);
  });
});

describe('readIdxFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tailor-idx-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips small files it writes, gzip and raw', async () => {
    const images = idxImages(7, 6, 5);
    const labels = idxLabels(cyclicLabels(7, 3));
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gz(images));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), labels);
    const im = await readIdxFile(join(dir, 'train-images-idx3-ubyte.gz'));
    const lb = await readIdxFile(join(dir, 'train-labels-idx1-ubyte'), { classCount: 3 });
    expect(im).toMatchObject({ kind: 'images', count: 7, rows: 6, cols: 5 });
    expect(Buffer.compare(im.data, images.subarray(16))).toBe(0);
    expect([...lb.data]).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(() => checkPair(im, lb, { images: 'i', labels: 'l' })).not.toThrow();
  });

  it('names the file when it is bad or missing', async () => {
    await writeFile(join(dir, 'cut-images.gz'), gz(idxImages(4, 3, 3)).subarray(0, 20));
    await expect(readIdxFile(join(dir, 'cut-images.gz'))).rejects.toThrow(/^cut-images\.gz: the gzip data ends early/);
    const missing = readIdxFile(join(dir, 'nope'));
    await expect(missing).rejects.toBeInstanceOf(TailorError);
    await expect(missing).rejects.toMatchObject({ code: 'not-found', message: 'nope: not found' });
  });
});

describe('fuzz: random and mutated bytes only ever raise IdxError', () => {
  const seeds = [
    idxImages(4, 3, 3),
    idxLabels([0, 1, 2, 9]),
    gz(idxImages(4, 3, 3)),
    gz(idxLabels([3, 1, 4, 1, 5])),
  ];

  it('survives 3000 inputs', () => {
    const rand = prng(20240605);
    const int = (n: number) => Math.floor(rand() * n);
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      let bytes: Uint8Array;
      if (i % 3 === 0) {
        bytes = Uint8Array.from({ length: int(64) }, () => int(256));
        if (i % 2 === 0 && bytes.length >= 4) bytes.set([0, 0, 8, rand() < 0.5 ? 1 : 3]); // plausible magic
      } else {
        const seed = seeds[int(seeds.length)]!;
        bytes = seed.slice(0, rand() < 0.2 ? int(seed.length + 1) : seed.length);
        for (let k = 1 + int(4); k > 0 && bytes.length; k--) bytes[int(bytes.length)] = int(256);
        if (rand() < 0.1) bytes = Uint8Array.from([...bytes, ...Array.from({ length: 1 + int(8) }, () => int(256))]);
      }
      try {
        parseIdx(bytes, `fuzz-${i}`, { classCount: 10, maxBytes: 1 << 20 });
        parsed++;
      } catch (err) {
        if (!(err instanceof IdxError)) throw new Error(`input ${i} raised ${String(err)}`, { cause: err });
        expect(err.message.startsWith(`fuzz-${i}`)).toBe(true);
        rejected++;
      }
    }
    // Both outcomes occur, so the loop really exercised the parser's accept and reject paths.
    expect(parsed).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(1000);
  });
});
