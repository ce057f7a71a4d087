// Importing a folder of photos as a dataset: read the folder (hash every photo, read classes.json),
// lay it out (src-shared/photo-folder.ts: classes, splits, refusals), let the user name the classes
// and check the split, then prepare every new photo in the prepare workers (both cores) with
// progress and cancel, and send main the 28×28s, thumbnails and reasons in one call, which it
// commits as one version. Files main already has (by content hash) are not prepared again.
import type { TailorApi } from '../../../src-shared/contract';
import { isPhotoName, planPhotoFolder, CLASS_MAP_FILE, type ClassMap, type FoundFile, type PhotoEntry, type PhotoFolderPlan } from '../../../src-shared/photo-folder';
import type { DatasetStatus } from '../../../src-shared/types/dataset';
import type { PhotoItem } from '../../../src-shared/types/photo-dataset';
import { unwrap } from '../api/result';
import {
  defaultMode,
  foldersOf,
  insideFolder,
  mappingFrom,
  namingFor,
  namingProblem,
  photoDatasetId,
  planMap,
  readClassMap,
  type ExistingNaming,
  type Mapping,
  type Named,
  type NamingMode,
} from '../view-logic/photo-import';
import type { PreparePool } from '../worker/prepare-client';

export type ImportPhase = 'idle' | 'reading' | 'planned' | 'preparing' | 'saving' | 'done';

export interface PhotoImportDeps {
  api: Pick<TailorApi, 'photos'>;
  startPool: () => PreparePool;
  /** SHA-256 of a file, hex. */
  hash: (blob: Blob) => Promise<string>;
  now?: () => number;
}

export interface ImportResult {
  status: DatasetStatus;
  added: number;
  failed: number;
  /** Files the dataset already had (same content): not prepared again. */
  already: number;
  ms: number;
}

/** Files hashed at once while reading a folder. */
const HASHING = 8;
/**
 * Least time between two progress updates while preparing, ms. Every update repaints the page (and
 * starts the bar's width transition): once a photo, that was 40 ms of the page's main thread per
 * photo, a third of the import's CPU (scripts/bench-import.ts, THREADS=1).
 */
const PROGRESS_EVERY_MS = 250;

/** Photos in flight per prepare worker: one being prepared, one waiting, so no worker idles. */
const PER_WORKER = 2;

export class PhotoImportState {
  phase = $state<ImportPhase>('idle');
  folder = $state<string | null>(null);
  /** The dataset the photos go into, and its name (a new one unless `existing` is set). */
  targetId = $state('photos');
  name = $state('');
  existing = $state.raw<ExistingNaming | null>(null);
  mode = $state<NamingMode>('own');
  mapping = $state<Mapping>({});
  /** The classes folders may be mapped onto (the model the photos will teach). */
  modelClasses = $state.raw<string[]>([]);
  seed = $state(42);
  validation = $state(0.15);
  mapProblem = $state<string | null>(null);
  /** Folders or files the browser could not read. */
  problems = $state.raw<string[]>([]);
  progress = $state.raw<{ done: number; total: number; failed: number } | null>(null);
  result = $state.raw<ImportResult | null>(null);
  error = $state<string | null>(null);

  readonly #deps: Required<PhotoImportDeps>;
  #found = $state.raw<FoundFile[]>([]);
  #blobs = new Map<string, Blob>();
  #hashes = new Map<string, string>();
  #known = $state.raw<ReadonlySet<string>>(new Set());
  #map: ClassMap | null = null;
  #cancelled = false;
  #pool: PreparePool | null = null;

  constructor(deps: PhotoImportDeps) {
    this.#deps = { now: () => performance.now(), ...deps };
  }

  readonly plan = $derived.by<PhotoFolderPlan | null>(() => {
    if (this.#found.length === 0) return null;
    const map = planMap(this.mode, this.mapping);
    return planPhotoFolder(this.#found, { seed: this.seed, validation: this.validation, test: 0, ...(map ? { map } : {}) });
  });
  readonly problem = $derived(namingProblem(this.plan, this.mode, this.mapping, this.modelClasses));
  /** Photos of the plan main does not have yet: the ones an import prepares. */
  readonly fresh = $derived(this.plan ? this.plan.entries.filter((e) => !this.#known.has(this.#hashes.get(e.path) ?? '')) : []);
  readonly already = $derived((this.plan?.entries.length ?? 0) - this.fresh.length);
  readonly running = $derived(this.phase === 'reading' || this.phase === 'preparing' || this.phase === 'saving');

  /** Reads a picked or dropped folder: hashes its photos, reads classes.json, plans it. */
  async open(files: readonly Named[], problems: readonly string[], into?: { id: string; name: string; naming: ExistingNaming } | null): Promise<void> {
    if (this.running) return;
    this.reset();
    this.phase = 'reading';
    this.problems = [...problems];
    try {
      const { folder, files: inside } = insideFolder(files);
      this.folder = folder;
      const mapFile = inside.find((f) => f.name === CLASS_MAP_FILE);
      const read = readClassMap(mapFile ? await mapFile.blob.text() : null);
      [this.#map, this.mapProblem] = [read.map, read.problem];
      this.progress = { done: 0, total: inside.length, failed: 0 };
      this.#found = await this.#hashAll(inside);
      await this.setTarget(into ? into.id : photoDatasetId(folder), into?.name ?? folder ?? 'My photos', into?.naming ?? null);
      this.#remap();
      this.phase = 'planned';
    } catch (err) {
      this.error = (err as Error).message;
      this.phase = 'idle';
    } finally {
      this.progress = null;
    }
  }

  /** Where the photos go: a new dataset, or an existing photo dataset (whose naming they extend). */
  async setTarget(id: string, name: string, existing: ExistingNaming | null): Promise<void> {
    this.targetId = id;
    this.name = name;
    this.existing = existing;
    if (existing?.labelNames) this.mode = 'mapped';
    else if (existing) this.mode = 'own';
    try {
      this.#known = new Set(await unwrap(this.#deps.api.photos.known(id)));
    } catch (err) {
      // An IDX dataset of that name: the import will be refused with the reason; nothing is known.
      this.#known = new Set();
      this.error = (err as Error).message;
    }
  }

  /** The classes folders can be mapped onto; the mapping is pre-filled again from classes.json. */
  setModelClasses(classNames: readonly string[]): void {
    this.modelClasses = [...classNames];
    if (this.existing?.labelNames) this.modelClasses = [...this.existing.classNames];
    this.#remap();
  }

  setMapping(folder: string, classes: readonly string[]): void {
    this.mapping = { ...this.mapping, [folder]: [...classes] };
  }

  #remap(): void {
    if (this.#found.length === 0) return;
    const folders = foldersOf(planPhotoFolder(this.#found, { seed: this.seed }));
    this.mapping = mappingFrom(this.#map, folders, this.modelClasses);
    if (!this.existing) this.mode = defaultMode(this.mapping);
  }

  async #hashAll(files: readonly Named[]): Promise<FoundFile[]> {
    const out: FoundFile[] = new Array(files.length);
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const i = next++;
        const f = files[i]!;
        this.#blobs.set(f.name, f.blob);
        if (isPhotoName(f.name)) {
          const hash = await this.#deps.hash(f.blob);
          this.#hashes.set(f.name, hash);
          out[i] = { path: f.name, hash };
        } else out[i] = { path: f.name };
        this.progress = { done: ++done, total: files.length, failed: 0 };
      }
    };
    await Promise.all(Array.from({ length: HASHING }, worker));
    return out;
  }

  /** Prepares every new photo in the workers and sends the dataset to main; cancel() stops it. */
  async start(): Promise<ImportResult | null> {
    const plan = this.plan;
    if (!plan || this.problem || this.running) return null;
    const naming = namingFor(plan, this.mode, this.mapping, this.modelClasses, this.existing);
    const entries = this.fresh;
    const t0 = this.#deps.now();
    this.#cancelled = false;
    this.error = null;
    this.phase = 'preparing';
    this.progress = { done: 0, total: entries.length, failed: 0 };
    this.#pool = this.#deps.startPool();
    try {
      const items = await this.#prepareAll(entries, this.#pool);
      if (!items) return null;
      this.phase = 'saving';
      const status = await unwrap(
        this.#deps.api.photos.add({ id: this.targetId, name: this.name.trim() || this.targetId, ...naming, items, skipped: this.#skipped(plan) }),
      );
      const failed = items.filter((i) => i.reason).length;
      this.result = { status, added: items.length - failed, failed, already: plan.entries.length - entries.length, ms: this.#deps.now() - t0 };
      this.phase = 'done';
      return this.result;
    } catch (err) {
      this.error = (err as Error).message;
      this.phase = 'planned';
      return null;
    } finally {
      this.#pool?.terminate();
      this.#pool = null;
      this.progress = null;
    }
  }

  /** Stops preparing: photos in flight finish, nothing is sent to main, the plan stays. */
  cancel(): void {
    if (this.phase !== 'preparing') return;
    this.#cancelled = true;
  }

  async #prepareAll(entries: readonly PhotoEntry[], pool: PreparePool): Promise<PhotoItem[] | null> {
    const items: PhotoItem[] = new Array(entries.length);
    let next = 0;
    let done = 0;
    let failed = 0;
    let shown = -Infinity;
    const report = (): void => {
      const now = this.#deps.now();
      if (done < entries.length && now - shown < PROGRESS_EVERY_MS) return;
      shown = now;
      this.progress = { done, total: entries.length, failed };
    };
    const worker = async (): Promise<void> => {
      while (next < entries.length && !this.#cancelled) {
        const i = next++;
        const e = entries[i]!;
        const photo = await pool.forDataset(this.#blobs.get(e.path)!, e.path);
        const label = this.mode === 'own' ? e.strict[0]! : e.folder;
        const base = { path: e.path, hash: this.#hashes.get(e.path)!, split: e.split, label, ...(photo.thumb ? { thumb: photo.thumb } : {}) };
        items[i] = photo.ok ? { ...base, image: photo.image } : { ...base, reason: photo.reason };
        if (!photo.ok) failed++;
        done++;
        report();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, pool.size) * PER_WORKER }, worker));
    if (this.#cancelled) {
      this.phase = 'planned';
      return null;
    }
    return items;
  }

  /** Files the plan refused, and the photos of folders left out, with why. */
  #skipped(plan: PhotoFolderPlan): { path: string; reason: string }[] {
    const out = plan.refused.map((r) => ({ path: r.path, reason: r.reason.slice(0, 300) }));
    const left = new Set(plan.folders.filter((f) => f.unmapped).map((f) => f.name));
    for (const f of this.#found) {
      const parts = f.path.split('/');
      const folder = parts[parts.length - 2];
      if (folder && left.has(folder) && isPhotoName(f.path)) out.push({ path: f.path, reason: `the folder “${folder}” is left out: it is not mapped to a class` });
    }
    return out.slice(0, 10_000);
  }

  reset(): void {
    if (this.running) return;
    this.phase = 'idle';
    this.#found = [];
    this.#blobs.clear();
    this.#hashes.clear();
    this.#known = new Set();
    this.#map = null;
    this.folder = null;
    this.existing = null;
    this.mapping = {};
    this.mapProblem = null;
    this.problems = [];
    this.result = null;
    this.error = null;
  }
}

/** SHA-256 of a file, hex (Web Crypto: off the main thread in the browser, native in Node). */
export async function sha256(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
