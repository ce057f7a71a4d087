import { describe, expect, it } from 'vitest';
import { allowedOf, mappedTargets, targetsProblem } from './targets';

describe('targetsProblem', () => {
  it('accepts none, or label names each allowing known classes', () => {
    expect(targetsProblem(10)).toBeNull();
    expect(targetsProblem(10, ['shoes', 'pants'], [[5, 7, 9], [1]])).toBeNull();
  });
  it('refuses half a pair, mismatched lengths, unknown or repeated classes, empty lists and names twice', () => {
    expect(targetsProblem(10, ['shoes'])).toMatch(/come together/);
    expect(targetsProblem(10, ['a', 'b'], [[1]])).toMatch(/2 label names but 1/);
    expect(targetsProblem(10, ['a'], [[10]])).toMatch(/class 10, which is not one of the 10/);
    expect(targetsProblem(10, ['a'], [[1.5]])).toMatch(/not one of/);
    expect(targetsProblem(10, ['a'], [[2, 2]])).toMatch(/twice/);
    expect(targetsProblem(10, ['a'], [[]])).toMatch(/allows no class/);
    expect(targetsProblem(10, ['a', 'a'], [[1], [2]])).toMatch(/a name twice/);
    expect(targetsProblem(10, [], [])).toMatch(/empty/);
    expect(targetsProblem(10, Array.from({ length: 256 }, (_, i) => `f${i}`), Array.from({ length: 256 }, () => [0]))).toMatch(/at most 255/);
  });
});

describe('allowedOf', () => {
  it('is one class per label without targets, the lists with them', () => {
    expect(allowedOf(3)).toEqual([[0], [1], [2]]);
    expect(allowedOf(3, { labelNames: ['x'], allowed: [[0, 2]] })).toEqual([[0, 2]]);
  });
});

describe('mappedTargets', () => {
  const classes = ['T-shirt/top', 'Trouser', 'Sandal', 'Sneaker'];
  it('turns folder → class names into label names and class indices, in the folders’ order', () => {
    expect(mappedTargets([{ name: 'shoes', classes: ['Sandal', 'Sneaker'] }, { name: 'pants', classes: ['Trouser'] }], classes)).toEqual({
      labelNames: ['shoes', 'pants'],
      allowed: [[2, 3], [1]],
    });
  });
  it('says which class a folder names that the model does not have', () => {
    expect(() => mappedTargets([{ name: 'hat', classes: ['Hat'] }], classes)).toThrow(/"hat" is mapped to "Hat", which is not one of/);
  });
});
