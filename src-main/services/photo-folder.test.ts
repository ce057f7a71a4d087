import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grayImage } from '../../src-renderer/src/classify/image';
import { jpeg, pngClaiming } from '../../src-renderer/src/classify/image-fixtures';
import { encodePng } from '../../src-renderer/src/classify/png';
import { MAX_PHOTO_FILES } from '../../src-shared/photo-folder';
import { readPhotoFolder, walkPhotoFolder } from './photo-folder';

let root: string;
let outside: string;

/** A real little PNG whose pixels depend on `seed`, so each is a different picture. */
const png = (seed: number): Uint8Array => encodePng(grayImage(2, 2, Float32Array.of(seed, 1, 2, 3)), deflateSync);

async function put(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), bytes);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tailor-photos-'));
  outside = await mkdtemp(join(tmpdir(), 'tailor-outside-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('readPhotoFolder', () => {
  it('reads classes.json and lays the folder out', async () => {
    await put('classes.json', JSON.stringify({ strict: { pants: ['Trouser'], shoes: ['Sneaker'] }, unmapped: ['hat'] }));
    await put('pants/a.png', png(1));
    await put('pants/b.jpg', jpeg(40, 30));
    await put('shoes/c.png', png(2));
    await put('hat/d.png', png(3));
    const folder = await readPhotoFolder(root, { validation: 0 });
    expect(folder.map?.unmapped).toEqual(['hat']);
    expect(folder.plan.error).toBeNull();
    expect(folder.plan.entries.map((e) => `${e.path}:${e.strict[0]}:${e.split}`)).toEqual([
      'pants/a.png:Trouser:train',
      'pants/b.jpg:Trouser:train',
      'shoes/c.png:Sneaker:train',
    ]);
  });

  it('refuses unreadable images, empty files and duplicates by content', async () => {
    await put('pants/a.png', png(1));
    await put('pants/copy.png', png(1));
    await put('pants/broken.jpg', Uint8Array.of(0xff, 0xd8, 0xff, 0xd9));
    await put('pants/text.png', 'not a picture');
    await put('pants/empty.png', new Uint8Array(0));
    await put('pants/bomb.png', pngClaiming(50_000, 50_000, deflateSync));
    await put('shoes/c.png', png(2));
    const { plan } = await readPhotoFolder(root);
    expect(Object.fromEntries(plan.refused.map((r) => [r.path, r.reason]))).toEqual({
      'pants/broken.jpg': 'unreadable: the image is damaged',
      'pants/copy.png': 'the same picture as pants/a.png',
      'pants/empty.png': 'an empty file',
      'pants/text.png': 'not an image Tailor can read (PNG, JPEG, WebP, GIF or BMP)',
      'pants/bomb.png': 'too large (50000×50000)',
    });
    expect(plan.entries.map((e) => e.path)).toEqual(['pants/a.png', 'shoes/c.png']);
  });

  it('uses the inspect function it is given (a full decode in scripts)', async () => {
    await put('pants/a.png', png(1));
    await put('shoes/b.png', png(2));
    await put('shoes/c.png', png(3));
    const { plan } = await readPhotoFolder(root, { inspect: (_bytes, name) => (name === 'shoes/c.png' ? 'could not be decoded' : null) });
    expect(plan.refused).toEqual([{ path: 'shoes/c.png', reason: 'could not be decoded' }]);
  });

  it('never follows a link out of the folder, and does not follow linked folders', async () => {
    await writeFile(join(outside, 'secret.png'), png(9));
    await put('pants/a.png', png(1));
    await put('shoes/b.png', png(2));
    await symlink(join(outside, 'secret.png'), join(root, 'pants', 'escape.png'));
    await symlink(outside, join(root, 'elsewhere'));
    await symlink(join(root, 'pants', 'a.png'), join(root, 'shoes', 'inside.png'));
    await symlink(join(root, 'missing.png'), join(root, 'shoes', 'dangling.png'));
    await symlink(join(root, 'pants'), join(root, 'trousers'));
    const { plan } = await readPhotoFolder(root);
    expect(Object.fromEntries(plan.refused.map((r) => [r.path, r.reason]))).toEqual({
      'pants/escape.png': 'a link that leads outside the folder',
      elsewhere: 'a link that leads outside the folder',
      'shoes/dangling.png': 'a broken link',
      'shoes/inside.png': 'the same picture as pants/a.png',
      trousers: 'a linked folder: links to folders are not followed',
    });
  });

  it('reports a linked folder inside a class folder as not followed', async () => {
    await put('pants/a.png', png(1));
    await put('shoes/b.png', png(2));
    await symlink(join(root, 'pants'), join(root, 'shoes', 'more'));
    const { plan } = await readPhotoFolder(root);
    expect(plan.refused).toEqual([{ path: 'shoes/more', reason: 'a linked folder: links to folders are not followed' }]);
  });

  it('refuses a folder of one class, and one with a bad classes.json', async () => {
    await put('pants/a.png', png(1));
    await put('pants/b.png', png(2));
    expect((await readPhotoFolder(root)).plan.error).toMatch(/Only one class \(pants\)/);
    await put('classes.json', '{ not json');
    await expect(readPhotoFolder(root)).rejects.toThrow('classes.json is not valid JSON');
  });

  it('reports nested and empty folders', async () => {
    await put('pants/a.png', png(1));
    await put('shoes/b.png', png(2));
    await put('shoes/left/c.png', png(3));
    await mkdir(join(root, 'dress'));
    const { plan } = await readPhotoFolder(root);
    expect(Object.fromEntries(plan.refused.map((r) => [r.path, r.reason]))).toEqual({
      'dress/': 'an empty folder: no photos in it',
      'shoes/left/c.png': 'in a nested folder: only one level of class folders is read',
    });
  });
});

describe('walkPhotoFolder', () => {
  it('stops past 10,000 files and says so', async () => {
    await mkdir(join(root, 'a'));
    await Promise.all(Array.from({ length: MAX_PHOTO_FILES + 5 }, (_, i) => writeFile(join(root, 'a', `${i}.png`), '')));
    const walk = await walkPhotoFolder(root);
    expect(walk.tooMany).toBe(true);
    expect(walk.files.length).toBe(MAX_PHOTO_FILES + 1);
    expect((await readPhotoFolder(root)).plan.error).toMatch(/more than 10,000 files/);
  });
});
