// datasets:import — files the user picked or dropped, as bytes.
import { z } from 'zod';
import { PAYLOAD_LIMITS } from '../limits';
import { fileSchema, idSchema, nameSchema } from './common';
import { classNamesSchema } from './model';

export const datasetImportSchema = z.strictObject({
  /** Target dataset id: 'fashion-mnist' to supply missing files, or a new slug. */
  id: idSchema,
  name: nameSchema.optional(),
  classNames: classNamesSchema.optional(),
  /** Files as bytes; the part each one is is detected from its header and name. */
  files: z.array(fileSchema(PAYLOAD_LIMITS.datasetFile)).min(1).max(PAYLOAD_LIMITS.datasetFiles),
});
