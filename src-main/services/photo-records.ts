// A photo dataset's contents as plain data: its class naming, one entry per file (with the 28×28
// it became and its thumbnail), and how they become the IDX parts, records and thumbnail file
// that are committed together. No disk here: photo-datasets.ts reads and commits.
import { z } from 'zod';
import { PHOTO_LIMITS } from '../../src-shared/limits';
import type { PartName } from '../../src-shared/types/dataset';
import type { PhotoRecord, PhotoSplit } from '../../src-shared/types/photo-dataset';
import { TailorError } from './errors';
import { encodeIdxImages, encodeIdxLabels } from './idx';

export const PHOTO_PIXELS = PHOTO_LIMITS.side * PHOTO_LIMITS.side;
export const RECORDS_FILE = 'photos.json';
export const THUMBS_FILE = 'thumbs.bin';

/** How labels become classes: own classes (label = class), or folders mapped onto a model's classes. */
export interface Naming {
  classNames: string[];
  labelNames: string[] | null;
  allowed: number[][] | null;
}

/** One file of the dataset, with its pictures in memory. */
export interface Entry {
  path: string;
  hash: string;
  split: PhotoSplit;
  label: string;
  reason: string | null;
  image: Uint8Array | null;
  thumb: Uint8Array | null;
}

/** A record as photos.json keeps it: where its 28×28 sits among the parts. */
const storedRecordSchema = z.object({
  path: z.string(),
  hash: z.string(),
  split: z.enum(['train', 'validation', 'test']),
  label: z.string(),
  reason: z.string().nullable(),
  thumb: z.tuple([z.number().int().min(0), z.number().int().min(0)]).nullable(),
  part: z.enum(['train', 'test']).nullable(),
  index: z.number().int().min(0).nullable(),
});
const skippedSchema = z.object({ path: z.string(), reason: z.string() });
const recordsFileSchema = z.object({ version: z.literal(1), records: z.array(storedRecordSchema), skipped: z.array(skippedSchema).default([]) });
export type StoredRecord = z.infer<typeof storedRecordSchema>;
export type Skipped = z.infer<typeof skippedSchema>;

export const labelsOf = (n: Naming): string[] => n.labelNames ?? n.classNames;

const invalid = (message: string) => new TailorError('invalid-argument', message);
const startsWith = (list: readonly string[], prefix: readonly string[]) => prefix.every((x, i) => list[i] === x);

function checkNaming(n: Naming): void {
  const dup = (xs: readonly string[]) => xs.find((x, i) => xs.indexOf(x) !== i);
  const twice = dup(n.classNames) ?? (n.labelNames ? dup(n.labelNames) : undefined);
  if (twice !== undefined) throw invalid(`"${twice}" is named twice: every class (and folder) needs a name of its own`);
  if (labelsOf(n).length > PHOTO_LIMITS.labels) throw invalid(`${labelsOf(n).length} labels: a photo dataset holds at most ${PHOTO_LIMITS.labels}`);
  if (!n.labelNames || !n.allowed) return;
  if (n.allowed.length !== n.labelNames.length) throw invalid(`${n.labelNames.length} folders but ${n.allowed.length} lists of allowed classes`);
  n.allowed.forEach((classes, i) => {
    const bad = classes.find((c) => c >= n.classNames.length);
    if (bad !== undefined) throw invalid(`"${n.labelNames![i]}" is mapped to class ${bad}, which the ${n.classNames.length} classes do not have`);
    if (new Set(classes).size !== classes.length) throw invalid(`"${n.labelNames![i]}" lists a class twice`);
  });
}

/**
 * The naming after an add. A new dataset takes the request's; an existing one keeps its classes
 * and labels in their order (labels index them in the IDX files, models record them) and may only
 * append to them; a mapped dataset takes the request's (edited) allowed lists.
 */
export function mergeNaming(existing: Naming | null, req: Naming, name: string): Naming {
  checkNaming(req);
  if (!existing) return req;
  if (Boolean(existing.labelNames) !== Boolean(req.labelNames)) {
    const kind = existing.labelNames ? "folders mapped onto a model's classes" : 'classes of its own';
    throw new TailorError('conflict', `${name} has ${kind}: add photos named the same way, or import them as a new dataset`);
  }
  if (!req.labelNames) {
    if (!startsWith(req.classNames, existing.classNames)) {
      throw new TailorError('conflict', `${name} has the classes ${existing.classNames.join(', ')}: new classes may only be added after them`);
    }
    return req;
  }
  if (req.classNames.length !== existing.classNames.length || !startsWith(req.classNames, existing.classNames)) {
    throw new TailorError('conflict', `${name} maps its folders onto ${existing.classNames.join(', ')}: map the new photos onto the same classes`);
  }
  if (!startsWith(req.labelNames, existing.labelNames!)) {
    throw new TailorError('conflict', `${name} has the folders ${existing.labelNames!.join(', ')}: new folders may only be added after them`);
  }
  return req;
}

export function parseRecords(text: string): { records: StoredRecord[]; skipped: Skipped[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TailorError('corrupt', `${RECORDS_FILE} is damaged: it is not JSON`);
  }
  const parsed = recordsFileSchema.safeParse(json);
  if (!parsed.success) throw new TailorError('corrupt', `${RECORDS_FILE} is damaged: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
  return parsed.data;
}

/**
 * Files left out, after an add: the earlier ones whose path was not given again (as a photo or as
 * left out), then the new ones.
 */
export function mergeSkipped(earlier: readonly Skipped[], now: readonly Skipped[], paths: ReadonlySet<string>): Skipped[] {
  const again = new Set([...paths, ...now.map((s) => s.path)]);
  return [...earlier.filter((s) => !again.has(s.path)), ...now];
}

/** Entries from what is on disk: each record with its 28×28 (from the parts) and its thumbnail. */
export function entriesOf(records: readonly StoredRecord[], images: Record<'train' | 'test', Uint8Array>, thumbs: Uint8Array): Entry[] {
  return records.map((r) => {
    const source = r.part ? images[r.part] : null;
    const at = r.index === null ? -1 : r.index * PHOTO_PIXELS;
    const image = source && at >= 0 && at + PHOTO_PIXELS <= source.byteLength ? source.slice(at, at + PHOTO_PIXELS) : null;
    const thumb = r.thumb && r.thumb[0] + r.thumb[1] <= thumbs.byteLength ? thumbs.slice(r.thumb[0], r.thumb[0] + r.thumb[1]) : null;
    if (r.part && !image) throw new TailorError('corrupt', `${RECORDS_FILE} points past the pictures beside it`);
    return { path: r.path, hash: r.hash, split: r.split, label: r.label, reason: r.reason, image, thumb };
  });
}


export interface Built {
  parts: Record<PartName, Uint8Array>;
  records: StoredRecord[];
  thumbs: Uint8Array;
  /** False when no photo was held out: the test part repeats the training photos. */
  heldOut: boolean;
}

/**
 * The files of one version: used photos of the train split make the training part, the others
 * (validation and test) the held-out part; records point at where each 28×28 and thumbnail went.
 */
export function build(entries: readonly Entry[], naming: Naming, name: string): Built {
  const labels = labelsOf(naming);
  const train: Entry[] = [];
  const held: Entry[] = [];
  for (const e of entries) {
    if (!labels.includes(e.label)) throw invalid(`${e.path}: "${e.label}" is not one of the labels of ${name} (${labels.join(', ')})`);
    if (e.image) (e.split === 'train' ? train : held).push(e);
  }
  if (train.length === 0) throw invalid(`${name} would have no usable photo to train on: none of its photos in the training split could be used`);
  const heldOut = held.length > 0;
  const place = new Map<Entry, { part: 'train' | 'test'; index: number }>();
  train.forEach((e, index) => place.set(e, { part: 'train', index }));
  held.forEach((e, index) => place.set(e, { part: 'test', index }));
  const thumbParts: Uint8Array[] = [];
  let offset = 0;
  const records = entries.map((e): StoredRecord => {
    let thumb: [number, number] | null = null;
    if (e.thumb) {
      thumb = [offset, e.thumb.byteLength];
      thumbParts.push(e.thumb);
      offset += e.thumb.byteLength;
    }
    const at = place.get(e);
    return { path: e.path, hash: e.hash, split: e.split, label: e.label, reason: e.reason, thumb, part: at?.part ?? null, index: at?.index ?? null };
  });
  const thumbs = new Uint8Array(offset);
  let at = 0;
  for (const t of thumbParts) {
    thumbs.set(t, at);
    at += t.byteLength;
  }
  const test = heldOut ? held : train;
  const labelOf = (e: Entry) => labels.indexOf(e.label);
  return {
    parts: {
      trainImages: encodeIdxImages(train.map((e) => e.image!), PHOTO_LIMITS.side, PHOTO_LIMITS.side),
      trainLabels: encodeIdxLabels(train.map(labelOf)),
      testImages: encodeIdxImages(test.map((e) => e.image!), PHOTO_LIMITS.side, PHOTO_LIMITS.side),
      testLabels: encodeIdxLabels(test.map(labelOf)),
    },
    records,
    thumbs,
    heldOut,
  };
}

export function recordsJson(records: readonly StoredRecord[], skipped: readonly Skipped[]): string {
  return `${JSON.stringify({ version: 1, records, skipped })}\n`;
}

/** Records as the renderer sees them: pictures as offsets into the view's own byte arrays. */
export function publicRecords(entries: readonly Entry[]): { records: PhotoRecord[]; thumbs: Uint8Array; images: Uint8Array } {
  const used = entries.filter((e) => e.image);
  const images = new Uint8Array(used.length * PHOTO_PIXELS);
  used.forEach((e, i) => images.set(e.image!, i * PHOTO_PIXELS));
  const thumbs = new Uint8Array(entries.reduce((n, e) => n + (e.thumb?.byteLength ?? 0), 0));
  let offset = 0;
  let image = 0;
  const records = entries.map((e): PhotoRecord => {
    let thumb: [number, number] | null = null;
    if (e.thumb) {
      thumbs.set(e.thumb, offset);
      thumb = [offset, e.thumb.byteLength];
      offset += e.thumb.byteLength;
    }
    return { path: e.path, hash: e.hash, split: e.split, label: e.label, reason: e.reason, thumb, image: e.image ? image++ : null };
  });
  return { records, thumbs, images };
}
