// Files from a drop, a paste or an Open dialog, folders included, as a flat list of named blobs.
// A drop's DataTransfer is only readable during the event, so the entries are taken at once and
// the folders walked afterwards.

/** Names of files that are clutter in a dropped folder: hidden files and OS metadata. */
export function isFolderClutter(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base.startsWith('.') || /^(thumbs\.db|desktop\.ini)$/i.test(base);
}

export interface NamedFile {
  blob: Blob;
  /** The file name, or its path inside a dropped/picked folder. */
  name: string;
}

/** The parts of the File and Directory Entries API that are used (FileSystemEntry in the DOM). */
export interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
}
interface FileEntryLike extends EntryLike {
  file(ok: (f: File) => void, fail?: (e: unknown) => void): void;
}
interface DirEntryLike extends EntryLike {
  createReader(): { readEntries(ok: (entries: EntryLike[]) => void, fail?: (e: unknown) => void): void };
}

export interface Collected {
  files: NamedFile[];
  /** Folders or files that could not be read, one sentence each. */
  problems: string[];
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const byName = (a: EntryLike, b: EntryLike): number => collator.compare(a.name, b.name);
const path = (e: EntryLike): string => (e.fullPath || e.name).replace(/^\/+/, '');

function readAll(dir: DirEntryLike): Promise<EntryLike[]> {
  // readEntries answers in chunks (100 in Chromium) until it returns an empty list.
  const reader = dir.createReader();
  const out: EntryLike[] = [];
  return new Promise((resolve, reject) => {
    const next = (): void =>
      reader.readEntries((chunk) => {
        if (chunk.length === 0) return resolve(out);
        out.push(...chunk);
        next();
      }, reject);
    next();
  });
}

function fileOf(entry: FileEntryLike): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/**
 * Walks entries depth-first, files of a folder in natural name order, skipping hidden files and
 * OS metadata inside folders. Stops adding once `limit` files are found (the caller says how
 * many it keeps; walking on would only cost time).
 */
export async function collectEntries(roots: readonly (EntryLike | NamedFile)[], limit = Infinity): Promise<Collected> {
  const files: NamedFile[] = [];
  const problems: string[] = [];
  const walk = async (entry: EntryLike | NamedFile, inFolder: boolean): Promise<void> => {
    if (files.length >= limit) return;
    if ('blob' in entry) {
      files.push(entry);
    } else if (entry.isFile) {
      if (inFolder && isFolderClutter(entry.name)) return;
      try {
        files.push({ blob: await fileOf(entry as FileEntryLike), name: path(entry) });
      } catch {
        problems.push(`${path(entry)} could not be read`);
      }
    } else if (entry.isDirectory) {
      let children: EntryLike[];
      try {
        children = await readAll(entry as DirEntryLike);
      } catch {
        problems.push(`The folder ${path(entry)} could not be read`);
        return;
      }
      for (const child of children.sort(byName)) await walk(child, true);
    }
  };
  for (const root of roots) await walk(root, false);
  return { files: files.slice(0, limit), problems };
}

/**
 * What a drop holds, taken synchronously inside the drop handler: a folder as its entry, a file
 * as its File (no extra read), falling back to `dataTransfer.files` where entries are missing.
 */
export function takeDropped(dt: DataTransfer): (EntryLike | NamedFile)[] {
  const items = [...dt.items].filter((i) => i.kind === 'file');
  if (items.length === 0) return [...dt.files].map((f) => ({ blob: f, name: f.name }));
  const out: (EntryLike | NamedFile)[] = [];
  for (const item of items) {
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry?.isDirectory) {
      out.push(entry);
      continue;
    }
    const file = item.getAsFile();
    if (file) out.push({ blob: file, name: file.name });
  }
  return out;
}

/** Files from an Open dialog: with `webkitdirectory` each carries its path inside the folder. */
export function pickedFiles(list: FileList | null): NamedFile[] {
  const files = [...(list ?? [])].map((f) => ({ blob: f as Blob, name: f.webkitRelativePath || f.name }));
  return files.filter((f) => !(f.name.includes('/') && isFolderClutter(f.name)));
}

/**
 * Pasted images. Browsers name every pasted screenshot "image.png", so pasted files get a name
 * that tells them apart: "Pasted image 14-05-09.png" (a second one in the same second gets " 2").
 */
export function pastedFiles(dt: DataTransfer | null, now: Date): NamedFile[] {
  if (!dt) return [];
  const files = [...dt.files];
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${two(now.getHours())}-${two(now.getMinutes())}-${two(now.getSeconds())}`;
  return files.map((f, i) => {
    const ext = /\.(\w+)$/.exec(f.name)?.[1] ?? (f.type.split('/')[1] || 'bin');
    const generic = /^image\.\w+$/i.test(f.name) || f.name === '';
    return { blob: f, name: generic ? `Pasted image ${stamp}${i ? ` ${i + 1}` : ''}.${ext}` : f.name };
  });
}
