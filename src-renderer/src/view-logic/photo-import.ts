// Importing a folder of photos as a dataset, the parts without Svelte or the DOM: the folder's
// files as the shared planner sees them, the two ways of naming classes (the folders as classes of
// the user's own, or folders mapped onto a model's classes), and the naming main is sent, which
// extends what an existing dataset has. Tests pin them in Node.
import { CLASS_MAP_FILE, parseClassMap, type ClassMap, type PhotoFolderPlan } from '../../../src-shared/photo-folder';
import { datasetSlug } from './dataset-import';

export type NamingMode = 'own' | 'mapped';

/** folder → the model's classes that count as right for it ([] = the folder is left out). */
export type Mapping = Record<string, string[]>;

export interface Named {
  blob: Blob;
  /** Path inside the picked or dropped folder, '/'-separated. */
  name: string;
}

/**
 * A picked or dropped folder arrives as "Folder/train/dress/x.jpg": paths inside it are what the
 * planner reads, so the folder's own name is taken off when every file shares it.
 */
export function insideFolder(files: readonly Named[]): { folder: string | null; files: Named[] } {
  const first = files[0]?.name.split('/')[0];
  const shared = first !== undefined && files.length > 0 && files.every((f) => f.name.startsWith(`${first}/`));
  if (!shared) return { folder: null, files: [...files] };
  return { folder: first, files: files.map((f) => ({ blob: f.blob, name: f.name.slice(first.length + 1) })) };
}

/** The folder's classes.json, parsed; null when it has none; an error sentence when it is unreadable. */
export function readClassMap(text: string | null): { map: ClassMap | null; problem: string | null } {
  if (text === null) return { map: null, problem: null };
  try {
    return { map: parseClassMap(JSON.parse(text)), problem: null };
  } catch (err) {
    return { map: null, problem: err instanceof SyntaxError ? `${CLASS_MAP_FILE} is not valid JSON: it was ignored` : `${(err as Error).message}: it was ignored` };
  }
}

/** Class folders of a plan made without a map (every folder, sorted). */
export const foldersOf = (plan: PhotoFolderPlan): string[] => plan.folders.map((f) => f.name);

/** The mapping classes.json pre-fills: each folder's strict classes the model has; others left out. */
export function mappingFrom(map: ClassMap | null, folders: readonly string[], classNames: readonly string[]): Mapping {
  const out: Mapping = {};
  for (const folder of folders) out[folder] = (map?.strict[folder] ?? (classNames.includes(folder) ? [folder] : [])).filter((c) => classNames.includes(c));
  return out;
}

/** Mapped folders when classes.json maps at least one folder onto the model's classes; else the folders as own classes. */
export function defaultMode(mapping: Mapping): NamingMode {
  return Object.values(mapping).some((c) => c.length > 0) ? 'mapped' : 'own';
}

/** The map the planner takes: none for own classes (folder = class), the edited mapping otherwise. */
export function planMap(mode: NamingMode, mapping: Mapping): ClassMap | undefined {
  if (mode === 'own') return undefined;
  const strict: Record<string, string[]> = {};
  const unmapped: string[] = [];
  for (const [folder, classes] of Object.entries(mapping)) {
    if (classes.length) strict[folder] = [...classes];
    else unmapped.push(folder);
  }
  return { strict, unmapped };
}

/** What an existing dataset is named by (DatasetStatus and photos:get give it). */
export interface ExistingNaming {
  classNames: string[];
  labelNames: string[] | null;
  allowed?: number[][] | null;
}

export interface SentNaming {
  classNames: string[];
  labelNames?: string[];
  allowed?: number[][];
}

const appendNew = (existing: readonly string[], wanted: readonly string[]): string[] => [...existing, ...wanted.filter((w) => !existing.includes(w))];

/**
 * The naming photos:add is sent. Own classes: the folders (sorted), after an existing dataset's
 * classes. Mapped: the model's classes, one label per mapped folder (after an existing dataset's
 * folders), each allowing the classes the mapping gives it.
 */
export function namingFor(plan: PhotoFolderPlan, mode: NamingMode, mapping: Mapping, modelClasses: readonly string[], existing: ExistingNaming | null): SentNaming {
  const folders = plan.folders.filter((f) => !f.unmapped).map((f) => f.name);
  if (mode === 'own') return { classNames: appendNew(existing?.classNames ?? [], plan.classes) };
  const labelNames = appendNew(existing?.labelNames ?? [], folders);
  // A folder this import does not map keeps what the dataset allows it.
  const allowed = labelNames.map((folder, i) => {
    const now = (mapping[folder] ?? []).map((c) => modelClasses.indexOf(c)).filter((c) => c >= 0);
    return now.length ? now : [...(existing?.allowed?.[i] ?? [])];
  });
  return { classNames: existing?.classNames ?? [...modelClasses], labelNames, allowed };
}

/** Why the naming cannot be used yet, or null. */
export function namingProblem(plan: PhotoFolderPlan | null, mode: NamingMode, mapping: Mapping, modelClasses: readonly string[]): string | null {
  if (!plan) return null;
  if (plan.error) return plan.error;
  if (mode === 'mapped') {
    if (modelClasses.length === 0) return 'There is no model whose classes the folders could be mapped onto.';
    if (!Object.values(mapping).some((c) => c.length)) return 'Map at least one folder onto a class, or use the folders as classes of your own.';
  }
  return null;
}

export interface FolderRow {
  name: string;
  train: number;
  validation: number;
  test: number;
  /** What its photos are taught as: the class itself, the classes it is mapped onto, or left out. */
  becomes: string;
}

/** One row per class folder for the plan's table, and the totals. */
export function folderRows(plan: PhotoFolderPlan, mode: NamingMode): { rows: FolderRow[]; total: Omit<FolderRow, 'name' | 'becomes'> } {
  const rows = plan.folders.map((f) => ({
    name: f.name,
    ...f.counts,
    becomes: f.unmapped ? 'left out' : mode === 'own' ? `class “${f.name}”` : f.strict.join(' or '),
  }));
  const sum = (k: 'train' | 'validation' | 'test') => rows.reduce((n, r) => n + r[k], 0);
  return { rows, total: { train: sum('train'), validation: sum('validation'), test: sum('test') } };
}

/** "85% train / 15% validation, drawn per class with seed 42" or "from the folder's train/ validation/ test/". */
export function splitSentence(plan: PhotoFolderPlan, seed: number, validation: number): string {
  if (plan.ownSplits) return 'Split as the folder has it: train/, validation/ and test/';
  return `Split drawn per class with seed ${seed}: ${Math.round((1 - validation) * 100)}% train, ${Math.round(validation * 100)}% held out for validation`;
}

/** A dataset id from a folder name ("My Photos" → "my-photos"), or 'photos'. */
export function photoDatasetId(folder: string | null): string {
  return datasetSlug(folder ?? '') ?? 'photos';
}
