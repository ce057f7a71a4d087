// photos:add — a batch of photos the renderer prepared (the 28×28 each became, a thumbnail), or
// the reason each could not be used, with the dataset's class naming. Sizes are capped.
import { z } from 'zod';
import { MODEL_LIMITS, PAYLOAD_LIMITS, PHOTO_LIMITS } from '../limits';
import { bytesSchema, idSchema, nameSchema } from './common';
import { classNamesSchema } from './model';

const PIXELS = PHOTO_LIMITS.side * PHOTO_LIMITS.side;
export const hashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');
const labelSchema = z.string().trim().min(1).max(PAYLOAD_LIMITS.name);

export const photoItemSchema = z
  .strictObject({
    path: z.string().min(1).max(PHOTO_LIMITS.path).refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a relative path'),
    hash: hashSchema,
    split: z.enum(['train', 'validation', 'test']),
    /** A label name of the dataset (a class, or a folder when folders are mapped). */
    label: labelSchema,
    /** The 28×28 it became, 0 = background; absent when it could not be used. */
    image: bytesSchema(PIXELS).refine((b) => b.byteLength === PIXELS, `must be ${PIXELS} bytes`).optional(),
    thumb: bytesSchema(PHOTO_LIMITS.thumbBytes).optional(),
    /** Why it could not be used. */
    reason: z.string().min(1).max(PHOTO_LIMITS.reason).optional(),
  })
  .refine((i) => (i.image === undefined) !== (i.reason === undefined), 'an item has either its picture or the reason it has none');

export const photoAddSchema = z
  .strictObject({
    id: idSchema,
    name: nameSchema.optional(),
    /** The model's outputs. A dataset's classes may grow (own classes, appended), never change. */
    classNames: classNamesSchema,
    /** Folders mapped onto classNames: label names and, per label, the classes that count as right. */
    labelNames: z.array(labelSchema).min(1).max(PHOTO_LIMITS.labels).optional(),
    allowed: z.array(z.array(z.number().int().min(0).max(MODEL_LIMITS.classes.max - 1)).min(1).max(MODEL_LIMITS.classes.max)).max(PHOTO_LIMITS.labels).optional(),
    /** A record whose hash is already there is replaced (a correction changed its mind); else such items are skipped. */
    replace: z.boolean().optional(),
    items: z.array(photoItemSchema).max(PHOTO_LIMITS.items),
    /** Files of the folder that were not photos to prepare (not an image, a duplicate, a folder left out), with why. */
    skipped: z
      .array(z.strictObject({ path: z.string().min(1).max(PHOTO_LIMITS.path), reason: z.string().min(1).max(PHOTO_LIMITS.reason) }))
      .max(PHOTO_LIMITS.items)
      .optional(),
  })
  .refine((r) => (r.labelNames === undefined) === (r.allowed === undefined), 'labelNames and allowed come together');

export const photoRemoveSchema = z.tuple([idSchema, z.array(hashSchema).min(1).max(PHOTO_LIMITS.items)]);
