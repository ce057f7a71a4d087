// Builds every main-process service from a data folder. The Electron app and the e2e server both
// call this, so the renderer under test talks to exactly the services that ship.
import { join } from 'node:path';
import type { Emit, Services } from '../api';
import type { AppInfo } from '../../src-shared/types/app';
import { AppInfoService } from './app-info';
import { DatasetStore, defaultSystemDirs } from './datasets';
import { ModelStore } from './models';
import { PhotoDatasetStore } from './photo-datasets';
import { RunStore } from './runs';

export interface ServiceOptions {
  /** Writable per-user folder (Electron's userData). */
  dataDir: string;
  /** Read-only resources (the shipped model lives in resources/model). */
  resourcesDir: string;
  emit: Emit;
  /** Asks the user for a folder (export); null when cancelled. */
  pickFolder: () => Promise<string | null>;
  info: Omit<AppInfo, 'platform' | 'dataDir'>;
  systemDatasetDirs?: string[];
  /** Dataset download base URL (tests point it at a local server). */
  datasetBaseUrl?: string;
}

export function createServices(opts: ServiceOptions): Services {
  const datasetRoot = join(opts.dataDir, 'datasets');
  const datasets = new DatasetStore({
    root: datasetRoot,
    systemDirs: opts.systemDatasetDirs ?? defaultSystemDirs(),
    emit: opts.emit,
    ...(opts.datasetBaseUrl ? { baseUrl: opts.datasetBaseUrl } : {}),
  });
  return {
    app: new AppInfoService({ ...opts.info, dataDir: opts.dataDir }),
    datasets,
    photos: new PhotoDatasetStore({ root: datasetRoot, exclusive: (id, fn) => datasets.exclusive(id, fn), status: (id) => datasets.status(id) }),
    models: new ModelStore({
      root: join(opts.dataDir, 'models'),
      builtInDir: join(opts.resourcesDir, 'model'),
      pickFolder: opts.pickFolder,
    }),
    runs: new RunStore({ root: join(opts.dataDir, 'runs') }),
  };
}
