/**
 * The report's own training log, as far as it was published: the figures Tailor shows beside a
 * run of the report preset, so a reader can compare our curve with the one the report got.
 *
 * Where they come from: the student report's notebook output (Keras, the "Report CNN" layers,
 * raw 0–255 pixels, RMSprop 1e-4, batch 512, 10 epochs), as quoted in issue 14. Only the first
 * and the last epoch of its log and its test score are known to us; the epochs in between were
 * not published, so none are given here and charts draw these as separate points, never as a
 * line that would invent them.
 */
import type { PresetId } from './presets';

export interface ReferencePoint {
  /** 1-based, as Keras prints it and as Tailor records runs. */
  epoch: number;
  /** Training loss and accuracy at the end of that epoch. */
  loss: number;
  acc: number;
}

export interface PublishedReference {
  /** The preset whose runs it belongs to. */
  preset: PresetId;
  /** Short name for legends. */
  label: string;
  /** One line for a caption: what these points are and where they come from. */
  source: string;
  /** Epochs in the order published; only those the log gave. */
  epochs: readonly ReferencePoint[];
  /** Of the published run's 10 epochs. */
  epochCount: number;
  test: { loss: number; acc: number };
}

export const REPORT_REFERENCE: PublishedReference = {
  preset: 'report',
  label: "Report's log",
  source: "The report's published training log (Keras, 10 epochs; only its first and last epoch are known)",
  epochs: [
    { epoch: 1, loss: 1.7513, acc: 0.062 },
    { epoch: 10, loss: 0.4099, acc: 0.8522 },
  ],
  epochCount: 10,
  test: { loss: 0.4862, acc: 0.83 },
};

/** The published reference for runs of `preset` ('custom' and the other presets have none). */
export function referenceFor(preset: string): PublishedReference | null {
  return preset === REPORT_REFERENCE.preset ? REPORT_REFERENCE : null;
}
