// Finds, verifies, caches and serves IDX datasets. Per file the find order is: the app's cache
// (root/<id>/), a system copy (Debian ships Fashion-MNIST in /usr/share/datasets), then a download
// or an import on request. Anything from outside the cache is verified once and written into it, so
// every later load is a few plain reads. Every change commits a whole new version of the dataset's
// folder (DatasetCache.commit); cache writes for one id are serialised.
import { promises as fs } from 'node:fs';
import type { Emit, GroupService } from '../api';
import { PART_NAMES, type DatasetImport, type DatasetPayload, type DatasetStatus, type PartName } from '../../src-shared/types/dataset';
import { KeyedMutex, sweepTemp } from './atomic';
import { CacheDamage, DatasetCache, type Manifest } from './dataset-cache';
import { DEFAULT_CATALOG, PART_INFO, type CatalogEntry } from './dataset-catalog';
import { downloadAll } from './dataset-download';
import { defaultSystemDirs, fileStatus, SystemCopies, verifyPublished, type Located } from './dataset-sources';
import { applyNames, checkConsistency, classify, newManifest, widenDerivedNames, type Incoming } from './dataset-import';
import type { FetchFn } from './download';
import { fsError, TailorError } from './errors';
import { checkId, isId } from './ids';
import { checkPair, IdxError, type IdxFile } from './idx';

export { defaultSystemDirs, fashionMnistFile } from './dataset-sources';

export interface DatasetStoreOptions {
  /** Writable cache folder (userData/datasets). */
  root: string;
  /** Read-only folders searched for a catalog dataset's published files. */
  systemDirs?: string[];
  emit: Emit;
  fetch?: FetchFn;
  /** Overrides every catalog entry's download location (tests point it at a local server). */
  baseUrl?: string;
  catalog?: readonly CatalogEntry[];
  retryDelaysMs?: readonly number[];
}

/** Another process committed a new version of the dataset while this one was reading it. */
class ManifestChanged extends Error {}
const sameManifest = (a: Manifest | null, b: Manifest | null) => JSON.stringify(a) === JSON.stringify(b);

export class DatasetStore implements GroupService<'datasets'> {
  private readonly cache: DatasetCache;
  private readonly catalog: readonly CatalogEntry[];
  private readonly system: SystemCopies;
  private readonly mutex = new KeyedMutex();
  private readonly downloads = new Map<string, { controller: AbortController; done: Promise<DatasetStatus> }>();
  private readonly swept = new Set<string>();

  constructor(private readonly opts: DatasetStoreOptions) {
    this.cache = new DatasetCache(opts.root);
    this.catalog = opts.catalog ?? DEFAULT_CATALOG;
    this.system = new SystemCopies(opts.systemDirs ?? defaultSystemDirs());
  }

  /** Catalog datasets (ready or not) and every imported one. */
  async list(): Promise<DatasetStatus[]> {
    const ids = new Set(this.catalog.map((e) => e.id));
    let names: string[] = [];
    try {
      names = await fs.readdir(this.opts.root);
    } catch {
      // No cache folder yet: only the catalog.
    }
    for (const name of names) {
      if (!ids.has(name) && isId(name) && (await this.cache.readManifest(name))) ids.add(name);
    }
    return Promise.all([...ids].map((id) => this.status(id)));
  }

  async status(id: string): Promise<DatasetStatus> {
    const { entry, manifest, name, classNames } = await this.describe(id);
    const located = await Promise.all(PART_NAMES.map((part) => this.locate(id, entry, manifest, part)));
    const files = PART_NAMES.map((part, i) => fileStatus(this.cache.dir(id), part, located[i]!));
    const cached = (i: number) => (located[i]?.source === 'cache' ? located[i].mp.count : 0);
    const hasImages = located[0]?.source === 'cache' || located[2]?.source === 'cache';
    return {
      id,
      name,
      classNames,
      ready: located.every((l) => l.source === 'cache' || (l.source === 'system' && !l.file.problem)),
      files,
      trainCount: cached(0),
      testCount: cached(2),
      rows: hasImages ? (manifest?.rows ?? 0) : 0,
      cols: hasImages ? (manifest?.cols ?? 0) : 0,
      downloading: this.downloads.has(id),
      downloadable: Boolean(entry && this.baseUrlFor(entry)),
      ...(manifest?.photos ? { photos: { heldOut: manifest.photos.heldOut } } : {}),
    };
  }

  async load(id: string): Promise<DatasetPayload> {
    return this.mutex.run(checkId(id, 'dataset id'), async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.loadOnce(id);
        } catch (err) {
          if (!(err instanceof ManifestChanged) || attempt >= 3) throw err instanceof ManifestChanged ? err.cause : err;
        }
      }
    });
  }

  private async loadOnce(id: string): Promise<DatasetPayload> {
    const { entry, manifest, name, classNames } = await this.describe(id);
    const m = manifest ?? newManifest(id, entry, {});
    // Checksums of the decompressed files: a model's record matches however the data arrived.
    const got = {} as Record<PartName, { idx: IdxFile; md5: string }>;
    // Labels index the label names where folders are mapped onto classes, else the classes.
    const labelCount = m.labelNames?.length ?? classNames.length;
    for (const part of PART_NAMES) got[part] = await this.obtain(id, entry, m, part, labelCount);
    const { trainImages, trainLabels, testImages, testLabels } = got;
    const names = (i: PartName, l: PartName) => ({ images: PART_INFO[i].cacheFile, labels: PART_INFO[l].cacheFile });
    checkPair(trainImages.idx, trainLabels.idx, names('trainImages', 'trainLabels'));
    checkPair(testImages.idx, testLabels.idx, names('testImages', 'testLabels'));
    if (trainImages.idx.rows !== testImages.idx.rows || trainImages.idx.cols !== testImages.idx.cols) {
      throw new IdxError(
        `${name}: training images are ${trainImages.idx.rows}×${trainImages.idx.cols} but test images are ` +
          `${testImages.idx.rows}×${testImages.idx.cols}`,
      );
    }
    const split = (images: IdxFile, labels: IdxFile) => ({ images: images.data, labels: labels.data, count: images.count });
    return {
      id,
      name,
      classNames,
      ...(m.labelNames && m.allowed ? { labelNames: [...m.labelNames], allowed: m.allowed.map((a) => [...a]) } : {}),
      rows: trainImages.idx.rows,
      cols: trainImages.idx.cols,
      train: split(trainImages.idx, trainLabels.idx),
      test: split(testImages.idx, testLabels.idx),
      checksums: {
        trainImages: trainImages.md5,
        trainLabels: trainLabels.md5,
        testImages: testImages.md5,
        testLabels: testLabels.md5,
      },
    };
  }

  /** Fetches whatever the cache and system copies lack. A second call joins the one running. */
  async download(id: string): Promise<DatasetStatus> {
    checkId(id, 'dataset id');
    const running = this.downloads.get(id);
    if (running) return running.done;
    const entry = this.catalog.find((e) => e.id === id);
    const baseUrl = entry && this.baseUrlFor(entry);
    if (!entry || !baseUrl) {
      const { name } = await this.describe(id);
      throw new TailorError('invalid-argument', `${name} has no download location: import its files instead`);
    }
    const controller = new AbortController();
    const done = this.mutex
      .run(id, async () => {
        await this.sweep(id);
        const m = (await this.cache.readManifest(id)) ?? newManifest(id, entry, {});
        await downloadAll(this.downloadContext(entry, m), entry, m, baseUrl, controller.signal);
      })
      .finally(() => this.downloads.delete(id))
      .then(() => this.status(id));
    this.downloads.set(id, { controller, done });
    return done;
  }

  async cancelDownload(id: string): Promise<boolean> {
    const running = this.downloads.get(checkId(id, 'dataset id'));
    running?.controller.abort();
    return Boolean(running);
  }

  /**
   * Adds files the user picked. Every file is checked before anything is written, so a bad import
   * leaves the cache as it was. A new id creates a dataset; class names not given are '0'…'n−1'.
   */
  async import(req: DatasetImport): Promise<DatasetStatus> {
    const id = checkId(req.id, 'dataset id');
    await this.mutex.run(id, async () => {
      await this.sweep(id);
      const entry = this.catalog.find((e) => e.id === id);
      const existing = await this.cache.readManifest(id);
      if (existing?.photos) throw new TailorError('conflict', `${existing.name} is made of photos: add photos to it in the Data view, or import the IDX files under another name`);
      const m = existing ?? newManifest(id, entry, req);
      if (existing || entry) applyNames(m, entry, req);
      const incoming = await classify(req.files, entry, m.derivedClassNames ? undefined : m.classNames.length);
      checkConsistency(m, incoming);
      widenDerivedNames(m, incoming);
      await this.commit(m, incoming);
    });
    return this.status(id);
  }

  /** Runs `fn` alone for the dataset `id`, after its crash sweep: the photo store writes through here. */
  exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(checkId(id, 'dataset id'), async () => {
      await this.sweep(id);
      return fn();
    });
  }

  // ── finding files ──────────────────────────────────────────────────────────────────────────────

  private async describe(id: string) {
    checkId(id, 'dataset id');
    await this.sweep(id);
    const entry = this.catalog.find((e) => e.id === id);
    const manifest = await this.cache.readManifest(id);
    if (entry) return { entry, manifest, name: entry.name, classNames: [...entry.classNames] };
    if (manifest) return { entry, manifest, name: manifest.name, classNames: manifest.classNames };
    throw new TailorError('not-found', `There is no dataset "${id}"`);
  }

  private async locate(id: string, entry: CatalogEntry | undefined, m: Manifest | null, part: PartName): Promise<Located> {
    const mp = m?.parts[part];
    const cacheProblem = mp ? await this.cache.checkPart(id, mp) : null;
    if (mp && !cacheProblem) return { source: 'cache', mp };
    const file = entry ? await this.system.find(entry.parts[part]) : null;
    return file ? { source: 'system', file, cacheProblem } : { source: 'missing', cacheProblem };
  }

  private baseUrlFor(entry: CatalogEntry): string | undefined {
    const base = this.opts.baseUrl ?? entry.baseUrl;
    return base && (base.endsWith('/') ? base : `${base}/`);
  }

  /**
   * Once per id: puts back a version a crash left moved aside and removes dead writers' temp
   * folders (a live writer's, another process's included, are left alone), and clears downloads
   * and the temp files of earlier versions inside the folder.
   */
  private async sweep(id: string): Promise<void> {
    if (this.swept.has(id)) return;
    this.swept.add(id);
    await sweepTemp(this.opts.root);
    await sweepTemp(this.cache.dir(id));
    await sweepTemp(this.cache.downloadDir(id));
  }

  // ── loading ────────────────────────────────────────────────────────────────────────────────────

  /** One part from the cache, or rebuilt from its system copy; a damaged cache file is never served. */
  private async obtain(id: string, entry: CatalogEntry | undefined, m: Manifest, part: PartName, classCount: number) {
    const mp = m.parts[part];
    let damage: string | null = null;
    if (mp) {
      try {
        return { idx: await this.cache.readPart(id, part, mp, classCount), md5: mp.rawMd5 };
      } catch (err) {
        if (!(err instanceof CacheDamage)) throw err;
        if (!sameManifest(await this.cache.readManifest(id), m)) throw new ManifestChanged('changed', { cause: err });
        damage = err.message;
      }
    }
    const file = entry ? await this.system.find(entry.parts[part]) : null;
    if (entry && file && !file.problem) {
      const v = await this.system.read(entry, part, file);
      await this.commit(m, [{ part, v, source: 'system', origin: file.path }]);
      return { idx: v.idx, md5: v.rawMd5 };
    }
    const remedy = entry && this.baseUrlFor(entry) ? 'download the dataset or import the file' : 'import the file';
    if (mp && damage) await this.commit(m, [], [part]);
    if (file?.problem) throw new IdxError(file.problem); // found bad before: not re-read on every load
    if (damage) throw new TailorError('corrupt', `${damage} and was removed: ${remedy} again`);
    const name = entry?.name ?? m.name;
    throw new TailorError('not-found', `${name} is missing its ${PART_INFO[part].label}: ${remedy}`);
  }

  /**
   * Commits a new version of the dataset's folder: `incoming` parts added or replaced, `dropped`
   * ones removed, the rest carried over. A carried part whose file is gone or the wrong size is
   * dropped too, so the manifest only ever describes files that are there. `m` is updated only
   * once the commit succeeded.
   */
  private async commit(m: Manifest, incoming: Incoming[], dropped: PartName[] = []): Promise<void> {
    const next: Manifest = structuredClone(m);
    const written = new Map<PartName, Uint8Array>();
    for (const part of dropped) delete next.parts[part];
    for (const { part, v, source, origin } of incoming) {
      const file = PART_INFO[part].cacheFile;
      const [bytes, count] = [v.raw.byteLength, v.idx.count];
      next.parts[part] = { file, bytes, count, md5: v.md5, rawMd5: v.rawMd5, sha256: v.sha256, source, origin };
      written.set(part, v.raw);
      if (v.idx.kind === 'images') [next.rows, next.cols] = [v.idx.rows, v.idx.cols];
    }
    for (const part of PART_NAMES) {
      const mp = next.parts[part];
      if (mp && !written.has(part) && (await this.cache.checkPart(m.id, mp))) delete next.parts[part];
    }
    try {
      await this.cache.commit(next, written);
    } catch (err) {
      throw fsError(err, `Saving ${next.name} to the dataset cache`);
    }
    Object.assign(m, next);
  }

  private downloadContext(entry: CatalogEntry, m: Manifest) {
    return {
      emit: this.opts.emit,
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
      ...(this.opts.retryDelaysMs ? { retryDelaysMs: this.opts.retryDelaysMs } : {}),
      downloadDir: this.cache.downloadDir(entry.id),
      haveLocally: (part: PartName) => this.haveLocally(entry, m, part),
      verify: (bytes: Uint8Array, fileName: string, part: PartName) => verifyPublished(bytes, fileName, entry, part),
      commit: (target: Manifest, incoming: Incoming[]) => this.commit(target, incoming),
    };
  }

  /** True when the part is cached or could be cached from a good system copy (no network needed). */
  private async haveLocally(entry: CatalogEntry, m: Manifest, part: PartName): Promise<boolean> {
    const mp = m.parts[part];
    if (mp && !(await this.cache.checkPart(entry.id, mp))) return true;
    const file = await this.system.find(entry.parts[part]);
    if (!file || file.problem) return false;
    try {
      await this.commit(m, [{ part, v: await this.system.read(entry, part, file), source: 'system', origin: file.path }]);
      return true;
    } catch (err) {
      if (err instanceof IdxError) return false; // remembered as a system problem; download instead
      throw err;
    }
  }
}
