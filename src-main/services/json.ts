// Reading JSON files the app did not necessarily write (model.json, meta.json, run records,
// active.json): any failure is a 'corrupt' TailorError that names the file.
import { TailorError } from './errors';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a JSON file that must hold an object; `what` names the file in the message. */
export function parseJsonObject(bytes: Uint8Array | string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    const text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch (err) {
    throw new TailorError('corrupt', `${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(value)) throw new TailorError('corrupt', `${what} does not hold a JSON object`);
  return value;
}
