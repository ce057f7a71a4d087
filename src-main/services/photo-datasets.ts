// Photo datasets in the dataset cache: root/<id>/ holds the usual IDX parts of 28×28 pictures and
// manifest.json (so datasets:list/load serve it like any dataset), plus photos.json (one record per
// file: relative path, content hash, split, label, reason when it could not be used) and
// thumbs.bin (small JPEGs). Every add or remove rebuilds all of them and commits the folder as one
// version (one rename), so a crash or a full disk leaves the previous version whole. Writes for
// an id go through the DatasetStore's lock, so the two stores never interleave on one folder.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { GroupService } from '../api';
import { PART_NAMES, type DatasetStatus, type PartName } from '../../src-shared/types/dataset';
import type { PhotoAdd, PhotoDatasetView } from '../../src-shared/types/photo-dataset';
import { tempName } from './temp-names';
import { DatasetCache, verifySource, type Manifest } from './dataset-cache';
import { PART_INFO } from './dataset-catalog';
import { fsError, TailorError } from './errors';
import { checkId } from './ids';
import {
  RECORDS_FILE,
  THUMBS_FILE,
  build,
  entriesOf,
  labelsOf,
  mergeNaming,
  mergeSkipped,
  parseRecords,
  publicRecords,
  recordsJson,
  type Entry,
  type Naming,
  type Skipped,
} from './photo-records';

export interface PhotoDatasetOptions {
  /** The dataset cache's root (DatasetStore's). */
  root: string;
  /** Runs `fn` alone for the dataset `id` (DatasetStore.exclusive). */
  exclusive: <T>(id: string, fn: () => Promise<T>) => Promise<T>;
  status: (id: string) => Promise<DatasetStatus>;
}

interface Current {
  m: Manifest;
  naming: Naming;
  entries: Entry[];
  skipped: Skipped[];
}

export class PhotoDatasetStore implements GroupService<'photos'> {
  private readonly cache: DatasetCache;

  constructor(private readonly opts: PhotoDatasetOptions) {
    this.cache = new DatasetCache(opts.root);
  }

  /** Content hashes of every file the dataset has (used or not): a later import skips them. None for a new id. */
  async known(id: string): Promise<string[]> {
    return this.opts.exclusive(checkId(id, 'dataset id'), async () => (await this.read(id))?.entries.map((e) => e.hash) ?? []);
  }

  async get(id: string): Promise<PhotoDatasetView> {
    return this.opts.exclusive(checkId(id, 'dataset id'), async () => {
      const current = await this.read(id);
      if (!current) throw new TailorError('not-found', `There is no photo dataset "${id}"`);
      const { m, naming, entries, skipped } = current;
      return { id, name: m.name, ...naming, heldOut: m.photos?.heldOut ?? false, skipped, ...publicRecords(entries) };
    });
  }

  /** Adds prepared photos (and the reasons others could not be used); creates the dataset when new. */
  async add(req: PhotoAdd): Promise<DatasetStatus> {
    const id = checkId(req.id, 'dataset id');
    await this.opts.exclusive(id, async () => {
      const current = await this.read(id);
      const name = req.name ?? current?.m.name ?? id;
      const wanted: Naming = { classNames: req.classNames, labelNames: req.labelNames ?? null, allowed: req.allowed ?? null };
      const naming = mergeNaming(current?.naming ?? null, wanted, name);
      const entries = [...(current?.entries ?? [])];
      const byHash = new Map(entries.map((e, i) => [e.hash, i]));
      for (const item of req.items) {
        const entry: Entry = { path: item.path, hash: item.hash, split: item.split, label: item.label, reason: item.reason ?? null, image: item.image ?? null, thumb: item.thumb ?? null };
        const at = byHash.get(item.hash);
        if (at === undefined) {
          byHash.set(item.hash, entries.length);
          entries.push(entry);
        } else if (req.replace) entries[at] = entry;
      }
      const skipped = mergeSkipped(current?.skipped ?? [], req.skipped ?? [], new Set(entries.map((e) => e.path)));
      await this.commit(id, name, naming, entries, skipped);
    });
    return this.opts.status(id);
  }

  /** Removes files by content hash; removing the last usable training photo removes the dataset (null). */
  async remove(id: string, hashes: string[]): Promise<DatasetStatus | null> {
    checkId(id, 'dataset id');
    const gone = await this.opts.exclusive(id, async () => {
      const current = await this.read(id);
      if (!current) throw new TailorError('not-found', `There is no photo dataset "${id}"`);
      const drop = new Set(hashes);
      const entries = current.entries.filter((e) => !drop.has(e.hash));
      if (!entries.some((e) => e.image && e.split === 'train')) {
        await this.discard(id);
        return true;
      }
      await this.commit(id, current.m.name, current.naming, entries, current.skipped);
      return false;
    });
    return gone ? null : this.opts.status(id);
  }

  /** The dataset as committed, or null when there is none; refuses an IDX dataset. */
  private async read(id: string): Promise<Current | null> {
    const m = await this.cache.readManifest(id);
    if (!m) return null;
    if (!m.photos) throw new TailorError('conflict', `${m.name} is a dataset of IDX files, not photos: import the photos under another name`);
    const naming: Naming = { classNames: m.classNames, labelNames: m.labelNames ?? null, allowed: m.allowed ?? null };
    const dir = this.cache.dir(id);
    const text = await fs.readFile(join(dir, RECORDS_FILE), 'utf8').catch((err: unknown) => {
      throw fsError(err, `The records of ${m.name}`);
    });
    const thumbs = await fs.readFile(join(dir, THUMBS_FILE)).catch((err: unknown) => {
      throw fsError(err, `The thumbnails of ${m.name}`);
    });
    const part = async (p: PartName) => {
      const mp = m.parts[p];
      if (!mp) throw new TailorError('corrupt', `${m.name} is missing its ${PART_INFO[p].label}`);
      return (await this.cache.readPart(id, p, mp, labelsOf(naming).length)).data;
    };
    const images = { train: await part('trainImages'), test: await part('testImages') };
    const { records, skipped } = parseRecords(text);
    return { m, naming, skipped, entries: entriesOf(records, images, new Uint8Array(thumbs.buffer, thumbs.byteOffset, thumbs.byteLength)) };
  }

  private async commit(id: string, name: string, naming: Naming, entries: Entry[], skipped: Skipped[]): Promise<void> {
    const built = build(entries, naming, name);
    const m: Manifest = {
      version: 1,
      id,
      name,
      classNames: naming.classNames,
      derivedClassNames: false,
      rows: 28,
      cols: 28,
      parts: {},
      ...(naming.labelNames && naming.allowed ? { labelNames: naming.labelNames, allowed: naming.allowed } : {}),
      extras: [RECORDS_FILE, THUMBS_FILE],
      photos: { heldOut: built.heldOut },
    };
    const written = new Map<PartName, Uint8Array>();
    for (const part of PART_NAMES) {
      const { cacheFile, kind } = PART_INFO[part];
      const v = await verifySource(built.parts[part], cacheFile, { expect: kind, classCount: labelsOf(naming).length });
      m.parts[part] = { file: cacheFile, bytes: v.raw.byteLength, count: v.idx.count, md5: v.md5, rawMd5: v.rawMd5, sha256: v.sha256, source: 'import', origin: 'photos' };
      written.set(part, v.raw);
    }
    try {
      await this.cache.commit(m, written, { [RECORDS_FILE]: recordsJson(built.records, skipped), [THUMBS_FILE]: built.thumbs });
    } catch (err) {
      throw fsError(err, `Saving ${name} to the dataset cache`);
    }
  }

  /** Moves the folder aside (one rename: it is gone or whole) and then deletes it. */
  private async discard(id: string): Promise<void> {
    const dir = this.cache.dir(id);
    const aside = tempName(dir);
    try {
      await fs.rename(dir, aside);
    } catch (err) {
      throw fsError(err, `Removing ${id}`);
    }
    await fs.rm(aside, { recursive: true, force: true });
  }
}
