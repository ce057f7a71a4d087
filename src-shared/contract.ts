// The one IPC contract. Main registers a handler per channel from it, the preload exposes exactly
// it, and the renderer's `window.tailor` type is derived from it — there is no second copy. Request
// payload types are inferred from the zod schemas main validates with (schemas/), and
// schemas/channels.ts proves its table matches this interface.
// Channel names are "group:operation"; the preload turns them into tailor.group.operation().
import type { AppInfo } from './types/app';
import type {
  DatasetId,
  DatasetImport,
  DatasetPayload,
  DatasetStatus,
  DownloadProgress,
} from './types/dataset';
import type { PhotoAdd, PhotoDatasetView } from './types/photo-dataset';
import type { ModelArtifacts, ModelMetaPatch, ModelSave, ModelSummary } from './types/model';
import type { RunRecord, RunSummary } from './types/run';

/** Every failure crosses IPC as a value the UI can show, never as a thrown exception. */
export type ErrorCode =
  | 'invalid-argument'
  | 'not-found'
  | 'corrupt'
  | 'io'
  | 'network'
  | 'cancelled'
  | 'conflict'
  | 'forbidden'
  | 'internal';

export interface AppError {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** channel → [request arguments, response value]. */
export interface Channels {
  'app:info': { req: []; res: AppInfo };

  'datasets:list': { req: []; res: DatasetStatus[] };
  'datasets:status': { req: [id: DatasetId]; res: DatasetStatus };
  /** Verified pixels and labels as binary (Uint8Array), ready to upload to the GPU. */
  'datasets:load': { req: [id: DatasetId]; res: DatasetPayload };
  'datasets:download': { req: [id: DatasetId]; res: DatasetStatus };
  'datasets:cancelDownload': { req: [id: DatasetId]; res: boolean };
  /** Files the user picked or dropped, as bytes (the renderer never sends paths). */
  'datasets:import': { req: [request: DatasetImport]; res: DatasetStatus };

  /** Content hashes of every file a photo dataset has, so an import sends only new files ([] for a new id). */
  'photos:known': { req: [id: DatasetId]; res: string[] };
  /** A photo dataset's records, thumbnails and 28×28 pictures, for the Data view. */
  'photos:get': { req: [id: DatasetId]; res: PhotoDatasetView };
  /** Photos prepared in the renderer (or why each could not be used), committed as one new version. */
  'photos:add': { req: [request: PhotoAdd]; res: DatasetStatus };
  /** Removes files by content hash; null when that removed the dataset's last training photo (and the dataset). */
  'photos:remove': { req: [id: DatasetId, hashes: string[]]; res: DatasetStatus | null };

  'models:list': { req: []; res: ModelSummary[] };
  'models:save': { req: [model: ModelSave]; res: ModelSummary };
  'models:load': { req: [id: string]; res: ModelArtifacts };
  'models:rename': { req: [id: string, name: string]; res: ModelSummary };
  'models:delete': { req: [id: string]; res: boolean };
  /** Test metrics (with the dataset they were measured on: refused unless the model's own) or pixel scale. */
  'models:updateMeta': { req: [id: string, patch: ModelMetaPatch]; res: ModelSummary };
  /** Main asks the user for a folder and writes model.json + weights.bin there. */
  'models:export': { req: [id: string]; res: { folder: string } | null };
  /** model.json and weights files the user picked or dropped, as bytes. */
  'models:import': { req: [files: { name: string; bytes: Uint8Array }[]]; res: ModelSummary };
  'models:getActive': { req: []; res: string | null };
  'models:setActive': { req: [id: string]; res: string };

  'runs:list': { req: []; res: RunSummary[] };
  'runs:save': { req: [run: RunRecord]; res: RunSummary };
  'runs:get': { req: [id: string]; res: RunRecord };
  'runs:delete': { req: [id: string]; res: boolean };
}

/** main → renderer notifications. */
export interface Events {
  'datasets:progress': DownloadProgress;
}

export type Channel = keyof Channels;
export type EventName = keyof Events;
export type Req<C extends Channel> = Channels[C]['req'];
export type Res<C extends Channel> = Channels[C]['res'];

/** The runtime list of channels; `satisfies` keeps it in step with the interface above. */
export const CHANNELS = [
  'app:info',
  'datasets:list',
  'datasets:status',
  'datasets:load',
  'datasets:download',
  'datasets:cancelDownload',
  'datasets:import',
  'photos:known',
  'photos:get',
  'photos:add',
  'photos:remove',
  'models:list',
  'models:save',
  'models:load',
  'models:rename',
  'models:delete',
  'models:updateMeta',
  'models:export',
  'models:import',
  'models:getActive',
  'models:setActive',
  'runs:list',
  'runs:save',
  'runs:get',
  'runs:delete',
] as const satisfies readonly Channel[];

export const EVENTS = ['datasets:progress'] as const satisfies readonly EventName[];

// Compile-time proof that CHANNELS lists every channel (and EVENTS every event).
type Missing<All, Listed> = Exclude<All, Listed>;
const _allChannels: Missing<Channel, (typeof CHANNELS)[number]> extends never ? true : never = true;
const _allEvents: Missing<EventName, (typeof EVENTS)[number]> extends never ? true : never = true;
void _allChannels;
void _allEvents;

export type Group<C extends string> = C extends `${infer G}:${string}` ? G : never;
export type Op<C extends string, G extends string> = C extends `${G}:${infer O}` ? O : never;
type ApiFn<C> = C extends Channel ? (...args: Req<C>) => Promise<Result<Res<C>>> : never;

/** The API the preload exposes: tailor.datasets.load(id) → Promise<Result<DatasetPayload>>. */
export type TailorApi = {
  [G in Group<Channel>]: {
    [O in Op<Channel, G>]: ApiFn<`${G}:${O}`>;
  };
} & {
  /** Subscribe to a main-process event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};

export function splitChannel(channel: Channel): [group: string, op: string] {
  const i = channel.indexOf(':');
  return [channel.slice(0, i), channel.slice(i + 1)];
}

/** Builds the nested API object from one `invoke` function — used by the preload and the web bridge. */
export function buildApi(
  invoke: (channel: Channel, args: unknown[]) => Promise<Result<unknown>>,
  on: (event: EventName, listener: (payload: unknown) => void) => () => void,
): TailorApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const channel of CHANNELS) {
    const [group, op] = splitChannel(channel);
    api[group] ??= {};
    api[group][op] = (...args: unknown[]) => invoke(channel, args);
  }
  return Object.assign(api, { on }) as unknown as TailorApi;
}
