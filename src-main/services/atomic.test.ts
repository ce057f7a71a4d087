import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OLD_PREFIX, sweepTemp, writeFileAtomic, writeFolderAtomic } from './atomic';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'tailor-atomic-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fs.rm(root, { recursive: true, force: true });
});

const list = async (): Promise<string[]> => (await fs.readdir(root)).sort();
const read = (...path: string[]): Promise<string> => fs.readFile(join(root, ...path), 'utf8');

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temp file', async () => {
    await writeFileAtomic(join(root, 'a.json'), 'one');
    await writeFileAtomic(join(root, 'a.json'), 'two');
    expect(await read('a.json')).toBe('two');
    expect(await list()).toEqual(['a.json']);
  });
});

describe('writeFolderAtomic', () => {
  it('replaces a folder whole, moving the old one aside under an .old- name until the commit', async () => {
    await writeFolderAtomic(join(root, 'm'), { 'x.txt': 'old' });
    const renames: [string, string][] = [];
    const rename = fs.rename.bind(fs);
    vi.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      renames.push([String(from).slice(root.length + 1), String(to).slice(root.length + 1)]);
      return rename(from, to);
    });
    await writeFolderAtomic(join(root, 'm'), { 'x.txt': 'new', 'y.txt': 'more' });
    expect(renames).toHaveLength(2);
    expect(renames[0]![0]).toBe('m');
    expect(renames[0]![1]).toMatch(/^\.old-m-p\d+-[0-9a-f]{12}$/);
    expect(renames[1]![0]).toMatch(/^\.tmp-m-p\d+-[0-9a-f]{12}$/);
    expect(renames[1]![1]).toBe('m');
    expect(await read('m', 'x.txt')).toBe('new');
    expect(await list()).toEqual(['m']);
  });

  it('puts the old folder back when the new one cannot be renamed in', async () => {
    await writeFolderAtomic(join(root, 'm'), { 'x.txt': 'old' });
    const rename = fs.rename.bind(fs);
    vi.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      if (String(from).includes('.tmp-')) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      return rename(from, to);
    });
    await expect(writeFolderAtomic(join(root, 'm'), { 'x.txt': 'new' })).rejects.toThrow(/EIO/);
    expect(await read('m', 'x.txt')).toBe('old');
    expect(await list()).toEqual(['m']);
  });
});

describe('sweepTemp', () => {
  it('renames back a folder a crash left moved aside, the newest copy of several', async () => {
    await fs.mkdir(join(root, `${OLD_PREFIX}m-aaaaaaaaaaaa`));
    await fs.writeFile(join(root, `${OLD_PREFIX}m-aaaaaaaaaaaa`, 'x.txt'), 'older');
    await fs.utimes(join(root, `${OLD_PREFIX}m-aaaaaaaaaaaa`), new Date(2020, 0, 1), new Date(2020, 0, 1));
    await fs.mkdir(join(root, `${OLD_PREFIX}m-bbbbbbbbbbbb`));
    await fs.writeFile(join(root, `${OLD_PREFIX}m-bbbbbbbbbbbb`, 'x.txt'), 'newest');
    await fs.mkdir(join(root, '.tmp-m-cccccccccccc')); // the replacement, never committed
    await fs.writeFile(join(root, '.tmp-m-cccccccccccc', 'x.txt'), 'half');
    const swept = await sweepTemp(root);
    expect(await list()).toEqual(['m']);
    expect(await read('m', 'x.txt')).toBe('newest');
    expect(swept.sort()).toEqual([`${OLD_PREFIX}m-aaaaaaaaaaaa`, '.tmp-m-cccccccccccc']);
  });

  it('removes an .old- copy whose folder was committed, and temp files, and keeps everything else', async () => {
    await fs.mkdir(join(root, 'm'));
    await fs.mkdir(join(root, `${OLD_PREFIX}m-aaaaaaaaaaaa`));
    await fs.writeFile(join(root, '.tmp-a.json-0123456789ab'), '{');
    await fs.writeFile(join(root, 'a.json'), '{}');
    await fs.writeFile(join(root, '.old-notes'), 'not ours: no hex suffix');
    await sweepTemp(root);
    expect(await list()).toEqual(['.old-notes', 'a.json', 'm']);
  });

  it('answers an empty list for a folder that does not exist', async () => {
    expect(await sweepTemp(join(root, 'missing'))).toEqual([]);
  });
});
