// The checks behind DatasetStore.import: which part each picked file is, and whether the files agree
// with each other and with what is already cached. Everything here runs before anything is written.
import { MODEL_LIMITS } from '../../src-shared/limits';
import type { DatasetImport, PartName } from '../../src-shared/types/dataset';
import { checkPublished, verifySource, type Manifest, type ManifestPart, type VerifiedPart } from './dataset-cache';
import { defaultClassNames, PART_INFO, type CatalogEntry } from './dataset-catalog';
import { TailorError } from './errors';
import { IdxError } from './idx';

export interface Incoming {
  part: PartName;
  v: VerifiedPart;
  source: ManifestPart['source'];
  origin: string;
}

/** Parses every file and works out which part it is: the kind from its header, the split from its name. */
export async function classify(
  files: DatasetImport['files'],
  entry: CatalogEntry | undefined,
  classCount: number | undefined,
): Promise<Incoming[]> {
  const byPart = new Map<PartName, string>();
  const out: Incoming[] = [];
  for (const f of files) {
    const v = await verifySource(f.bytes, f.name, classCount === undefined ? {} : { classCount });
    const part: PartName = `${splitOf(f.name)}${v.idx.kind === 'images' ? 'Images' : 'Labels'}`;
    const other = byPart.get(part);
    if (other) throw new TailorError('invalid-argument', `${other} and ${f.name} are both the ${PART_INFO[part].label}`);
    byPart.set(part, f.name);
    if (entry) checkPublished(v, f.name, entry.parts[part], `${entry.name} ${PART_INFO[part].label}`);
    out.push({ part, v, source: 'import', origin: f.name });
  }
  return out;
}

function splitOf(fileName: string): 'train' | 'test' {
  const n = fileName.toLowerCase();
  const train = n.includes('train');
  const test = n.includes('t10k') || n.includes('test');
  if (train !== test) return train ? 'train' : 'test';
  throw new TailorError(
    'invalid-argument',
    `Cannot tell whether ${fileName} is the training or the test split: its name should contain "train", or "t10k" or "test"`,
  );
}

export function newManifest(id: string, entry: CatalogEntry | undefined, req: Partial<DatasetImport>): Manifest {
  return {
    version: 1,
    id,
    name: entry?.name ?? req.name ?? id,
    classNames: entry ? [...entry.classNames] : (req.classNames ?? defaultClassNames(1)),
    derivedClassNames: !entry && !req.classNames,
    rows: 0,
    cols: 0,
    parts: {},
  };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A catalog set's names are fixed; an imported set may be renamed, and placeholder class names replaced. */
export function applyNames(m: Manifest, entry: CatalogEntry | undefined, req: DatasetImport): void {
  const given = req.classNames;
  if (entry) {
    if (given && !sameList(given, entry.classNames)) {
      throw new TailorError('invalid-argument', `${entry.name} has fixed class names: import under a new id to use others`);
    }
    return;
  }
  if (req.name) m.name = req.name;
  if (!given || sameList(given, m.classNames)) return;
  if (!m.derivedClassNames || given.length < m.classNames.length) {
    throw new TailorError(
      'conflict',
      `${m.name} already has ${m.classNames.length} class names (${m.classNames.slice(0, 3).join(', ')}…): import under a new id to use others`,
    );
  }
  m.classNames = [...given];
  m.derivedClassNames = false;
}

/**
 * Placeholder names ('0'…) widen to cover the largest label imported so far. A model has at most
 * MODEL_LIMITS.classes.max outputs, so a set with more classes is refused here rather than
 * after a training run whose model could not be saved.
 */
export function widenDerivedNames(m: Manifest, incoming: Incoming[]): void {
  if (!m.derivedClassNames) return;
  let max = m.classNames.length - 1;
  for (const { v, origin } of incoming) {
    if (v.idx.kind !== 'labels') continue;
    for (const l of v.idx.data) if (l > max) max = l;
    if (max >= MODEL_LIMITS.classes.max) {
      throw new IdxError(`${origin} has label ${max}: Tailor handles datasets of ${MODEL_LIMITS.classes.min}–${MODEL_LIMITS.classes.max} classes`);
    }
  }
  m.classNames = defaultClassNames(max);
}

/** New files must agree with each other and with what is cached: image size, and counts per split. */
export function checkConsistency(m: Manifest, incoming: Incoming[]): void {
  const hasCachedImages = Boolean(m.parts.trainImages || m.parts.testImages);
  let size = hasCachedImages ? { rows: m.rows, cols: m.cols, from: `the cached images of ${m.name}` } : null;
  for (const { v, origin } of incoming) {
    if (v.idx.kind !== 'images') continue;
    if (size && (size.rows !== v.idx.rows || size.cols !== v.idx.cols)) {
      throw new IdxError(`${origin} has ${v.idx.rows}×${v.idx.cols} images, but ${size.from} are ${size.rows}×${size.cols}`);
    }
    size ??= { rows: v.idx.rows, cols: v.idx.cols, from: origin };
  }
  for (const split of ['train', 'test'] as const) {
    const side = (part: PartName) => {
      const n = incoming.find((x) => x.part === part);
      const mp = m.parts[part];
      if (n) return { name: n.origin, count: n.v.idx.count };
      return mp ? { name: `the cached ${mp.file}`, count: mp.count } : null;
    };
    const images = side(`${split}Images`);
    const labels = side(`${split}Labels`);
    if (images && labels && images.count !== labels.count) {
      throw new IdxError(
        `${images.name} has ${images.count.toLocaleString('en-US')} images but ${labels.name} has ` +
          `${labels.count.toLocaleString('en-US')} labels: the counts must match`,
      );
    }
  }
}
