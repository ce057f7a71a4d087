import { describe, expect, it } from 'vitest';
import { planPhotoFolder } from '../../../src-shared/photo-folder';
import { defaultMode, folderRows, insideFolder, mappingFrom, namingFor, namingProblem, photoDatasetId, planMap, readClassMap, splitSentence } from './photo-import';

const blob = new Blob([]);
const files = (...names: string[]) => names.map((name) => ({ blob, name }));
const found = (...paths: string[]) => paths.map((path, i) => ({ path, hash: `h${i}` }));

describe('a picked folder', () => {
  it('loses its own name from every path when all share it', () => {
    expect(insideFolder(files('Photos/a/x.jpg', 'Photos/b/y.jpg'))).toMatchObject({ folder: 'Photos', files: [{ name: 'a/x.jpg' }, { name: 'b/y.jpg' }] });
    expect(insideFolder(files('a/x.jpg', 'b/y.jpg')).folder).toBeNull();
    expect(photoDatasetId('My Photos!')).toBe('my-photos');
    expect(photoDatasetId(null)).toBe('photos');
  });

  it('reads classes.json, or says why it was ignored', () => {
    expect(readClassMap('{"strict":{"shoes":["Sneaker"]}}').map?.strict).toEqual({ shoes: ['Sneaker'] });
    expect(readClassMap('{nope').problem).toMatch(/not valid JSON: it was ignored/);
    expect(readClassMap('{"strict":{"shoes":[]}}').problem).toMatch(/non-empty list/);
    expect(readClassMap(null)).toEqual({ map: null, problem: null });
  });
});

describe('naming the classes', () => {
  const model = ['T-shirt', 'Trouser', 'Sneaker', 'Sandal'];

  it('pre-fills the mapping from classes.json (classes the model lacks dropped) or folders named like classes', () => {
    const mapping = mappingFrom({ strict: { shoes: ['Sneaker', 'Boot', 'Sandal'] } }, ['shoes', 'Trouser', 'hat'], model);
    expect(mapping).toEqual({ shoes: ['Sneaker', 'Sandal'], Trouser: ['Trouser'], hat: [] });
    expect(defaultMode(mapping)).toBe('mapped');
    expect(defaultMode({ hat: [] })).toBe('own');
    expect(planMap('mapped', mapping)).toEqual({ strict: { shoes: ['Sneaker', 'Sandal'], Trouser: ['Trouser'] }, unmapped: ['hat'] });
    expect(planMap('own', mapping)).toBeUndefined();
  });

  it('sends own classes after an existing dataset’s, and mapped folders after its folders', () => {
    const paths = found('hat/1.jpg', 'hat/2.jpg', 'shoes/1.jpg', 'shoes/2.jpg', 'tees/1.jpg', 'tees/2.jpg');
    const own = planPhotoFolder(paths);
    expect(namingFor(own, 'own', {}, model, null)).toEqual({ classNames: ['hat', 'shoes', 'tees'] });
    expect(namingFor(own, 'own', {}, model, { classNames: ['tees', 'caps'], labelNames: null })).toEqual({ classNames: ['tees', 'caps', 'hat', 'shoes'] });
    const mapping = { hat: [], shoes: ['Sneaker', 'Sandal'], tees: ['T-shirt'] };
    const mapped = planPhotoFolder(paths, { map: planMap('mapped', mapping)! });
    expect(namingFor(mapped, 'mapped', mapping, model, null)).toEqual({ classNames: model, labelNames: ['shoes', 'tees'], allowed: [[2, 3], [0]] });
    const existing = { classNames: model, labelNames: ['tees', 'pants'], allowed: [[0], [1]] };
    expect(namingFor(mapped, 'mapped', mapping, model, existing)).toMatchObject({ labelNames: ['tees', 'pants', 'shoes'], allowed: [[0], [1], [2, 3]] });
    expect(namingProblem(mapped, 'mapped', { hat: [] }, model)).toMatch(/Map at least one folder/);
    expect(namingProblem(mapped, 'mapped', mapping, [])).toMatch(/no model/);
  });

  it('shows each folder’s split counts and what it becomes', () => {
    const plan = planPhotoFolder(found(...Array.from({ length: 20 }, (_, i) => `${i % 2 ? 'hat' : 'tees'}/${i}.jpg`)), { seed: 1, validation: 0.2 });
    const { rows, total } = folderRows(plan, 'own');
    expect(rows).toEqual([
      { name: 'hat', train: 8, validation: 2, test: 0, becomes: 'class “hat”' },
      { name: 'tees', train: 8, validation: 2, test: 0, becomes: 'class “tees”' },
    ]);
    expect(total).toEqual({ train: 16, validation: 4, test: 0 });
    expect(splitSentence(plan, 1, 0.2)).toBe('Split drawn per class with seed 1: 80% train, 20% held out for validation');
  });
});
