import { describe, expect, it } from 'vitest';
import { collectEntries, isFolderClutter, pastedFiles, pickedFiles, type EntryLike } from './dropped-files';

/** An in-memory folder tree shaped like the File and Directory Entries API. */
type Tree = { [name: string]: string | Tree | Error };

function entry(name: string, node: string | Tree | Error, parent = ''): EntryLike {
  const fullPath = `${parent}/${name}`;
  if (typeof node === 'string' || (node instanceof Error && name.includes('.'))) {
    return {
      isFile: true,
      isDirectory: false,
      name,
      fullPath,
      file: (ok: (f: File) => void, fail?: (e: unknown) => void) =>
        node instanceof Error ? fail?.(node) : ok(new File([node], name, { type: 'image/png' })),
    } as EntryLike;
  }
  return {
    isFile: false,
    isDirectory: true,
    name,
    fullPath,
    createReader: () => {
      // Hands the children out two at a time, as Chromium does in chunks of 100.
      const children = node instanceof Error ? null : Object.entries(node).map(([n, c]) => entry(n, c, fullPath));
      let at = 0;
      return {
        readEntries: (ok: (e: EntryLike[]) => void, fail?: (e: unknown) => void) => {
          if (!children) return fail?.(node);
          const chunk = children.slice(at, at + 2);
          at += 2;
          ok(chunk);
        },
      };
    },
  } as EntryLike;
}

describe('collectEntries', () => {
  it('walks folders depth first in natural order, reading every chunk, with paths as names', async () => {
    const shop = entry('shop', {
      'boot10.png': 'a',
      'boot2.png': 'b',
      '.DS_Store': 'x',
      'Thumbs.db': 'x',
      sub: { 'bag.jpg': 'c', 'coat.webp': 'd', 'dress.gif': 'e' },
      'ankle.bmp': 'f',
    });
    const loose = { blob: new Blob(['g']), name: 'loose.png' };
    const { files, problems } = await collectEntries([loose, shop]);
    expect(files.map((f) => f.name)).toEqual(['loose.png', 'shop/ankle.bmp', 'shop/boot2.png', 'shop/boot10.png', 'shop/sub/bag.jpg', 'shop/sub/coat.webp', 'shop/sub/dress.gif']);
    expect(await files[2]!.blob.text()).toBe('b');
    expect(problems).toEqual([]);
  });

  it('keeps a dropped hidden file (only folder clutter is skipped)', async () => {
    const { files } = await collectEntries([entry('.secret.png', 'a')]);
    expect(files.map((f) => f.name)).toEqual(['.secret.png']);
  });

  it('reports unreadable folders and files and goes on with the rest', async () => {
    const root = entry('root', { locked: new Error('denied'), 'gone.png': new Error('gone'), 'ok.png': 'y' });
    const { files, problems } = await collectEntries([root]);
    expect(files.map((f) => f.name)).toEqual(['root/ok.png']);
    expect(problems).toEqual(['root/gone.png could not be read', 'The folder root/locked could not be read']);
  });

  it('stops at the limit', async () => {
    const tree: Tree = {};
    for (let i = 0; i < 20; i++) tree[`f${i}.png`] = 'z';
    const { files } = await collectEntries([entry('many', tree)], 5);
    expect(files.map((f) => f.name)).toEqual(['many/f0.png', 'many/f1.png', 'many/f2.png', 'many/f3.png', 'many/f4.png']);
  });
});

function fileList(files: File[]): FileList {
  return Object.assign([...files], { item: (i: number) => files[i] ?? null }) as unknown as FileList;
}

describe('pickedFiles and pastedFiles', () => {
  it('uses the relative path of files picked from a folder and drops its clutter', () => {
    const inFolder = (name: string, rel: string): File => Object.defineProperty(new File(['a'], name), 'webkitRelativePath', { value: rel });
    const list = fileList([inFolder('a.png', 'shop/a.png'), inFolder('.DS_Store', 'shop/.DS_Store'), new File(['b'], 'b.jpg')]);
    expect(pickedFiles(list).map((f) => f.name)).toEqual(['shop/a.png', 'b.jpg']);
    expect(pickedFiles(null)).toEqual([]);
  });

  it('names pasted screenshots by time and keeps real file names', () => {
    const dt = { files: fileList([new File(['a'], 'image.png', { type: 'image/png' }), new File(['b'], 'image.png', { type: 'image/png' }), new File(['c'], 'boot.jpg')]) } as DataTransfer;
    const names = pastedFiles(dt, new Date(2025, 0, 1, 14, 5, 9)).map((f) => f.name);
    expect(names).toEqual(['Pasted image 14-05-09.png', 'Pasted image 14-05-09 2.png', 'boot.jpg']);
    expect(pastedFiles(null, new Date())).toEqual([]);
  });
});

describe('isFolderClutter', () => {
  it('skips hidden and OS metadata files from dropped folders only by their base name', () => {
    expect(isFolderClutter('shop/.DS_Store')).toBe(true);
    expect(isFolderClutter('shop/Thumbs.db')).toBe(true);
    expect(isFolderClutter('desktop.ini')).toBe(true);
    expect(isFolderClutter('.hidden/boot.png')).toBe(false);
    expect(isFolderClutter('shop/boot.png')).toBe(false);
  });
});
