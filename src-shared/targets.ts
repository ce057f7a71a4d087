/**
 * Labels that are not class indices. A model has `classCount` outputs (its classNames); a dataset
 * may label its images with names of its own (a photo set's folders) and say, per label, which
 * classes count as right: `allowed[label]` (shoes → Sandal, Sneaker, Ankle boot). Pure, so main
 * (import), the renderer and the worker (training, evaluation) apply the same rule.
 */

export interface Targets {
  labelNames: string[];
  allowed: number[][];
}

/** Why `labelNames`/`allowed` cannot label a dataset of a `classCount`-output model; null when they can (or both are absent). */
export function targetsProblem(classCount: number, labelNames?: readonly string[], allowed?: readonly (readonly number[])[]): string | null {
  if (labelNames === undefined && allowed === undefined) return null;
  if (!labelNames || !allowed) return 'labelNames and allowed come together: one is missing';
  if (labelNames.length === 0) return 'labelNames is empty';
  if (labelNames.length > 255) return `${labelNames.length} label names: labels are bytes, so at most 255`;
  if (allowed.length !== labelNames.length) return `${labelNames.length} label names but ${allowed.length} allowed lists`;
  if (new Set(labelNames).size !== labelNames.length) return 'labelNames has a name twice';
  for (const [i, classes] of allowed.entries()) {
    if (classes.length === 0) return `"${labelNames[i]}" allows no class`;
    for (const c of classes) {
      if (!Number.isInteger(c) || c < 0 || c >= classCount) return `"${labelNames[i]}" allows class ${c}, which is not one of the ${classCount}`;
    }
    if (new Set(classes).size !== classes.length) return `"${labelNames[i]}" lists a class twice`;
  }
  return null;
}

/** The allowed lists of each label: `allowed` when given, else label i allows class i only. */
export function allowedOf(classCount: number, targets?: Partial<Targets>): number[][] {
  return targets?.allowed ? targets.allowed.map((a) => [...a]) : Array.from({ length: classCount }, (_, c) => [c]);
}

/**
 * Folders mapped onto a model's classes (a photo set's classes.json, strict or lenient lists):
 * one label per folder, in the order given, allowing the classes its list names. Throws when a
 * list names a class the model does not have.
 */
export function mappedTargets(folders: readonly { name: string; classes: readonly string[] }[], classNames: readonly string[]): Targets {
  const labelNames = folders.map((f) => f.name);
  const allowed = folders.map((f) =>
    f.classes.map((name) => {
      const c = classNames.indexOf(name);
      if (c < 0) throw new Error(`"${f.name}" is mapped to "${name}", which is not one of the model's classes (${classNames.join(', ')})`);
      return c;
    }),
  );
  const problem = targetsProblem(classNames.length, labelNames, allowed);
  if (problem) throw new Error(problem);
  return { labelNames, allowed };
}
