// The app's state objects, wired once: each class takes what it depends on in its constructor (the
// API to main, the ML worker, each other), so tests build their own with stand-ins instead.
import { tailor } from '../api/tailor';
import { startMlWorker } from '../worker/ml-client';
import { startPreparePool } from '../worker/prepare-client';
import { thumbnailOf } from '../browser/thumbnail';
import { ClassifyState } from './classify.svelte';
import { CorrectionsState } from './corrections.svelte';
import { DatasetState } from './dataset.svelte';
import { MlState } from './ml.svelte';
import { ModelsState } from './models.svelte';
import { PhotoDataState } from './photo-data.svelte';
import { PhotoImportState, sha256 } from './photo-import.svelte';
import { TrainState } from './train.svelte';

function localPrefs(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null; // storage disabled: choices last for the session
  }
}

export const dataset = new DatasetState(tailor);
export const ml = new MlState({ start: startMlWorker, dataset, prefs: localPrefs() });
export const models = new ModelsState({ api: tailor, ml });
export const train = new TrainState({ ml, models, dataset });
export const classify = new ClassifyState();
/** Two prepare workers: both cores cut photos while the page stays free. */
export const photoImport = new PhotoImportState({ api: tailor, startPool: () => startPreparePool(2), hash: sha256 });
export const photoData = new PhotoDataState({ api: tailor, changed: (id, status) => dataset.changed(id, status) });
export const corrections = new CorrectionsState({ api: tailor, hash: sha256, thumbnail: thumbnailOf, models, dataset, train });
