import { describe, expect, it } from 'vitest';
import { datasetSlug, parseClassNames } from './dataset-import';

describe('dataset import naming', () => {
  it('turns names into ids main accepts', () => {
    expect(datasetSlug('MNIST digits')).toBe('mnist-digits');
    expect(datasetSlug('  Kuzushiji-MNIST (KMNIST) ')).toBe('kuzushiji-mnist-kmnist');
    expect(datasetSlug('Café ä')).toBe('cafe-a');
    expect(datasetSlug('../../etc')).toBe('etc');
    expect(datasetSlug('!!!')).toBeNull();
    const long = datasetSlug('x'.repeat(100))!;
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^[a-z0-9][a-z0-9_-]{0,63}$/);
  });

  it('parses comma- or line-separated class names', () => {
    expect(parseClassNames('T-shirt, Trouser , ,Bag')).toEqual(['T-shirt', 'Trouser', 'Bag']);
    expect(parseClassNames('a\nb')).toEqual(['a', 'b']);
    expect(parseClassNames('  ')).toEqual([]);
  });
});
