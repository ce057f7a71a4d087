// A prepared photo folder (scripts/lib/photo-set.ts) as training data: its 28×28s and labels,
// either the folders as classes of their own, or the folders mapped onto a model's classes
// through classes.json (labels = folders, each allowing the classes its strict or lenient list
// names: src-shared/targets.ts).
import type { ClassMap } from '../../src-shared/photo-folder';
import { mappedTargets, type Targets } from '../../src-shared/targets';
import type { PreparedFolder } from './photo-set';

export interface PhotoData {
  images: Uint8Array;
  labels: Uint8Array;
  /** The model's classes. */
  classNames: string[];
  /** Set when the folders are mapped onto classNames. */
  targets?: Targets;
  /** Label → folder name. */
  labelNames: string[];
  /** Photos the pipeline refused (not in images). */
  refused: number;
}

export type Naming = { kind: 'own' } | { kind: 'mapped'; map: ClassMap; classNames: readonly string[]; lenient?: boolean };

/** The folders, sorted by name (own classes), or those of the map in its order (mapped). */
function folderNames(prepared: PreparedFolder, naming: Naming): string[] {
  const present = new Set(prepared.samples.map((s) => s.folder));
  if (naming.kind === 'own') return [...present].sort();
  return Object.keys(naming.map.strict).filter((f) => present.has(f));
}

/**
 * The photos as images and labels. `labelNames` fixes the label order (pass the training set's to
 * a validation set so they agree); photos in folders outside it are left out.
 */
export function photoData(prepared: PreparedFolder, naming: Naming, labelNames = folderNames(prepared, naming)): PhotoData {
  const usable = prepared.samples.filter((s) => s.pixels && labelNames.includes(s.folder));
  const images = new Uint8Array(usable.length * 784);
  const labels = new Uint8Array(usable.length);
  usable.forEach((s, i) => {
    images.set(s.pixels!, i * 784);
    labels[i] = labelNames.indexOf(s.folder);
  });
  const refused = prepared.samples.filter((s) => !s.pixels).length;
  if (naming.kind === 'own') return { images, labels, classNames: labelNames, labelNames, refused };
  const classesOf = (name: string): string[] => [...new Set([...(naming.map.strict[name] ?? []), ...(naming.lenient ? (naming.map.lenient?.[name] ?? []) : [])])];
  const targets = mappedTargets(labelNames.map((name) => ({ name, classes: classesOf(name) })), naming.classNames);
  return { images, labels, classNames: [...naming.classNames], targets, labelNames, refused };
}

/**
 * The photos' images and labels `times` times over, so a few thousand photos weigh more beside
 * 60,000 Fashion-MNIST images in joint training (each copy is augmented anew by the trainer).
 * Labels index `targets` per folder, so the targets hold for every copy.
 */
export function repeatPhotos(photos: Pick<PhotoData, 'images' | 'labels'>, times: number): { images: Uint8Array; labels: Uint8Array } {
  if (!Number.isInteger(times) || times < 1) throw new RangeError(`photos repeat a whole number of times (≥ 1), got ${times}`);
  const images = new Uint8Array(photos.images.length * times);
  const labels = new Uint8Array(photos.labels.length * times);
  for (let t = 0; t < times; t++) {
    images.set(photos.images, t * photos.images.length);
    labels.set(photos.labels, t * photos.labels.length);
  }
  return { images, labels };
}
