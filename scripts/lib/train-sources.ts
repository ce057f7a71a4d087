// What `npm run train` learns from: Fashion-MNIST alone; a photo set mapped onto Fashion-MNIST's
// classes (classes.json) with Fashion-MNIST mixed into every epoch; or a photo set whose folders
// are classes of their own. Photos go through the app's pipeline once (cached: photo-set.ts).
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseClassMap } from '../../src-shared/photo-folder';
import type { Targets } from '../../src-shared/targets';
import { FASHION_MNIST_CLASSES, type PartName } from '../../src-shared/types/dataset';
import type { DatasetRef, ModelMeta } from '../../src-shared/types/model';
import type { MixSource } from '../../src-renderer/src/ml/data';
import { fashionMnistChecksums, loadSplit, type Split } from './fashion-mnist';
import { photoData, repeatPhotos, type Naming, type PhotoData } from './photo-dataset';
import { photoSetDigest, preparePhotoFolder, type PreparedFolder } from './photo-set';

export interface SourceOptions {
  dataDir: string;
  photos: string | null;
  map: string | null;
  lenient: boolean;
  ownClasses: boolean;
  /** Fashion-MNIST images per photo per epoch; null: all of Fashion-MNIST every epoch. */
  mix: number | null;
  /** Each photo this many times per epoch (augmented anew each time): photos weigh more beside 60,000 Fashion-MNIST images. */
  photoRepeat: number;
}

export interface Sources {
  classNames: string[];
  /** The set each epoch goes through in full (its validation hold-out is drawn from it). */
  main: { images: Uint8Array; labels: Uint8Array; rows: number; cols: number; targets?: Targets };
  mix?: MixSource;
  /** Fashion-MNIST's test split, to score on (absent for own classes). */
  test: Split | null;
  dataset: DatasetRef;
  photoSet?: NonNullable<ModelMeta['photoSet']>;
  /** The photos as labels of the model's classes, for the summary line. */
  photos?: PhotoData;
  /** How photos are named for this model (own classes, or mapped by classes.json): to score others. */
  naming: Naming | null;
}

async function fashionMnistRef(dataDir: string): Promise<DatasetRef> {
  const checksums: Record<PartName, string> = await fashionMnistChecksums(dataDir);
  return { id: 'fashion-mnist', name: 'Fashion-MNIST', checksums };
}

async function prepare(dir: string): Promise<PreparedFolder> {
  let shown = 0;
  return preparePhotoFolder(dir, {
    onProgress: (done, total) => {
      if (done - shown >= 500 || done === total) console.log(`  ${dir}: ${(shown = done)}/${total} photos prepared`);
    },
  });
}

function photoSetOf(dir: string, prepared: PreparedFolder, data: PhotoData, mixRatio?: number): NonNullable<ModelMeta['photoSet']> {
  const mapping = Object.fromEntries(data.labelNames.map((name, l) => [name, (data.targets?.allowed[l] ?? [l]).map((c) => data.classNames[c]!)]));
  return { folder: dir, photos: data.labels.length, sha256: photoSetDigest(prepared.samples), mapping, ...(mixRatio !== undefined ? { mixRatio } : {}) };
}

async function mappedNaming(o: SourceOptions): Promise<Naming | null> {
  if (!o.map) return null;
  const map = parseClassMap(JSON.parse(await readFile(o.map, 'utf8')));
  return { kind: 'mapped', map, classNames: FASHION_MNIST_CLASSES, lenient: o.lenient };
}

export async function loadSources(o: SourceOptions): Promise<Sources> {
  if (!o.photos) {
    const train = await loadSplit('train', o.dataDir);
    const naming = await mappedNaming(o);
    return { classNames: [...FASHION_MNIST_CLASSES], main: train, test: await loadSplit('test', o.dataDir), dataset: await fashionMnistRef(o.dataDir), naming };
  }
  const dir = resolve(o.photos);
  const prepared = await prepare(dir);
  if (o.ownClasses) {
    const photos = photoData(prepared, { kind: 'own' });
    const dataset = { id: `photos-${basename(dir).toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`.slice(0, 64), name: basename(dir), checksums: { photos: photoSetDigest(prepared.samples) } };
    return { classNames: photos.classNames, main: { ...photos, rows: 28, cols: 28 }, test: null, dataset, photoSet: photoSetOf(o.photos, prepared, photos), photos, naming: { kind: 'own' } };
  }
  const naming = await mappedNaming(o);
  if (!naming) throw new Error('--photos needs --map classes.json (folders onto Fashion-MNIST classes) or --own-classes');
  const photos = photoData(prepared, naming);
  const fm = await loadSplit('train', o.dataDir);
  const main = repeatPhotos(photos, o.photoRepeat);
  const ratio = o.mix ?? fm.labels.length / main.labels.length;
  return {
    classNames: photos.classNames,
    main: { ...main, rows: 28, cols: 28, targets: photos.targets! },
    mix: { images: fm.images, labels: fm.labels, ratio },
    test: await loadSplit('test', o.dataDir),
    dataset: await fashionMnistRef(o.dataDir),
    photoSet: photoSetOf(o.photos, prepared, photos, ratio),
    photos,
    naming,
  };
}

