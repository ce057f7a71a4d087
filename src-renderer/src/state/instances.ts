// The app's state objects, wired once: each class takes what it depends on in its constructor (the
// API to main, the ML worker, each other), so tests build their own with stand-ins instead.
import { tailor } from '../lib/api';
import { startMlWorker } from '../worker/ml-client';
import { ClassifyState } from './classify.svelte';
import { DatasetState } from './dataset.svelte';
import { MlState } from './ml.svelte';
import { ModelsState } from './models.svelte';
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
