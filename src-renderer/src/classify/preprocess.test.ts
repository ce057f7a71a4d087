import { describe, expect, it } from 'vitest';
import { grayImage, type GrayImage, type RGBAImage } from './image';
import {
  boundingBox,
  centre,
  crop,
  detectBackground,
  fitInto,
  fromDrawing,
  invertIfLight,
  preprocess,
  scaleTo01,
  toGray,
} from './preprocess';
import { autoSharpen, edgeSharpness, sharpen } from './sharpen';
import { mulberry32 } from '../ml/random';

/** An RGBA image filled with `bg`, with rectangles of gray `v` (and optional alpha). */
function rgba(width: number, height: number, bg: number, rects: [x: number, y: number, w: number, h: number, v: number][] = [], alpha = 255): RGBAImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([bg, bg, bg, alpha], 4 * i);
  for (const [x0, y0, w, h, v] of rects) {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data.set([v, v, v, 255], 4 * (y * width + x));
  }
  return { width, height, data };
}

function gray(width: number, height: number, fill = 0): GrayImage {
  return grayImage(width, height, new Float32Array(width * height).fill(fill));
}

function paint(g: GrayImage, x0: number, y0: number, w: number, h: number, v: number): GrayImage {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) g.data[y * g.width + x] = v;
  return g;
}

/** Bounding box of values above `t` as [x, y, w, h]. */
function extent(g: GrayImage, t = 0): [number, number, number, number] {
  const b = boundingBox(g, { threshold: t / Math.max(...g.data), minBlob: 0 });
  return b ? [b.x, b.y, b.width, b.height] : [0, 0, 0, 0];
}

describe('toGray', () => {
  it('weights channels by Rec. 601 luminance', () => {
    const img: RGBAImage = { width: 4, height: 1, data: Uint8ClampedArray.of(255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255) };
    const g = toGray(img).data;
    expect(g[0]).toBeCloseTo(76.245, 2);
    expect(g[1]).toBeCloseTo(149.685, 2);
    expect(g[2]).toBeCloseTo(29.07, 2);
    expect(g[3]).toBeCloseTo(255, 3);
  });

  it('composites a cut-out over a matte that contrasts with it', () => {
    const darkBoot = rgba(3, 1, 0, [[1, 0, 1, 1, 20]], 0); // transparent around a dark pixel
    expect(Array.from(toGray(darkBoot).data)).toEqual([255, expect.closeTo(20, 3), 255]);
    const whiteSneaker = rgba(3, 1, 0, [[1, 0, 1, 1, 240]], 0);
    expect(Array.from(toGray(whiteSneaker).data)).toEqual([0, expect.closeTo(240, 3), 0]);
  });

  it('blends half-transparent pixels and honours an explicit matte', () => {
    const half = rgba(1, 1, 0, [], 128);
    expect(toGray(half, 255).data[0]).toBeCloseTo(255 * (127 / 255), 1);
    expect(toGray(half, 0).data[0]).toBe(0);
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => toGray({ width: 2, height: 2, data: new Uint8ClampedArray(4) })).toThrow(RangeError);
  });
});

describe('detectBackground', () => {
  it('finds a light background behind a dark object', () => {
    const bg = detectBackground(paint(gray(40, 40, 250), 10, 10, 20, 20, 30));
    expect(bg).toEqual({ kind: 'light', level: 250, noise: 0 });
  });

  it('finds a dark background behind a light object', () => {
    const bg = detectBackground(paint(gray(40, 40, 5), 10, 10, 20, 20, 200));
    expect(bg).toMatchObject({ kind: 'dark', level: 5 });
  });

  it('calls a mid-gray background light when the object is darker (a fixed cut at 128 would not)', () => {
    expect(detectBackground(paint(gray(40, 40, 100), 10, 10, 20, 20, 20)).kind).toBe('light');
    expect(detectBackground(paint(gray(40, 40, 160), 10, 10, 20, 20, 230)).kind).toBe('dark');
  });

  it('measures border noise', () => {
    const rand = mulberry32(1);
    const g = gray(100, 100);
    for (let i = 0; i < g.data.length; i++) g.data[i] = 230 + (rand() - 0.5) * 20; // ±10
    paint(g, 30, 30, 40, 40, 40);
    const bg = detectBackground(g);
    expect(bg.kind).toBe('light');
    expect(Math.abs(bg.level - 230)).toBeLessThanOrEqual(1);
    expect(bg.noise).toBeGreaterThanOrEqual(10); // uniform ±10: 3·1.4826·MAD ≈ 22
    expect(bg.noise).toBeLessThan(30);
  });
});

describe('invertIfLight', () => {
  it('turns dark-on-light into light-on-black with the background at 0', () => {
    const g = paint(gray(4, 1, 240), 1, 0, 2, 1, 40);
    const ink = invertIfLight(g, { kind: 'light', level: 240, noise: 0 });
    expect(Array.from(ink.data)).toEqual([0, 200, 200, 0]);
  });

  it('keeps light-on-dark and subtracts the level and the noise margin', () => {
    const g = paint(gray(4, 1, 10), 1, 0, 1, 1, 210);
    g.data[3] = 14; // noise within the margin
    const ink = invertIfLight(g, { kind: 'dark', level: 10, noise: 5 });
    expect(Array.from(ink.data)).toEqual([0, 195, 0, 0]);
  });
});

describe('boundingBox', () => {
  it('boxes the object', () => {
    expect(boundingBox(paint(gray(50, 40), 12, 7, 20, 9, 200))).toEqual({ x: 12, y: 7, width: 20, height: 9 });
  });

  it('ignores faint haze and isolated specks', () => {
    const rand = mulberry32(7);
    const g = gray(200, 200);
    for (let i = 0; i < g.data.length; i++) g.data[i] = rand() * 8; // haze under 4% of the object
    paint(g, 60, 50, 80, 100, 220);
    paint(g, 5, 5, 2, 2, 255); // dust
    paint(g, 190, 180, 3, 3, 255);
    expect(boundingBox(g)).toEqual({ x: 60, y: 50, width: 80, height: 100 });
  });

  it('keeps separate parts of one object (a pair of sandals)', () => {
    const g = paint(paint(gray(100, 50), 5, 10, 30, 20, 200), 60, 15, 30, 20, 200);
    expect(boundingBox(g)).toEqual({ x: 5, y: 10, width: 85, height: 25 });
  });

  it('is null for a blank picture', () => {
    expect(boundingBox(gray(10, 10))).toBeNull();
  });
});

describe('crop', () => {
  it('copies the box', () => {
    const g = grayImage(3, 3, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(crop(g, { x: 1, y: 1, width: 2, height: 2 })).toEqual(grayImage(2, 2, Float32Array.from([5, 6, 8, 9])));
  });

  it('refuses a box outside the image', () => {
    expect(() => crop(gray(3, 3), { x: 2, y: 0, width: 2, height: 1 })).toThrow(RangeError);
  });
});

describe('fitInto', () => {
  it('puts the longest side across 28 px and keeps the aspect ratio', () => {
    const fitted = fitInto(gray(200, 100, 255));
    expect([fitted.width, fitted.height]).toEqual([28, 28]);
    expect(extent(fitted)).toEqual([0, 7, 28, 14]);
  });

  it('places a whole number of pixels as the dataset does, the odd spare pixel left', () => {
    expect(extent(fitInto(gray(21, 28, 255)))).toEqual([4, 0, 21, 28]);
    expect(extent(fitInto(gray(84, 112, 255)))).toEqual([4, 0, 21, 28]);
  });

  it('keeps a very wide image a thin centred strip', () => {
    const fitted = fitInto(gray(1000, 20, 255)); // 28 × 0.56 px, in the row a 1 px strip takes
    expect(extent(fitted)).toEqual([0, 14, 28, 1]);
    expect(fitted.data[14 * 28 + 10]).toBeCloseTo(255 * 0.56, 1);
  });

  it('keeps a very tall image a thin centred column', () => {
    const fitted = fitInto(gray(10, 2800, 255)); // 0.1 × 28 px
    expect(extent(fitted)).toEqual([13, 0, 2, 28]);
    expect(fitted.data[5 * 28 + 13]).toBeCloseTo(255 * 0.05, 1);
  });

  it('averages areas instead of picking pixels', () => {
    const checker = gray(56, 56);
    for (let y = 0; y < 56; y++) for (let x = 0; x < 56; x++) checker.data[y * 56 + x] = (x + y) % 2 ? 255 : 0;
    const fitted = fitInto(checker);
    for (const v of fitted.data) expect(v).toBeCloseTo(127.5, 3); // nearest-neighbour gives 0 or 255
  });

  it('enlarges a small object smoothly', () => {
    const fitted = fitInto(paint(gray(7, 7), 3, 3, 1, 1, 255));
    const values = new Set(Array.from(fitted.data, (v) => Math.round(v)));
    expect(values.size).toBeGreaterThan(5);
  });
});

describe('centre', () => {
  it('centres the bounding box, an odd spare pixel going left/top as in the dataset', () => {
    const c = centre(paint(gray(28, 28), 0, 0, 23, 10, 100));
    expect(extent(c)).toEqual([3, 9, 23, 10]);
  });

  it("puts the centre of mass in the middle in 'mass' mode, within the frame", () => {
    const g = paint(paint(gray(28, 28), 0, 0, 10, 10, 100), 0, 0, 2, 10, 1000); // heavy left edge
    const byBox = extent(centre(g));
    const byMass = extent(centre(g, 28, 'mass'));
    expect(byBox[0]).toBe(9);
    expect(byMass[0]).toBeGreaterThan(byBox[0]);
    const wide = centre(paint(gray(28, 28), 0, 0, 28, 4, 100), 28, 'mass');
    expect(extent(wide)).toEqual([0, 12, 28, 4]);
  });

  it('gives a black frame for a blank image and refuses ink larger than the frame', () => {
    expect(centre(gray(5, 5)).data.every((v) => v === 0)).toBe(true);
    expect(() => centre(gray(30, 5, 1))).toThrow(RangeError);
  });
});

describe('sharpen', () => {
  // Three equal rows: the middle one shows the row filter alone (the column filter of equal
  // neighbours is the identity).
  const rows3 = (values: number[]): GrayImage => grayImage(values.length, 3, Float32Array.from([...values, ...values, ...values]));
  const middle = (g: GrayImage): number[] => Array.from(g.data.subarray(g.width, 2 * g.width)).map((v) => Math.round(v * 1e4) / 1e4);

  it('steepens a soft edge and leaves flat ink and black alone', () => {
    // 1.5·40 − 0.25·160 = 20; 1.5·160 − 0.25·240 = 180; 1.5·200 − 0.25·360 = 210; the frame is black.
    expect(middle(sharpen(rows3([0, 0, 40, 160, 200, 200, 200]), 0.25))).toEqual([0, 0, 20, 180, 210, 200, 250]);
  });

  it('is the identity on flat ink in 2-D and with amount 0, and clamps to 0–255', () => {
    const flat = gray(5, 5, 100);
    expect(sharpen(flat, 0.25).data[12]).toBeCloseTo(100, 5);
    const soft = paint(gray(6, 6), 1, 1, 4, 4, 250);
    soft.data[0] = 30;
    expect(Array.from(sharpen(soft, 0).data)).toEqual(Array.from(soft.data));
    const hard = sharpen(soft, 1);
    expect(Math.max(...hard.data)).toBe(255);
    expect(Math.min(...hard.data)).toBe(0);
  });

  it('restores most of what one bilinear-then-area resampling blurs', () => {
    // [1/8, 3/4, 1/8] in each axis is that blur; 1/6 is its first-order inverse.
    const sharp = paint(gray(12, 12), 3, 3, 6, 6, 200);
    const blur = (g: GrayImage): GrayImage => {
      const out = gray(g.width, g.height);
      for (let y = 0; y < g.height; y++) {
        for (let x = 0; x < g.width; x++) {
          let v = 0;
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const w = (dy === 0 ? 0.75 : 0.125) * (dx === 0 ? 0.75 : 0.125);
              v += w * (g.data[(y + dy) * g.width + x + dx] ?? 0);
            }
          }
          out.data[y * g.width + x] = v;
        }
      }
      return out;
    };
    const err = (a: GrayImage, b: GrayImage): number => a.data.reduce((s, v, i) => s + Math.abs(v - b.data[i]!), 0);
    const blurred = blur(sharp);
    expect(err(sharpen(blurred, 1 / 6), sharp)).toBeLessThan(err(blurred, sharp) / 3);
  });
});

describe('edgeSharpness and autoSharpen', () => {
  const stripes = (soft: boolean): GrayImage => {
    const g = gray(28, 28);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) g.data[y * 28 + x] = soft ? 100 + 80 * Math.sin(x / 3) : x % 4 < 2 ? 200 : 0;
    return g;
  };

  it('scores crisp edges high, gentle slopes low and a blank image as crisp', () => {
    expect(edgeSharpness(stripes(false))).toBeGreaterThan(0.45);
    expect(edgeSharpness(stripes(true))).toBeLessThan(0.3);
    expect(edgeSharpness(gray(28, 28))).toBe(1);
  });

  it('leaves a crisp image alone and sharpens a soft one, by no more than 0.4', () => {
    const crisp = stripes(false);
    const kept = autoSharpen(crisp);
    expect(kept.amount).toBe(0);
    expect(kept.image).toBe(crisp);
    const soft = autoSharpen(stripes(true));
    expect(soft.amount).toBeGreaterThan(0);
    expect(soft.amount).toBeLessThanOrEqual(0.4);
    expect(edgeSharpness(soft.image)).toBeGreaterThan(edgeSharpness(stripes(true)));
    expect(Array.from(soft.image.data)).toEqual(Array.from(sharpen(stripes(true), soft.amount).data));
  });
});

describe('scaleTo01', () => {
  it('stretches the brightest pixel to 1', () => {
    expect(Array.from(scaleTo01(grayImage(3, 1, Float32Array.from([0, 50, 200]))))).toEqual([0, 0.25, 1]);
    expect(Array.from(scaleTo01(gray(2, 1)))).toEqual([0, 0]);
  });
});

describe('preprocess', () => {
  it('turns a dark product on white into a centred light object on black', () => {
    const { input, empty, steps } = preprocess(rgba(300, 200, 255, [[100, 20, 60, 160, 30]]));
    expect(empty).toBe(false);
    expect(input).toHaveLength(784);
    expect(steps.background.kind).toBe('light');
    expect(steps.box).toEqual({ x: 100, y: 20, width: 60, height: 160 });
    expect(Math.max(...input)).toBe(1);
    expect(input[0]).toBe(0);
    // The ink is 225 (255 − 30); sharpening lifts the edges next to the partly covered columns to
    // 255, so the flat inside ends at 225/255 after the stretch.
    expect(input[14 * 28 + 14]).toBeCloseTo(225 / 255, 5);
    expect(extent(grayImage(28, 28, input))).toEqual([9, 0, 11, 28]); // 60:160 → 10.5:28 at x = 9.25, edges partly covered
  });

  it('gives the same input for a picture and its negative', () => {
    const a = preprocess(rgba(120, 90, 250, [[30, 10, 40, 70, 40], [50, 20, 10, 20, 120]])).input;
    const b = preprocess(rgba(120, 90, 5, [[30, 10, 40, 70, 215], [50, 20, 10, 20, 135]])).input;
    for (let i = 0; i < 784; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
  });

  it('sharpens what it resampled, and leaves an object already 28 px long as it is', () => {
    const small = preprocess(rgba(300, 200, 255, [[100, 20, 60, 160, 30]]));
    expect(small.steps.sharpened).not.toEqual(small.steps.fitted);
    const exact = preprocess(rgba(28, 28, 0, [[4, 0, 20, 28, 200], [8, 6, 12, 10, 120]]));
    expect(exact.steps.sharpened).toBe(exact.steps.fitted);
    expect(exact.input[3 * 28 + 10]).toBeCloseTo(1, 5);
    expect(exact.input[8 * 28 + 12]).toBeCloseTo(120 / 200, 5);
  });

  it('reports a blank picture as empty', () => {
    const { input, empty, steps } = preprocess(rgba(64, 64, 240));
    expect(empty).toBe(true);
    expect(steps.box).toBeNull();
    expect(input.every((v) => v === 0)).toBe(true);
  });
});

describe('fromDrawing', () => {
  const strokes: [number, number, number, number][] = [[40, 20, 8, 200], [40, 20, 120, 8], [152, 20, 8, 150], [100, 240, 3, 3]];

  it('reads white-on-black, black-on-white and transparent canvases alike', () => {
    const whiteOnBlack = fromDrawing(rgba(280, 280, 0, strokes.map(([x, y, w, h]) => [x, y, w, h, 255]))).input;
    const blackOnWhite = fromDrawing(rgba(280, 280, 255, strokes.map(([x, y, w, h]) => [x, y, w, h, 0]))).input;
    const onTransparent = fromDrawing(rgba(280, 280, 255, strokes.map(([x, y, w, h]) => [x, y, w, h, 0]), 0)).input;
    expect(Array.from(blackOnWhite)).toEqual(Array.from(whiteOnBlack));
    expect(Array.from(onTransparent)).toEqual(Array.from(whiteOnBlack));
  });

  it('keeps a small deliberate mark that photo preprocessing treats as a speck', () => {
    const img = rgba(280, 280, 0, strokes.map(([x, y, w, h]) => [x, y, w, h, 255]));
    expect(fromDrawing(img).steps.box?.height).toBe(223); // down to the dot at y = 240..242
    expect(preprocess(img).steps.box?.height).toBe(200);
  });
});
