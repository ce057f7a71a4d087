import { describe, expect, it } from 'vitest';
import { csvField, csvFileName, nextResultSort, percent, plural, sortResults, toCsv, topK, type ResultRow } from './classify-view';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover'];

function row(id: number, name: string, probs: number[] | null, extra: Partial<ResultRow> = {}): ResultRow {
  const p = probs ? Float32Array.from(probs) : null;
  return {
    id,
    name,
    bytes: 100,
    status: probs ? 'done' : 'error',
    message: probs ? null : `${name} is empty`,
    note: null,
    nothingFound: false,
    hints: null,
    recutting: false,
    input: null,
    probs: p,
    top: p ? topK(p, 1)[0]! : null,
    ...extra,
  };
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF) to check what toCsv writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') fields.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      fields.push(field);
      rows.push(fields);
      (fields = []), (field = ''), i++;
    } else field += c;
  }
  return rows;
}

describe('topK', () => {
  it('ranks classes best first and keeps k', () => {
    expect(topK([0.1, 0.7, 0.2], 2)).toEqual([
      { index: 1, prob: expect.closeTo(0.7) },
      { index: 2, prob: expect.closeTo(0.2) },
    ]);
  });

  it('reads one image out of a batch', () => {
    const batch = Float32Array.from([0.9, 0.05, 0.05, 0.2, 0.3, 0.5]);
    expect(topK(batch, 1, 3, 3)[0]?.index).toBe(2);
    expect(topK(batch, 1, 3, 0)[0]?.index).toBe(0);
  });

  it('breaks ties by class index and treats NaN as 0', () => {
    expect(topK([0.5, NaN, 0.5], 3).map((r) => r.index)).toEqual([0, 2, 1]);
    expect(topK([0.5, NaN, 0.5], 3)[2]?.prob).toBe(0);
  });

  it('clamps k and rejects a slice outside the array', () => {
    expect(topK([0.2, 0.8], 5)).toHaveLength(2);
    expect(topK([0.2, 0.8], -1)).toEqual([]);
    expect(() => topK([0.2, 0.8], 1, 2, 1)).toThrow(RangeError);
  });
});

describe('percent', () => {
  it('formats probabilities, never rounding a non-zero value down to 0.0%', () => {
    expect(percent(0.973)).toBe('97.3%');
    expect(percent(1)).toBe('100.0%');
    expect(percent(0)).toBe('0.0%');
    expect(percent(0.0004)).toBe('<0.1%');
    expect(percent(0.0006)).toBe('0.1%');
    expect(percent(0.5, 0)).toBe('50%');
  });
});

describe('sortResults', () => {
  const rows = [
    row(0, 'img10.png', [0.1, 0.8, 0.1]),
    row(1, 'broken.png', null),
    row(2, 'img2.png', [0.95, 0.03, 0.02]),
    row(3, 'Img1.png', [0.2, 0.2, 0.6]),
  ];

  it('keeps drop order and can reverse it', () => {
    expect(sortResults(rows, { key: 'order', dir: 'asc' }, CLASSES).map((r) => r.id)).toEqual([0, 1, 2, 3]);
    expect(sortResults(rows, { key: 'order', dir: 'desc' }, CLASSES).map((r) => r.id)).toEqual([3, 2, 1, 0]);
  });

  it('sorts names naturally and case-insensitively', () => {
    expect(sortResults(rows, { key: 'name', dir: 'asc' }, CLASSES).map((r) => r.name)).toEqual(['broken.png', 'Img1.png', 'img2.png', 'img10.png']);
  });

  it('sorts by confidence with failed files last in both directions', () => {
    expect(sortResults(rows, { key: 'confidence', dir: 'desc' }, CLASSES).map((r) => r.id)).toEqual([2, 0, 3, 1]);
    expect(sortResults(rows, { key: 'confidence', dir: 'asc' }, CLASSES).map((r) => r.id)).toEqual([3, 0, 2, 1]);
  });

  it('sorts by class name, failed files last', () => {
    expect(sortResults(rows, { key: 'class', dir: 'asc' }, CLASSES).map((r) => r.id)).toEqual([3, 2, 0, 1]);
    expect(sortResults(rows, { key: 'class', dir: 'desc' }, CLASSES).map((r) => r.id)).toEqual([0, 2, 3, 1]);
  });

  it('puts the most confident file of a class first, whichever way the classes run', () => {
    const twins = [row(0, 'a.png', [0.6, 0.3, 0.1]), row(1, 'b.png', [0.9, 0.05, 0.05]), row(2, 'c.png', [0.1, 0.1, 0.8])];
    expect(sortResults(twins, { key: 'class', dir: 'asc' }, CLASSES).map((r) => r.id)).toEqual([2, 1, 0]);
    expect(sortResults(twins, { key: 'class', dir: 'desc' }, CLASSES).map((r) => r.id)).toEqual([1, 0, 2]);
  });

  it('does not touch the input array', () => {
    const copy = [...rows];
    sortResults(rows, { key: 'confidence', dir: 'desc' }, CLASSES);
    expect(rows).toEqual(copy);
  });
});

describe('nextResultSort', () => {
  it('flips the direction on the same column and starts confidence high-to-low', () => {
    expect(nextResultSort({ key: 'name', dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'desc' });
    expect(nextResultSort({ key: 'name', dir: 'asc' }, 'confidence')).toEqual({ key: 'confidence', dir: 'desc' });
    expect(nextResultSort({ key: 'confidence', dir: 'desc' }, 'class')).toEqual({ key: 'class', dir: 'asc' });
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, and doubles quotes', () => {
    expect(csvField('plain.png')).toBe('plain.png');
    expect(csvField('a,b.png')).toBe('"a,b.png"');
    expect(csvField('say "hi".png')).toBe('"say ""hi"".png"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField(NaN)).toBe('');
  });

  it('defuses spreadsheet formulas in text fields', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1.png')).toBe("'+1.png");
    expect(csvField('-x.png')).toBe("'-x.png");
    expect(csvField('@home.png')).toBe("'@home.png");
  });

  it('writes a header, one row per file with every class probability, and the error message', () => {
    const csv = toCsv([row(0, 'shirt, blue.png', [0.1, 0.7, 0.2]), row(1, 'empty "x".png', null)], CLASSES);
    expect(csv.endsWith('\r\n')).toBe(true);
    const parsed = parseCsv(csv);
    expect(parsed[0]).toEqual(['file', 'status', 'class', 'confidence', 'message', 'p(T-shirt/top)', 'p(Trouser)', 'p(Pullover)']);
    expect(parsed[1]).toEqual(['shirt, blue.png', 'classified', 'Trouser', '0.700000', '', '0.100000', '0.700000', '0.200000']);
    expect(parsed[2]).toEqual(['empty "x".png', 'failed', '', '', 'empty "x".png is empty', '', '', '']);
    expect(parsed).toHaveLength(3);
  });

  it('keeps a classified file’s note in the message column', () => {
    const r = row(0, 'anim.gif', [0.1, 0.1, 0.8], { note: 'anim.gif is animated: its first frame is used' });
    expect(parseCsv(toCsv([r], CLASSES))[1]?.[4]).toBe('anim.gif is animated: its first frame is used');
  });

  it('names the file after the local date and time', () => {
    expect(csvFileName(new Date(2025, 2, 4, 9, 5))).toBe('tailor-classified-2025-03-04-0905.csv');
  });
});

describe('plural', () => {
  it('pluralizes counts', () => {
    expect(plural(1, 'image')).toBe('1 image');
    expect(plural(3, 'image')).toBe('3 images');
  });
});
