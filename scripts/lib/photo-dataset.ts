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
