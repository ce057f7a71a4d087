/**
 * A folder of photos, one subfolder per class (optionally inside train/ validation/ test/), as a
 * plan: which file is which class and split, and what was refused and why. Pure: it sees only
 * relative paths (with content hashes and per-file problems found by whoever walked the disk:
 * src-main/services/photo-folder.ts in Node, a drop in the renderer), so main, the renderer and
 * scripts lay a folder out the same way.
 */

import { mulberry32 } from './random';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** More files than this and the whole folder is refused (before anything is read). */
export const MAX_PHOTO_FILES = 10_000;
export const PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp'] as const;
export const CLASS_MAP_FILE = 'classes.json';

/**
 * Folder → classes. `strict`: the classes a photo in the folder is right to get (several where a
 * folder is ambiguous, e.g. shoes: Sandal, Sneaker or Ankle boot); `lenient` (optional): also
 * acceptable answers; `unmapped`: folders read but left out (no class corresponds).
 */
export interface ClassMap {
  strict: Record<string, string[]>;
  lenient?: Record<string, string[]>;
  unmapped?: string[];
}

/** One file as the walker saw it. */
export interface FoundFile {
  /** Relative to the folder, '/'-separated. */
  path: string;
  /** Content hash (any stable string): equal hashes are duplicates. A path ending in '/' is an empty folder. */
  hash?: string;
  /** Set when the walker could not use the file (unreadable image, link leaving the folder, …). */
  problem?: string;
}

export interface PhotoEntry {
  path: string;
  /** The class folder it sits in. */
  folder: string;
  split: Split;
  /** Right answers (never empty). */
  strict: string[];
  /** Acceptable answers (a superset of strict). */
  lenient: string[];
}

export interface FolderSummary {
  name: string;
  /** Usable photos per split. */
  counts: Record<Split, number>;
  strict: string[];
  lenient: string[];
  /** Left out: listed as unmapped, or not in the class map. */
  unmapped: boolean;
}

export interface Refusal {
  path: string;
  reason: string;
}

export interface PhotoFolderPlan {
  /** True when the folder had train/ validation/ test/ of its own; else the split was drawn. */
  ownSplits: boolean;
  entries: PhotoEntry[];
  folders: FolderSummary[];
  /** The distinct strict classes with at least one photo, sorted. */
  classes: string[];
  refused: Refusal[];
  /** Set when the folder as a whole cannot be used; the plan is then empty. */
  error: string | null;
}

export interface PlanOptions {
  map?: ClassMap;
  /** Seed of the drawn split (same seed, same split). */
  seed?: number;
  /** Drawn split: the share of each class put in validation and in test. */
  validation?: number;
  test?: number;
}

const HIDDEN = /(^|\/)(\.[^/]*|Thumbs\.db|desktop\.ini)$/i;

export function isPhotoName(name: string): boolean {
  const lower = name.toLowerCase();
  return PHOTO_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** Checks a parsed classes.json; throws with a sentence saying what is wrong. */
export function parseClassMap(json: unknown): ClassMap {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const lists = (v: unknown, what: string): Record<string, string[]> => {
    if (!isObj(v)) throw new Error(`${CLASS_MAP_FILE}: "${what}" must map folder names to lists of class names`);
    const out: Record<string, string[]> = {};
    for (const [folder, classes] of Object.entries(v)) {
      if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string' && c.length > 0)) {
        throw new Error(`${CLASS_MAP_FILE}: "${what}.${folder}" must be a non-empty list of class names`);
      }
      out[folder] = [...new Set(classes as string[])];
    }
    return out;
  };
  if (!isObj(json)) throw new Error(`${CLASS_MAP_FILE} must hold an object with "strict"`);
  const strict = lists(json['strict'], 'strict');
  const lenient = json['lenient'] === undefined ? undefined : lists(json['lenient'], 'lenient');
  const unmapped = json['unmapped'];
  if (unmapped !== undefined && !(Array.isArray(unmapped) && unmapped.every((u) => typeof u === 'string'))) {
    throw new Error(`${CLASS_MAP_FILE}: "unmapped" must be a list of folder names`);
  }
  for (const folder of Object.keys(lenient ?? {})) {
    if (!strict[folder]) throw new Error(`${CLASS_MAP_FILE}: "${folder}" is in "lenient" but not in "strict"`);
  }
  return { strict, ...(lenient ? { lenient } : {}), ...(unmapped ? { unmapped: unmapped as string[] } : {}) };
}

/** Classes of a folder: from the map, or the folder's own name when there is no map. Null: left out. */
function classesOf(folder: string, map: ClassMap | undefined): { strict: string[]; lenient: string[] } | null {
  if (!map) return { strict: [folder], lenient: [folder] };
  const strict = map.strict[folder];
  if (!strict) return null;
  return { strict, lenient: [...new Set([...strict, ...(map.lenient?.[folder] ?? [])])] };
}

/** FNV-1a of a folder name: each class gets its own shuffle, whatever the other folders hold. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Per folder, a seeded shuffle cut into test, validation and train (each class in every split it can fill). */
function drawSplits(byFolder: Map<string, string[]>, options: PlanOptions): Map<string, Split> {
  const { seed = 42, validation = 0.15, test = 0 } = options;
  const out = new Map<string, Split>();
  for (const [folder, paths] of byFolder) {
    const order = [...paths].sort();
    const next = mulberry32(seed ^ nameHash(folder));
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const nTest = Math.round(order.length * test);
    const nVal = Math.round(order.length * validation);
    order.forEach((p, i) => out.set(p, i < nTest ? 'test' : i < nTest + nVal ? 'validation' : 'train'));
  }
  return out;
}

interface Placed {
  path: string;
  folder: string;
  split: Split | null;
}

/** Where a path sits: its split (own splits only) and class folder, or why it is not used. */
function place(path: string, ownSplits: boolean): Placed | Refusal {
  const parts = path.split('/');
  const depth = ownSplits ? 3 : 2;
  if (ownSplits && !(SPLITS as readonly string[]).includes(parts[0]!)) {
    return { path, reason: `not inside ${SPLITS.join('/, ')}/: with split folders, every class folder goes in one` };
  }
  if (parts.length < depth) return { path, reason: 'not in a class folder' };
  if (parts.length > depth) return { path, reason: 'in a nested folder: only one level of class folders is read' };
  return { path, folder: parts[depth - 2]!, split: ownSplits ? (parts[0] as Split) : null };
}

const emptyPlan = (ownSplits: boolean, refused: Refusal[], error: string): PhotoFolderPlan => ({
  ownSplits,
  entries: [],
  folders: [],
  classes: [],
  refused,
  error,
});

export function planPhotoFolder(files: readonly FoundFile[], options: PlanOptions = {}): PhotoFolderPlan {
  // Hidden and system files are skipped, and so are loose non-photo files at the top (a README, a licence).
  const visible = files.filter((f) => !HIDDEN.test(f.path) && (f.path.includes('/') || isPhotoName(f.path) || f.problem));
  const ownSplits = visible.some((f) => (SPLITS as readonly string[]).includes(f.path.split('/')[0]!) && f.path.includes('/'));
  if (visible.length > MAX_PHOTO_FILES) {
    return emptyPlan(ownSplits, [], `The folder holds more than ${MAX_PHOTO_FILES.toLocaleString('en')} files: pick a smaller one`);
  }
  const refused: Refusal[] = [];
  const kept: Placed[] = [];
  const seen = new Map<string, string>();
  for (const file of [...visible].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const where = place(file.path, ownSplits);
    if (file.problem) refused.push({ path: file.path, reason: file.problem });
    else if (file.path.endsWith('/')) refused.push({ path: file.path, reason: 'an empty folder: no photos in it' });
    else if ('reason' in where) refused.push(where);
    else if (!isPhotoName(file.path)) refused.push({ path: file.path, reason: 'not a photo (PNG, JPEG, WebP, GIF or BMP)' });
    else if (file.hash && seen.has(file.hash)) refused.push({ path: file.path, reason: `the same picture as ${seen.get(file.hash)}` });
    else {
      if (file.hash) seen.set(file.hash, file.path);
      kept.push(where);
    }
  }
  return assemble(kept, refused, ownSplits, options);
}

function assemble(kept: Placed[], refused: Refusal[], ownSplits: boolean, options: PlanOptions): PhotoFolderPlan {
  const byFolder = new Map<string, string[]>();
  for (const k of kept) byFolder.set(k.folder, [...(byFolder.get(k.folder) ?? []), k.path]);
  const drawn = ownSplits ? null : drawSplits(byFolder, options);
  const folders = new Map<string, FolderSummary>();
  const entries: PhotoEntry[] = [];
  for (const k of kept) {
    const classes = classesOf(k.folder, options.map);
    const summary = folders.get(k.folder) ?? {
      name: k.folder,
      counts: { train: 0, validation: 0, test: 0 },
      strict: classes?.strict ?? [],
      lenient: classes?.lenient ?? [],
      unmapped: classes === null,
    };
    folders.set(k.folder, summary);
    if (!classes) continue;
    const split = k.split ?? drawn!.get(k.path)!;
    summary.counts[split]++;
    entries.push({ path: k.path, folder: k.folder, split, ...classes });
  }
  for (const folder of Object.keys(options.map?.strict ?? {})) {
    if (!folders.has(folder)) refused.push({ path: `${folder}/`, reason: `class folder "${folder}" (in ${CLASS_MAP_FILE}) has no usable photos` });
  }
  const classes = [...new Set(entries.flatMap((e) => e.strict))].sort();
  const list = [...folders.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  if (entries.length === 0) return emptyPlan(ownSplits, refused, 'No usable photos: put them in one folder per class');
  if (classes.length < 2) {
    return emptyPlan(ownSplits, refused, `Only one class (${classes[0]}): a classifier needs photos of at least two classes, one folder each`);
  }
  return { ownSplits, entries, folders: list, classes, refused, error: null };
}
