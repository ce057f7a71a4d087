// Building blocks of the payload schemas. Strict objects reject extra fields; sizes are capped so a
// bad renderer cannot make main allocate without bound.
import { z } from 'zod';
import { PAYLOAD_LIMITS } from '../limits';

/** The one id rule (models, runs, datasets): what the renderer sends instead of a path. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const idSchema = z.string().regex(ID_PATTERN, 'must be a lowercase slug of 1–64 characters');
export const nameSchema = z.string().trim().min(1).max(PAYLOAD_LIMITS.name);
export const finite = z.number().finite();
export const intIn = (r: { min: number; max: number }) => z.number().int().min(r.min).max(r.max);
export const numIn = (r: { min: number; max: number }) => z.number().min(r.min).max(r.max);

/** Bytes as they cross IPC (structured clone keeps Uint8Array), at most `max` of them. */
export const bytesSchema = (max: number) =>
  z
    .custom<Uint8Array>((v) => v instanceof Uint8Array, 'must be bytes')
    .refine((b) => b.byteLength <= max, `must be at most ${max} bytes`);

/** A file the user picked or dropped: its name and its bytes, never its path. */
export const fileSchema = (max: number) => z.strictObject({ name: z.string().min(1).max(255), bytes: bytesSchema(max) });

/** part or file name → hex digest. */
export const checksumsSchema = z.record(z.string().max(64), z.string().max(128));
export const jsonObjectSchema = z.record(z.string(), z.unknown());

/**
 * The dataset a model (or a run) was trained on, captured when its run started. id '' = not known
 * (a foreign model). In common.ts because models and runs both record it.
 */
export const datasetRefSchema = z.strictObject({
  id: z.union([idSchema, z.literal('')]),
  name: z.string().max(PAYLOAD_LIMITS.name),
  /** part → MD5 of the decompressed IDX file, as datasets:load reports it. */
  checksums: checksumsSchema,
});
