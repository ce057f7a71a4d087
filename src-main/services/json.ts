// Reading JSON files the app did not necessarily write (model.json, meta.json, run records,
// active.json): any failure is a 'corrupt' TailorError that names the file.
import { TailorError } from './errors';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a JSON file that must hold an object; `what` names the file in the message. */
export function parseJsonObject(bytes: Uint8Array | string, what: string, maxDepth = 100): Record<string, unknown> {
  let value: unknown;
  try {
    const text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch (err) {
    throw new TailorError('corrupt', `${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(value)) throw new TailorError('corrupt', `${what} does not hold a JSON object`);
  checkJsonDepth(value, what, maxDepth);
  return value;
}

/**
 * JSON.parse accepts any depth, but whatever walks the result recursively (structured clone,
 * JSON.stringify, TensorFlow.js) overflows the stack: refuse deep nesting up front, as damage.
 */
export function checkJsonDepth(value: unknown, what: string, maxDepth = 100): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxDepth) throw new TailorError('corrupt', `${what} nests deeper than ${maxDepth} levels`);
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
}
