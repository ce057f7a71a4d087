import { describe, expect, it } from 'vitest';
import { MAX_PHOTO_FILES, parseClassMap, planPhotoFolder, type ClassMap, type FoundFile } from './photo-folder';

const files = (...paths: string[]): FoundFile[] => paths.map((path, i) => ({ path, hash: `h${i}` }));
const MAP: ClassMap = {
  strict: { pants: ['Trouser'], shoes: ['Sandal', 'Sneaker', 'Ankle boot'], longsleeve: ['Pullover'] },
  lenient: { longsleeve: ['Shirt', 'Coat'] },
  unmapped: ['hat'],
};

describe('planPhotoFolder', () => {
  it('uses train/ validation/ test/ folders when the folder has them', () => {
    const plan = planPhotoFolder(files('train/pants/a.jpg', 'train/shoes/b.jpg', 'validation/pants/c.jpg', 'test/shoes/d.png'), { map: MAP });
    expect(plan.error).toBeNull();
    expect(plan.ownSplits).toBe(true);
    expect(plan.entries.map((e) => [e.path, e.split, e.strict[0]])).toEqual([
      ['test/shoes/d.png', 'test', 'Sandal'],
      ['train/pants/a.jpg', 'train', 'Trouser'],
      ['train/shoes/b.jpg', 'train', 'Sandal'],
      ['validation/pants/c.jpg', 'validation', 'Trouser'],
    ]);
  });

  it('draws a seeded split stratified by class when there are no split folders', () => {
    const paths = [...Array.from({ length: 20 }, (_, i) => `pants/p${i}.jpg`), ...Array.from({ length: 40 }, (_, i) => `shoes/s${i}.jpg`)];
    const plan = planPhotoFolder(files(...paths), { map: MAP, seed: 7, validation: 0.25 });
    const count = (folder: string, split: string): number => plan.entries.filter((e) => e.folder === folder && e.split === split).length;
    expect([count('pants', 'validation'), count('shoes', 'validation')]).toEqual([5, 10]);
    expect(count('pants', 'train') + count('shoes', 'train')).toBe(45);
    const again = planPhotoFolder(files(...paths), { map: MAP, seed: 7, validation: 0.25 });
    expect(again.entries).toEqual(plan.entries);
    const other = planPhotoFolder(files(...paths), { map: MAP, seed: 8, validation: 0.25 });
    expect(other.entries.map((e) => e.split)).not.toEqual(plan.entries.map((e) => e.split));
  });

  it('gives a folder several strict classes and a lenient superset; unmapped folders are read but left out', () => {
    const plan = planPhotoFolder(files('longsleeve/a.jpg', 'shoes/b.jpg', 'hat/c.jpg', 'scarf/d.jpg'), { map: MAP });
    const long = plan.entries.find((e) => e.folder === 'longsleeve')!;
    expect(long.strict).toEqual(['Pullover']);
    expect(long.lenient).toEqual(['Pullover', 'Shirt', 'Coat']);
    expect(plan.entries.find((e) => e.folder === 'shoes')!.strict).toEqual(['Sandal', 'Sneaker', 'Ankle boot']);
    expect(plan.entries.map((e) => e.folder)).not.toContain('hat');
    expect(plan.folders.filter((f) => f.unmapped).map((f) => f.name)).toEqual(['hat', 'scarf']);
    expect(plan.classes).toEqual(['Ankle boot', 'Pullover', 'Sandal', 'Sneaker']);
  });

  it('names classes after the folders when there is no map', () => {
    const plan = planPhotoFolder(files('Cap/a.jpg', 'Scarf/b.png'));
    expect(plan.classes).toEqual(['Cap', 'Scarf']);
  });

  it('refuses only one class with a clear message', () => {
    const plan = planPhotoFolder(files('pants/a.jpg', 'pants/b.jpg', 'hat/c.jpg'), { map: MAP });
    expect(plan.error).toMatch(/Only one class \(Trouser\).*at least two classes/);
    expect(plan.entries).toEqual([]);
  });

  it('refuses a folder with more than 10,000 files before reading any', () => {
    const many = Array.from({ length: MAX_PHOTO_FILES + 1 }, (_, i) => ({ path: `a/${i}.jpg` }));
    expect(planPhotoFolder(many).error).toMatch(/more than 10,000 files/);
    expect(planPhotoFolder(many.slice(1).map((f, i) => ({ path: i % 2 ? f.path : f.path.replace('a/', 'b/') }))).error).toBeNull();
  });

  it('refuses duplicates by content, across splits too, keeping the first', () => {
    const plan = planPhotoFolder(
      [
        { path: 'train/pants/a.jpg', hash: 'same' },
        { path: 'validation/pants/copy.jpg', hash: 'same' },
        { path: 'train/shoes/b.jpg', hash: 'other' },
      ],
      { map: MAP },
    );
    expect(plan.entries.map((e) => e.path)).toEqual(['train/pants/a.jpg', 'train/shoes/b.jpg']);
    expect(plan.refused).toContainEqual({ path: 'validation/pants/copy.jpg', reason: 'the same picture as train/pants/a.jpg' });
    expect(plan.refused.filter((r) => r.path.endsWith('.jpg'))).toHaveLength(1);
  });

  it('refuses nested folders, loose photos, non-photos, empty folders and empty mapped classes; skips hidden files and docs', () => {
    const plan = planPhotoFolder(
      [
        ...files('pants/a.jpg', 'shoes/b.jpg', 'pants/old/c.jpg', 'd.jpg', 'pants/notes.txt', 'README.md', '.DS_Store', 'shoes/Thumbs.db'),
        { path: 'hat/' },
      ],
      { map: MAP },
    );
    expect(plan.error).toBeNull();
    expect(Object.fromEntries(plan.refused.map((r) => [r.path, r.reason]))).toEqual({
      'd.jpg': 'not in a class folder',
      'hat/': 'an empty folder: no photos in it',
      'pants/notes.txt': 'not a photo (PNG, JPEG, WebP, GIF or BMP)',
      'pants/old/c.jpg': 'in a nested folder: only one level of class folders is read',
      'longsleeve/': 'class folder "longsleeve" (in classes.json) has no usable photos',
    });
  });

  it('passes on what the walker found wrong with a file', () => {
    const plan = planPhotoFolder([...files('pants/a.jpg', 'shoes/b.jpg'), { path: 'shoes/bad.jpg', problem: 'unreadable: the image is damaged' }], { map: MAP });
    expect(plan.refused).toContainEqual({ path: 'shoes/bad.jpg', reason: 'unreadable: the image is damaged' });
    expect(plan.entries).toHaveLength(2);
  });

  it('with split folders, refuses class folders outside them', () => {
    const plan = planPhotoFolder(files('train/pants/a.jpg', 'train/shoes/b.jpg', 'pants/c.jpg'), { map: MAP });
    expect(plan.refused[0]).toMatchObject({ path: 'pants/c.jpg', reason: expect.stringMatching(/not inside train\//) });
  });
});

describe('parseClassMap', () => {
  it('reads the shared photos map shape', () => {
    expect(parseClassMap({ strict: { a: ['X'] }, lenient: { a: ['X', 'Y'] }, unmapped: ['b'] })).toEqual({
      strict: { a: ['X'] },
      lenient: { a: ['X', 'Y'] },
      unmapped: ['b'],
    });
  });

  it.each([
    [null, /must hold an object/],
    [{}, /"strict" must map/],
    [{ strict: { a: [] } }, /non-empty list/],
    [{ strict: { a: [3] } }, /non-empty list/],
    [{ strict: { a: ['X'] }, lenient: { b: ['Y'] } }, /"b" is in "lenient" but not in "strict"/],
    [{ strict: { a: ['X'] }, unmapped: 'b' }, /"unmapped" must be a list/],
  ])('refuses %j', (json, message) => {
    expect(() => parseClassMap(json)).toThrow(message);
  });
});
