// Argument schemas for every channel: main trusts nothing the renderer sends. The table is checked
// against the contract both ways (below), so a schema that drifts from its channel's type is a
// type error, not a cast that hides it.
import { z } from 'zod';
import type { Channel, Req } from '../contract';
import { MODEL_LIMITS, PAYLOAD_LIMITS } from '../limits';
import { fileSchema, idSchema, nameSchema } from './common';
import { datasetImportSchema } from './dataset';
import { photoAddSchema, photoRemoveSchema } from './photo-dataset';
import { modelMetaPatchSchema, modelSaveSchema } from './model';
import { runRecordSchema } from './run';

const none = z.tuple([]);
const byId = z.tuple([idSchema]);

export const channelSchemas = {
  'app:info': none,
  'datasets:list': none,
  'datasets:status': byId,
  'datasets:load': byId,
  'datasets:download': byId,
  'datasets:cancelDownload': byId,
  'datasets:import': z.tuple([datasetImportSchema]),
  'photos:known': byId,
  'photos:get': byId,
  'photos:add': z.tuple([photoAddSchema]),
  'photos:remove': photoRemoveSchema,
  'models:list': none,
  'models:save': z.tuple([modelSaveSchema]),
  'models:load': byId,
  'models:rename': z.tuple([idSchema, nameSchema]),
  'models:delete': byId,
  'models:updateMeta': z.tuple([idSchema, modelMetaPatchSchema]),
  'models:export': byId,
  'models:import': z.tuple([z.array(fileSchema(MODEL_LIMITS.weightBytes)).min(1).max(PAYLOAD_LIMITS.modelFiles)]),
  'models:getActive': none,
  'models:setActive': byId,
  'runs:list': none,
  'runs:save': z.tuple([runRecordSchema]),
  'runs:get': byId,
  'runs:delete': byId,
} satisfies { [C in Channel]: z.ZodType<Req<C>> };

// `satisfies` proves each schema's output fits its channel; this proves the converse, so a field
// the contract has and the schema lacks (or accepts more loosely) fails to compile too.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mismatched = { [C in Channel]: Same<z.output<(typeof channelSchemas)[C]>, Req<C>> extends true ? never : C }[Channel];
const _exact: [Mismatched] extends [never] ? true : Mismatched = true;
void _exact;
