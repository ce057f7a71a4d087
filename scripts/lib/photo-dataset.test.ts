import { describe, expect, it } from 'vitest';
import { repeatPhotos } from './photo-dataset';

describe('repeatPhotos', () => {
  const photos = { images: Uint8Array.from({ length: 2 * 784 }, (_, i) => (i < 784 ? 10 : 200)), labels: Uint8Array.of(3, 5) };

  it('lays the photos end to end, each image still beside its label', () => {
    const out = repeatPhotos(photos, 3);
    expect([...out.labels]).toEqual([3, 5, 3, 5, 3, 5]);
    expect(out.images.length).toBe(6 * 784);
    for (let n = 0; n < 6; n++) expect(out.images[n * 784 + 400]).toBe(n % 2 === 0 ? 10 : 200);
  });

  it('returns a copy the same as the photos for once', () => {
    const out = repeatPhotos(photos, 1);
    expect(out.images).toEqual(photos.images);
    expect(out.images).not.toBe(photos.images);
  });

  it('refuses counts that are not whole and positive', () => {
    expect(() => repeatPhotos(photos, 0)).toThrow(RangeError);
    expect(() => repeatPhotos(photos, 1.5)).toThrow(RangeError);
  });
});
