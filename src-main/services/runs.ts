// Training runs: one JSON file per run, root/<id>.json, each written atomically. A damaged file
// never breaks the list: it is left out there and reported as 'corrupt' when asked for by id.
import { promises as fs } from 'node:fs';
import type { GroupService } from '../api';
import type { RunRecord, RunSummary } from '../../src-shared/types/run';
import { runRecordSchema } from '../../src-shared/schemas/run';
import { KeyedMutex, TEMP_PREFIX, writeFileAtomic } from './atomic';
import { TailorError, fsError } from './errors';
import { pathForId } from './ids';
import { isObject, parseJsonObject } from './json';
import { StoreFolder } from './store-folder';

export interface RunStoreOptions {
  /** userData/runs */
  root: string;
}

export function summariseRun(run: RunRecord): RunSummary {
  const { layers: _layers, history, ...rest } = run;
  const valAccs = history.map((e) => e.valAcc).filter((a): a is number => a !== null);
  return { ...rest, epochs: history.length, bestValAcc: valAccs.length ? Math.max(...valAccs) : null };
}

export class RunStore implements GroupService<'runs'> {
  private readonly root: string;
  private readonly folder: StoreFolder;
  private readonly locks = new KeyedMutex();

  constructor(opts: RunStoreOptions) {
    this.root = opts.root;
    this.folder = new StoreFolder(opts.root, 'the runs folder');
  }

  /** Newest first; damaged files are skipped. */
  async list(): Promise<RunSummary[]> {
    await this.folder.ready();
    const names = await fs.readdir(this.root).catch((err) => {
      throw fsError(err, 'Listing runs');
    });
    const ids = names.filter((n) => n.endsWith('.json') && !n.startsWith(TEMP_PREFIX)).map((n) => n.slice(0, -5));
    const runs = await Promise.all(ids.map((id) => this.get(id).then(summariseRun, () => null)));
    return runs.filter((r) => r !== null).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async save(run: RunRecord): Promise<RunSummary> {
    await this.folder.ready();
    const file = this.fileFor(run.id);
    const parsed = runRecordSchema.safeParse(run);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TailorError('invalid-argument', `Run record: ${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'rejected'}`);
    }
    await this.locks.run(run.id, () =>
      writeFileAtomic(file, JSON.stringify(parsed.data)).catch((err) => {
        throw fsError(err, `Saving run "${run.name}"`);
      }),
    );
    return summariseRun(parsed.data);
  }

  async get(id: string): Promise<RunRecord> {
    await this.folder.ready();
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(this.fileFor(id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TailorError('not-found', `There is no run "${id}"`);
      throw fsError(err, `Reading run "${id}"`);
    }
    const parsed = runRecordSchema.safeParse(migrateRun(parseJsonOrCorrupt(bytes, id)));
    if (!parsed.success || parsed.data.id !== id) {
      throw new TailorError('corrupt', `Run "${id}" is damaged: its file is not a run record`);
    }
    return parsed.data;
  }

  async delete(id: string): Promise<boolean> {
    await this.folder.ready();
    const file = this.fileFor(id);
    return this.locks.run(id, async () => {
      try {
        await fs.unlink(file);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw fsError(err, `Deleting run "${id}"`);
      }
    });
  }

  private fileFor(id: string): string {
    return `${pathForId(this.root, id, 'run id')}.json`;
  }
}

/** Runs recorded before pixel scales existed all fed pixel/255 ('unit'). */
function migrateRun(json: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(json.hyper) || json.hyper.pixelScale !== undefined) return json;
  return { ...json, hyper: { ...json.hyper, pixelScale: 'unit' } };
}

function parseJsonOrCorrupt(bytes: Uint8Array, id: string): Record<string, unknown> {
  try {
    return parseJsonObject(bytes, 'its file');
  } catch (err) {
    throw new TailorError('corrupt', `Run "${id}" is damaged: ${(err as Error).message}`, { cause: err });
  }
}
