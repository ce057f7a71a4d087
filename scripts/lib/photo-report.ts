// A trained model scored on a folder of photos it did not learn from (validation/), prepared by the
// app's pipeline (photo-set.ts, cached): top-1 and top-3 against the strict lists, top-1 against the
// lenient ones (mapped folders), and top-1 per folder. Used by `npm run train -- --val-photos DIR`
// and scripts/measure-own-photos.ts.
import type * as tf from '@tensorflow/tfjs';
import { allowedOf } from '../../src-shared/targets';
import { photoData, type Naming } from './photo-dataset';
import { preparePhotoFolder } from './photo-set';
import { predictImages, scoreLabels } from './photo-score';

export interface PhotoReport {
  /** Photos scored (a refused photo counts as wrong: it is in `n`, never right). */
  n: number;
  refused: number;
  top1: number;
  top3: number;
  /** Top-1 against the lenient lists (mapped folders only; equals top1 for own classes). */
  top1Lenient: number;
  /** Top-1 with each prediction averaged with that of the mirrored picture. */
  top1Flip: number;
  /** Folder → [right at top-1, total]. */
  perFolder: [string, [number, number]][];
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/**
 * Scores `model` on the photos in `dir` named as the training set was: `naming` and the training
 * set's `labelNames` (folders the model never saw as a label are left out).
 */
export async function scorePhotos(model: tf.LayersModel, dir: string, naming: Naming, labelNames: string[]): Promise<PhotoReport> {
  const prepared = await preparePhotoFolder(dir);
  const strictNaming: Naming = naming.kind === 'mapped' ? { ...naming, lenient: false } : naming;
  const strict = photoData(prepared, strictNaming, labelNames);
  const refused = prepared.samples.filter((s) => !s.pixels && labelNames.includes(s.folder)).length;
  const classes = strict.classNames.length;
  const allowed = allowedOf(classes, strict.targets);
  const probs = await predictImages(model, strict.images);
  const s = scoreLabels(probs, strict.labels, allowed, classes);
  const flip = scoreLabels(await predictImages(model, strict.images, { flip: true }), strict.labels, allowed, classes);
  let lenientRight = s.top1 * s.n;
  if (naming.kind === 'mapped') {
    const lenient = photoData(prepared, { ...naming, lenient: true }, labelNames);
    lenientRight = scoreLabels(probs, lenient.labels, lenient.targets!.allowed, classes).top1 * s.n;
  }
  // Refused photos are wrong: every share is over all the photos of the scored folders.
  const n = s.n + refused;
  const share = (right: number): number => (n ? right / n : 0);
  const refusedPer = (name: string): number => prepared.samples.filter((p) => !p.pixels && p.folder === name).length;
  return {
    n,
    refused,
    top1: share(s.top1 * s.n),
    top3: share(s.top3 * s.n),
    top1Lenient: share(lenientRight),
    top1Flip: share(flip.top1 * flip.n),
    perFolder: labelNames.map((name, l) => [name, [s.perLabel[l]![0], s.perLabel[l]![1] + refusedPer(name)]]),
  };
}

export function printPhotoReport(dir: string, r: PhotoReport): void {
  console.log(
    `${dir}: ${r.n} photos (${r.refused} refused): top-1 strict ${pct(r.top1)}, top-1 lenient ${pct(r.top1Lenient)}, ` +
      `top-3 strict ${pct(r.top3)} (top-1 flip-averaged ${pct(r.top1Flip)})`,
  );
  console.log(`  per folder (top-1 strict): ${r.perFolder.map(([name, [right, total]]) => `${name} ${pct(total ? right / total : 0)} (${right}/${total})`).join(', ')}`);
}
