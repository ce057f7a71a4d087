/**
 * Whether a model can be run on a dataset: the same image size and one output per class. Pure (no
 * tfjs), so the UI can say why before it asks the worker, and the worker checks the same rule.
 */

export interface ModelShape {
  /** [rows, cols, channels]. */
  inputShape: readonly number[];
  classes: number;
}

export interface DataShape {
  name: string;
  rows: number;
  cols: number;
  classCount: number;
}

/** Why `model` cannot be run on `data`, in one sentence; null when it fits. */
export function fitProblem(model: ModelShape, data: DataShape): string | null {
  const [rows, cols] = model.inputShape;
  if (rows !== data.rows || cols !== data.cols) {
    return `This model takes ${rows}×${cols} images and ${data.name} has ${data.rows}×${data.cols} images: pick a dataset of its size, or a model trained on ${data.name}.`;
  }
  if (model.classes !== data.classCount) {
    return `This model tells ${model.classes} classes apart and ${data.name} has ${data.classCount}: pick a dataset with its classes, or a model trained on ${data.name}.`;
  }
  return null;
}
