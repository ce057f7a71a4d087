// The parts of fine-tuning without Svelte: which class each label of a mix source teaches, the mix
// drawn from a mapped photo set, the Corrections dataset's id, and the settings of "teach again".
import { describe, expect, it } from 'vitest';
import { correctionsId, fineTunedName, mixClassOf, mixFrom, modelChoiceLabel, teachAgainSettings, teachMixSource } from './fine-tune';

const CLASSES = ['T-shirt/top', 'Trouser', 'Sandal', 'Sneaker'];

/** A 2×2 set whose image i is filled with the value i + 1, so a copied image says where it came from. */
function set(labels: number[], naming: { labelNames?: string[]; allowed?: number[][] } = {}) {
  const images = new Uint8Array(labels.length * 4);
  labels.forEach((_, i) => images.fill(i + 1, i * 4, i * 4 + 4));
  return { classNames: CLASSES, ...naming, rows: 2, cols: 2, train: { images, labels: Uint8Array.from(labels) } };
}

describe('mixing another set into a fine-tune', () => {
  it('a mapped folder teaches its one allowed class; a folder allowing several teaches none', () => {
    const mapped = { classNames: CLASSES, labelNames: ['pants', 'shoes'], allowed: [[1], [2, 3]] };
    expect(mixClassOf(mapped)).toEqual(['Trouser', null]);
    expect(mixClassOf({ classNames: CLASSES })).toEqual(CLASSES);
  });

  it('copies the images of the classes the run has, labelled with the run’s index', () => {
    const mix = mixFrom(set([0, 1, 2, 3, 1]), ['Sneaker', 'Trouser'], 2)!;
    // Images 1 (Trouser), 3 (Sneaker) and 4 (Trouser); T-shirt/top and Sandal are not the run's.
    expect([...mix.labels]).toEqual([1, 0, 1]);
    expect(mix.images).toEqual(Uint8Array.from([2, 2, 2, 2, 4, 4, 4, 4, 5, 5, 5, 5]));
    expect(mix.ratio).toBe(2);
  });

  it('from a mapped photo set, only the folders with one class; none matching is null', () => {
    const photos = set([0, 1, 1, 0], { labelNames: ['pants', 'shoes'], allowed: [[1], [2, 3]] });
    const mix = mixFrom(photos, CLASSES)!;
    expect([...mix.labels]).toEqual([1, 1]);
    expect([mix.images[0], mix.images[4]]).toEqual([1, 4]);
    expect(mixFrom(photos, ['hat', 'skirt'])).toBeNull();
  });
});

describe('teaching the model its corrections', () => {
  it('has one Corrections dataset per class list', () => {
    expect(correctionsId(CLASSES)).toMatch(/^corrections-[0-9a-f]{8}$/);
    expect(correctionsId([...CLASSES])).toBe(correctionsId(CLASSES));
    expect(correctionsId(CLASSES.slice().reverse())).not.toBe(correctionsId(CLASSES));
  });

  it('mixes in the model’s own dataset, or for a model already taught, another of exactly its classes', () => {
    const statuses = [
      { id: correctionsId(CLASSES), classNames: CLASSES, ready: true },
      { id: 'other', classNames: ['T-shirt/top', 'Trouser'], ready: true },
      { id: 'broken', classNames: CLASSES, ready: false },
      { id: 'photos', classNames: CLASSES, ready: true },
    ];
    expect(teachMixSource({ classNames: CLASSES, datasetId: 'mine' }, statuses)).toBe('mine');
    expect(teachMixSource({ classNames: CLASSES, datasetId: correctionsId(CLASSES) }, statuses)).toBe('photos');
    expect(teachMixSource({ classNames: CLASSES, datasetId: null }, statuses.slice(0, 3))).toBeNull();
  });

  it('keeps the output layer’s recipe and mixes ~300 own images an epoch, 1 to 50 per correction', () => {
    const one = teachAgainSettings('unit', 3, 1);
    expect(one.hyper).toMatchObject({ epochs: 15, batchSize: 32, learningRate: 5e-4, seed: 3, pixelScale: 'unit' });
    expect(one.hyper.augment.photo).toBeDefined();
    expect(one.mixRatio).toBe(50);
    expect(teachAgainSettings('raw', 3, 20).mixRatio).toBe(15);
    expect(teachAgainSettings('unit', 3, 1000).mixRatio).toBe(1);
  });
});

describe('a saved model as a choice', () => {
  it('is marked as shipped once', () => {
    expect(modelChoiceLabel({ name: 'Tailor best', builtIn: true })).toBe('Tailor best (shipped)');
    expect(modelChoiceLabel({ name: 'Tailor best (shipped)', builtIn: true })).toBe('Tailor best (shipped)');
    expect(modelChoiceLabel({ name: 'Mine', builtIn: false })).toBe('Mine');
  });
});

describe('the name of a fine-tuned model', () => {
  it('says what it started from and what it learnt, without the start\'s score', () => {
    expect(fineTunedName('Tailor best (shipped)', 'My photos')).toBe('Tailor best (shipped) tuned on My photos');
    expect(fineTunedName('Tailor best (shipped) tuned on My photos · 74.8%', 'Holiday')).toBe('Tailor best (shipped) tuned on My photos tuned on Holiday');
  });

  it('counts teaching the same set again instead of repeating it', () => {
    const once = fineTunedName('Mine · 80.0%', 'Corrections for My photos');
    const twice = fineTunedName(`${once} · 81.2%`, 'Corrections for My photos');
    const thrice = fineTunedName(`${twice} · 82.0%`, 'Corrections for My photos');
    expect([once, twice, thrice]).toEqual([
      'Mine tuned on Corrections for My photos',
      'Mine tuned on Corrections for My photos (2×)',
      'Mine tuned on Corrections for My photos (3×)',
    ]);
  });

  it('stays short enough for its saved model\'s " · 93.5%" to fit the 120-character name limit', () => {
    let name = 'A model with a rather long name that somebody typed';
    for (const set of ['Photos of the garden shed', 'Photos from the attic boxes', 'Photos of the winter coats']) name = `${fineTunedName(name, set)} · 90.0%`;
    expect(name.length).toBeLessThanOrEqual(120);
    expect(name).toMatch(/… · 90\.0%$/);
  });
});
