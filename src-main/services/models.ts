// The user's models: root/<id>/{model.json, weights.bin, meta.json}, plus the read-only model
// shipped in resources/ (id 'builtin'). model.json is the standard TensorFlow.js layers format, so
// an exported folder loads in any tfjs app with tf.loadLayersModel. Each model is written whole into
// a temp folder and renamed into place (writeFolderAtomic): readers see the old model or the new.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { GroupService } from '../api';
import type { ModelArtifacts, ModelMeta, ModelMetaPatch, ModelSave, ModelSummary } from '../../src-shared/types/model';
import { KeyedMutex, TEMP_PREFIX, readFolderConsistently, renameWithRetry, writeFileAtomic, writeFolderAtomic } from './atomic';
import { TailorError, fsError } from './errors';
import { checkId, isId, pathForId } from './ids';
import { checkJsonDepth, parseJsonObject } from './json';
import { StoreFolder } from './store-folder';
import { applyPatch, checkStorable, metaFromImport, unknownMeta } from './model-meta';
import { freeFolder, isDirectory, modelFiles, modelJsonName, readMeta, readPart, readRawMeta, slugify, statPart } from './model-folder';
import type { TopologyIo } from './model-topology';
import {
  MODEL_JSON_MAX_DEPTH,
  canonicalModelJson,
  checkModel,
  checkModelFiles,
  checkModelJson,
  checkWeightBytes,
  concatBytes,
  weightPaths,
} from './model-validate';
import { parseTempName } from './temp-names';

export const BUILT_IN_ID = 'builtin';
const ACTIVE_FILE = 'active.json';
const ACTIVE_LOCK = ':active'; // cannot collide with a model id

export interface ModelStoreOptions {
  /** userData/models */
  root: string;
  /** resources/model: the shipped model, read-only. Absent until one is shipped. */
  builtInDir?: string;
  /** The OS folder dialog; null when the user cancels. */
  pickFolder: () => Promise<string | null>;
}

interface Loaded {
  meta: ModelMeta;
  modelJson: Record<string, unknown>;
  /** Empty when read for listing (sizes checked by stat only). */
  weights: Uint8Array;
  weightsBytes: number;
  io: TopologyIo;
}

export class ModelStore implements GroupService<'models'> {
  private readonly root: string;
  private readonly builtInDir: string | undefined;
  private readonly pickFolder: () => Promise<string | null>;
  private readonly folder: StoreFolder;
  private readonly locks = new KeyedMutex();

  constructor(opts: ModelStoreOptions) {
    this.root = opts.root;
    this.folder = new StoreFolder(opts.root, 'the models folder');
    this.builtInDir = opts.builtInDir;
    this.pickFolder = opts.pickFolder;
  }

  async list(): Promise<ModelSummary[]> {
    await this.folder.ready();
    const entries = await fs.readdir(this.root, { withFileTypes: true }).catch((err) => {
      throw fsError(err, 'Listing models');
    });
    const ids = new Set(entries.filter((e) => e.isDirectory() && isModelId(e.name)).map((e) => e.name));
    // A model another process is replacing right now is moved aside for a moment: still listed.
    for (const e of entries) {
      const temp = parseTempName(e.name);
      if (temp?.kind === 'old' && temp.live && isModelId(temp.target)) ids.add(temp.target);
    }
    const models = await Promise.all([...ids].map((id) => this.summarise(id)));
    models.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    if (await this.hasBuiltIn()) models.unshift(await this.summarise(BUILT_IN_ID));
    return models;
  }

  /** Checks the whole model (structure, sizes, finite values, the built graph) and its description, then commits it. */
  async save(model: ModelSave): Promise<ModelSummary> {
    await this.folder.ready();
    checkJsonDepth(model.modelJson, 'model.json', MODEL_JSON_MAX_DEPTH);
    const checked = await checkModel(checkModelJson(model.modelJson, true), model.weights);
    const { id: requested, builtIn: _builtIn, ...rest } = model.meta;
    if (requested === BUILT_IN_ID) throw new TailorError('forbidden', 'The built-in model cannot be overwritten');
    const id = requested === undefined ? await this.newId(rest.name) : checkId(requested, 'model id');
    const meta: ModelMeta = { ...rest, id, createdAt: new Date().toISOString() };
    return this.locks.run(id, () => this.commit(meta, checked.modelJson, checked.weights, checked.io));
  }

  async load(id: string): Promise<ModelArtifacts> {
    await this.folder.ready();
    const { meta, modelJson, weights } = await this.read(id, true);
    return { meta, modelJson, weights };
  }

  async rename(id: string, name: string): Promise<ModelSummary> {
    const trimmed = name.trim();
    if (!trimmed) throw new TailorError('invalid-argument', 'A model needs a name');
    return this.rewriteMeta(id, 'renamed', (meta) => ({ ...meta, name: trimmed }));
  }

  /** New test metrics (only when measured on the model's own dataset) or a corrected pixel scale. */
  async updateMeta(id: string, patch: ModelMetaPatch): Promise<ModelSummary> {
    return this.rewriteMeta(id, 'changed', (meta) => applyPatch(meta, patch));
  }

  async delete(id: string): Promise<boolean> {
    await this.folder.ready();
    const dir = this.userDir(id, 'deleted');
    const deleted = await this.locks.run(id, async () => {
      // Renaming first makes the model vanish at once; a crash before the rm leaves only temp garbage.
      const trash = join(this.root, `${TEMP_PREFIX}${id}.deleted-${randomBytes(6).toString('hex')}`);
      try {
        await renameWithRetry(dir, trash);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw fsError(err, `Deleting model "${id}"`);
      }
      await fs.rm(trash, { recursive: true, force: true }).catch(() => undefined); // swept at next start
      return true;
    });
    if (deleted) {
      await this.locks.run(ACTIVE_LOCK, async () => {
        if ((await this.readActiveId()) === id) await fs.rm(join(this.root, ACTIVE_FILE), { force: true });
      });
    }
    return deleted;
  }

  async export(id: string): Promise<{ folder: string } | null> {
    await this.folder.ready();
    const model = await this.read(id, true); // fail on a damaged model before showing a dialog
    const parent = await this.pickFolder();
    if (parent === null) return null;
    // A new sub folder, never the chosen folder itself: the export must not replace the user's files.
    const folder = await freeFolder(parent, slugify(model.meta.name));
    const { builtIn: _builtIn, ...meta } = model.meta;
    try {
      await writeFolderAtomic(folder, modelFiles(model.modelJson, model.weights, meta));
    } catch (err) {
      throw fsError(err, `Exporting model "${model.meta.name}"`);
    }
    return { folder };
  }

  async import(files: { name: string; bytes: Uint8Array }[]): Promise<ModelSummary> {
    await this.folder.ready();
    const byName = new Map<string, Uint8Array>();
    for (const f of files) {
      if (byName.has(f.name)) throw new TailorError('invalid-argument', `Two of the chosen files are named "${f.name}"`);
      byName.set(f.name, f.bytes);
    }
    const jsonName = modelJsonName([...byName.keys()]);
    const { modelJson, weights, specs, io } = await checkModelFiles(byName.get(jsonName) ?? new Uint8Array(), byName);
    const described = metaFromImport(byName.get('meta.json'), specs, io);
    const id = await this.newId(described.name);
    const meta: ModelMeta = { ...described, id, createdAt: new Date().toISOString() };
    return this.locks.run(id, () => this.commit(meta, modelJson, weights, io));
  }

  async getActive(): Promise<string | null> {
    await this.folder.ready();
    const id = await this.readActiveId();
    if (id !== null && (await this.exists(id))) return id;
    return (await this.hasBuiltIn()) ? BUILT_IN_ID : null;
  }

  async setActive(id: string): Promise<string> {
    await this.folder.ready();
    checkId(id, 'model id');
    if (!(await this.exists(id))) throw new TailorError('not-found', `There is no model "${id}"`);
    await this.locks.run(ACTIVE_LOCK, () =>
      writeFileAtomic(join(this.root, ACTIVE_FILE), JSON.stringify({ id })).catch((err) => {
        throw fsError(err, 'Choosing the active model');
      }),
    );
    return id;
  }

  private async commit(meta: ModelMeta, modelJson: Record<string, unknown>, weights: Uint8Array, io: TopologyIo): Promise<ModelSummary> {
    checkStorable(meta, io);
    try {
      await writeFolderAtomic(pathForId(this.root, meta.id, 'model id'), modelFiles(modelJson, weights, meta));
    } catch (err) {
      throw fsError(err, `Saving model "${meta.name}"`);
    }
    return { ...meta, weightsBytes: weights.byteLength };
  }

  private async rewriteMeta(id: string, verb: string, change: (meta: ModelMeta) => ModelMeta): Promise<ModelSummary> {
    await this.folder.ready();
    this.userDir(id, verb);
    return this.locks.run(id, async () => {
      const model = await this.read(id, true);
      return this.commit(change(model.meta), model.modelJson, model.weights, model.io);
    });
  }

  /** A user model's folder; the built-in one is refused (it lives in read-only resources). */
  private userDir(id: string, verb: string): string {
    if (checkId(id, 'model id') === BUILT_IN_ID) throw new TailorError('forbidden', `The built-in model cannot be ${verb}`);
    return pathForId(this.root, id, 'model id');
  }

  private dirOf(id: string): { dir: string; builtIn: boolean } {
    if (checkId(id, 'model id') === BUILT_IN_ID && this.builtInDir) return { dir: this.builtInDir, builtIn: true };
    return { dir: pathForId(this.root, id, 'model id'), builtIn: false };
  }

  /** Reads a model whole from one version of its folder, even while another process commits a new one. */
  private async read(id: string, withWeights: boolean): Promise<Loaded> {
    const { dir, builtIn } = this.dirOf(id);
    return readFolderConsistently(dir, async () => {
      if (!(await isDirectory(dir))) throw new TailorError('not-found', `There is no model "${id}"`);
      return this.inspect(dir, id, builtIn, withWeights);
    });
  }

  /** Reads and checks a model folder; without weights, their sizes are checked by stat (for list). */
  private async inspect(dir: string, id: string, builtIn: boolean, withWeights: boolean): Promise<Loaded> {
    try {
      const checked = checkModelJson(parseJsonObject(await readPart(dir, 'model.json'), 'model.json', MODEL_JSON_MAX_DEPTH));
      const paths = weightPaths(checked.groups);
      let weights: Uint8Array = new Uint8Array();
      let weightsBytes = 0;
      if (withWeights) {
        weights = concatBytes(await Promise.all(paths.map((p) => readPart(dir, p))));
        weightsBytes = weights.byteLength;
      } else {
        for (const p of paths) weightsBytes += (await statPart(dir, p)).size;
      }
      checkWeightBytes(weightsBytes, checked.declaredBytes);
      const meta = await readMeta(dir, id, builtIn, checked.io);
      return { meta, modelJson: canonicalModelJson(checked), weights, weightsBytes, io: checked.io };
    } catch (err) {
      if (err instanceof TailorError && err.code === 'corrupt') {
        throw new TailorError('corrupt', `Model "${id}" is damaged: ${err.message}`, { cause: err });
      }
      if (err instanceof TailorError && err.code === 'invalid-argument') {
        throw new TailorError('invalid-argument', `Model "${id}" cannot be used: ${err.message}`, { cause: err });
      }
      throw fsError(err, `Reading model "${id}"`);
    }
  }

  /** A damaged model is still listed, so the user sees it and can delete it. */
  private async summarise(id: string): Promise<ModelSummary> {
    const { dir, builtIn } = this.dirOf(id);
    try {
      const model = await readFolderConsistently(dir, () => this.inspect(dir, id, builtIn, false));
      return { ...model.meta, weightsBytes: model.weightsBytes };
    } catch (err) {
      const problem = err instanceof TailorError ? err.message : String(err);
      const meta = await readRawMeta(dir).catch(() => null);
      const createdAt = meta?.createdAt ?? (await fs.stat(dir).then((s) => s.mtime.toISOString(), () => ''));
      return { ...unknownMeta(id, builtIn), ...meta, createdAt, weightsBytes: 0, problem };
    }
  }

  private async newId(name: string): Promise<string> {
    for (;;) {
      const id = `${slugify(name)}-${randomBytes(3).toString('hex')}`;
      if (!(await isDirectory(pathForId(this.root, id, 'model id')))) return id;
    }
  }

  private async exists(id: string): Promise<boolean> {
    if (id === BUILT_IN_ID) return this.hasBuiltIn();
    const dir = pathForId(this.root, id, 'model id');
    return readFolderConsistently(dir, () => isDirectory(dir));
  }

  private async hasBuiltIn(): Promise<boolean> {
    if (!this.builtInDir) return false;
    return fs.stat(join(this.builtInDir, 'model.json')).then((s) => s.isFile(), () => false);
  }

  private async readActiveId(): Promise<string | null> {
    try {
      const { id } = parseJsonObject(await fs.readFile(join(this.root, ACTIVE_FILE)), ACTIVE_FILE);
      return typeof id === 'string' && isModelId(id) ? id : null;
    } catch {
      return null; // no choice made yet, or an unreadable one: fall back to the default
    }
  }
}

/** A user model's id (the built-in one lives in resources, never in the store's folder). */
function isModelId(name: string): boolean {
  return isId(name) && name !== BUILT_IN_ID;
}
