/**
 * What a file is, from its first bytes, and how many pixels it would decode to, from its header
 * alone: a 20,000×20,000 PNG is a few kilobytes on disk and 1.6 GB once decoded, so the size
 * has to be known before the decoder is ever called. File names and MIME types are not trusted.
 */

export type ImageKind = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';

export type Sniffed =
  /** `width`/`height` are null when the header is cut short or damaged. */
  | { kind: ImageKind; width: number | null; height: number | null; animated: boolean }
  | { kind: 'svg' }
  | { kind: 'unknown' };

/** Enough for every header here except a JPEG whose metadata precedes its frame header. */
export const SNIFF_BYTES = 64 * 1024;

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  return bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function png(v: DataView): Sniffed {
  // Signature, then the IHDR chunk: length (13), "IHDR", width, height (big-endian).
  if (v.byteLength < 24 || v.getUint32(12) !== 0x49484452) return { kind: 'png', width: null, height: null, animated: false };
  // An APNG announces itself with an acTL chunk somewhere before the first IDAT.
  let animated = false;
  for (let p = 8; p + 8 <= v.byteLength; p += 12 + v.getUint32(p)) {
    const type = v.getUint32(p + 4);
    if (type === 0x6163544c) animated = true;
    if (type === 0x49444154 || animated) break;
  }
  return { kind: 'png', width: v.getUint32(16), height: v.getUint32(20), animated };
}

/** Walks JPEG segments to the first SOFn frame header, which holds the size. */
function jpeg(v: DataView): Sniffed {
  const damaged: Sniffed = { kind: 'jpeg', width: null, height: null, animated: false };
  let p = 2;
  while (p + 4 <= v.byteLength) {
    if (v.getUint8(p) !== 0xff) return damaged;
    const marker = v.getUint8(p + 1);
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return damaged; // end of image or scan data before any frame
    const length = v.getUint16(p + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (p + 9 > v.byteLength) return damaged;
      const height = v.getUint16(p + 5);
      const width = v.getUint16(p + 7);
      // Height 0 means "given later" (DNL), which browsers do not decode anyway.
      return { kind: 'jpeg', width: width || null, height: height || null, animated: false };
    }
    if (length < 2) return damaged;
    p += 2 + length;
  }
  return damaged;
}

/** Logical screen size; animated once a second image descriptor is found in the bytes given. */
function gif(v: DataView): Sniffed {
  if (v.byteLength < 10) return { kind: 'gif', width: null, height: null, animated: false };
  const width = v.getUint16(6, true);
  const height = v.getUint16(8, true);
  let frames = 0;
  let p = 13;
  const flags = v.byteLength > 10 ? v.getUint8(10) : 0;
  if (flags & 0x80) p += 3 << ((flags & 7) + 1); // global colour table
  const skipSubBlocks = (): void => {
    while (p < v.byteLength) {
      const size = v.getUint8(p);
      p += 1 + size;
      if (size === 0) return;
    }
  };
  while (p < v.byteLength && frames < 2) {
    const block = v.getUint8(p);
    if (block === 0x21) {
      p += 2; // extension introducer and label
      skipSubBlocks();
    } else if (block === 0x2c) {
      frames++;
      if (p + 10 > v.byteLength) break;
      const local = v.getUint8(p + 9);
      p += 10;
      if (local & 0x80) p += 3 << ((local & 7) + 1);
      p += 1; // LZW minimum code size
      skipSubBlocks();
    } else {
      break; // trailer (0x3b) or garbage
    }
  }
  return { kind: 'gif', width: width || null, height: height || null, animated: frames > 1 };
}

const BMP_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

/** Null when the DIB header size is not one BMP defines: "BM" alone also starts plain text. */
function bmp(v: DataView): Sniffed | null {
  if (v.byteLength < 18 || !BMP_HEADER_SIZES.has(v.getUint32(14, true))) return null;
  if (v.byteLength < 26) return { kind: 'bmp', width: null, height: null, animated: false };
  if (v.getUint32(14, true) === 12) {
    // BITMAPCOREHEADER: 16-bit sizes.
    return { kind: 'bmp', width: v.getUint16(18, true) || null, height: v.getUint16(20, true) || null, animated: false };
  }
  // A negative height means rows stored top-down.
  return { kind: 'bmp', width: Math.abs(v.getInt32(18, true)) || null, height: Math.abs(v.getInt32(22, true)) || null, animated: false };
}

function webp(bytes: Uint8Array, v: DataView): Sniffed {
  const chunk = ascii(bytes, 12, 4);
  const none: Sniffed = { kind: 'webp', width: null, height: null, animated: false };
  const u24 = (at: number): number => v.getUint8(at) | (v.getUint8(at + 1) << 8) | (v.getUint8(at + 2) << 16);
  if (chunk === 'VP8X' && v.byteLength >= 30) {
    return { kind: 'webp', width: u24(24) + 1, height: u24(27) + 1, animated: (v.getUint8(20) & 0x02) !== 0 };
  }
  if (chunk === 'VP8 ' && v.byteLength >= 30 && startsWith(bytes, [0x9d, 0x01, 0x2a], 23)) {
    return { kind: 'webp', width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff, animated: false };
  }
  if (chunk === 'VP8L' && v.byteLength >= 25 && v.getUint8(20) === 0x2f) {
    const bits = v.getUint32(21, true);
    return { kind: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, animated: false };
  }
  return none;
}

/** SVG is XML text: a `<svg` element near the start, after any prolog, comment or doctype. */
function isSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('<') && /<svg[\s>]/i.test(head);
}

export function sniff(bytes: Uint8Array): Sniffed {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (startsWith(bytes, PNG)) return png(v);
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return jpeg(v);
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return gif(v);
  const asBmp = ascii(bytes, 0, 2) === 'BM' ? bmp(v) : null;
  if (asBmp) return asBmp;
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return webp(bytes, v);
  if (isSvg(bytes)) return { kind: 'svg' };
  return { kind: 'unknown' };
}
