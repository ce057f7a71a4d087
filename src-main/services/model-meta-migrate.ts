// meta.json as earlier versions wrote it → today's form, applied whenever a meta.json is read (the
// shipped resources/model/meta.json, models saved before, Tailor exports being imported). Earlier
// versions recorded `datasetId`/`datasetChecksums` and no class names, input shape or pixel scale;
// every preset then fed pixels as pixel/255, which is what 'unit' means.
import type { DatasetRef, ModelMeta } from '../../src-shared/types/model';
import { DEFAULT_CATALOG, defaultClassNames } from './dataset-catalog';
import { isObject } from './json';
import type { TopologyIo } from './model-topology';
import type { ModelIo } from './model-validate';

/**
 * Returns a copy with the fields earlier versions did not write filled in; today's meta passes
 * unchanged. Earlier versions only accepted 28×28 models with 10 outputs, which is what a model
 * whose topology does not say is taken to be.
 */
export function migrateMeta(json: Record<string, unknown>, io: TopologyIo): Record<string, unknown> {
  const classes = io.classes ?? 10;
  const out: Record<string, unknown> = { ...json };
  if (out.dataset === undefined && typeof out.datasetId === 'string') {
    out.dataset = legacyDataset(out.datasetId, out.datasetChecksums);
    delete out.datasetId;
    delete out.datasetChecksums;
  }
  if (isObject(out.hyper) && out.hyper.pixelScale === undefined) out.hyper = { ...out.hyper, pixelScale: 'unit' };
  if (out.classNames === undefined) {
    const entry = isObject(out.dataset) ? catalogEntry(out.dataset.id) : undefined;
    out.classNames = entry && entry.classNames.length === classes ? [...entry.classNames] : defaultClassNames(classes - 1);
  }
  out.inputShape ??= io.inputShape ?? [28, 28, 1];
  return out;
}

/**
 * A catalog dataset (Fashion-MNIST) is only ever accepted when it is the published one, so its
 * checksums are the published decompressed files' — the form datasets:load reports. Older
 * records held whichever .gz was read (Debian recompresses), which would never match.
 */
function legacyDataset(id: string, checksums: unknown): DatasetRef {
  const entry = catalogEntry(id);
  if (entry) {
    return { id, name: entry.name, checksums: Object.fromEntries(Object.entries(entry.parts).map(([part, p]) => [part, p.rawMd5])) };
  }
  const recorded = isObject(checksums) ? Object.entries(checksums).filter((e): e is [string, string] => typeof e[1] === 'string') : [];
  return { id, name: id, checksums: Object.fromEntries(recorded) };
}

function catalogEntry(id: unknown) {
  return DEFAULT_CATALOG.find((e) => e.id === id);
}

/**
 * For a model imported without Tailor's meta.json: one shaped like Fashion-MNIST (28×28, 10
 * classes) is taken to be a Fashion-MNIST model; any other is of an unknown dataset ('').
 */
export function assumedDataset(io: ModelIo): Pick<ModelMeta, 'dataset' | 'classNames'> {
  const fits = DEFAULT_CATALOG.find(
    (e) => e.rows === io.inputShape[0] && e.cols === io.inputShape[1] && e.classNames.length === io.classes,
  );
  if (fits) {
    return { dataset: legacyDataset(fits.id, undefined), classNames: [...fits.classNames] };
  }
  return { dataset: { id: '', name: 'Unknown dataset', checksums: {} }, classNames: defaultClassNames(io.classes - 1) };
}
