// datasets:import — files the user picked or dropped, as bytes.
import { z } from 'zod';
import { MODEL_LIMITS, PAYLOAD_LIMITS } from '../limits';
import { targetsProblem } from '../targets';
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

/**
 * Labels that are not class indices (a photo set's folders mapped onto a model's classes): label i
 * is `labelNames[i]` and any class index in `allowed[i]` counts as right for it. `classCount` is
 * the model's outputs; `targetsProblem` (src-shared/targets.ts) is the same check without zod.
 */
export const datasetTargetsSchema = (classCount: number) =>
  z
    .strictObject({
      labelNames: z.array(z.string().trim().min(1).max(PAYLOAD_LIMITS.name)).min(1).max(MODEL_LIMITS.classes.max * 4),
      allowed: z.array(z.array(z.number().int().min(0).max(classCount - 1)).min(1).max(classCount)).max(MODEL_LIMITS.classes.max * 4),
    })
    .superRefine((t, ctx) => {
      const problem = targetsProblem(classCount, t.labelNames, t.allowed);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
