// When an answer is shown as unsure. The threshold comes from a measurement, not a guess:
// `scripts/photo-confidence.ts` runs the app's photo pipeline and a model over a labelled photo
// folder, and `chooseThreshold` picks the confidence below which the model's answers are right
// less often than not. Pure, so tests pin the rule and the script and the UI share it.

/**
 * Answers whose top probability is below this are shown as unsure, with the runner-up.
 * Measured with the shipped model on ../shared/photos/validation (290 photos of the 7 mapped
 * folders through the app's own pipeline; `npx tsx scripts/photo-confidence.ts DIR --map FILE`):
 * the fitted chance of being right reaches one half at 30% confidence. Below it 13 answers were
 * right 30.8% of the time, above it 277 were right 81.9%. (The model shipped before, which had
 * seen fewer photos, reached it at 60%.) Re-run the script when the shipped model changes.
 */
export const UNSURE_BELOW = 0.3;

/** What the measurement behind UNSURE_BELOW found, for the view's tooltip. */
export const UNSURE_EVIDENCE = 'On 290 real photos, answers below 30% were right only about a third of the time.';

export interface Judged {
  /** The top answer's probability. */
  confidence: number;
  /** Whether the top answer was right. */
  right: boolean;
}

export interface Band {
  from: number;
  to: number;
  n: number;
  right: number;
}

/** Answers grouped by confidence in bands of `width` (the last band includes 1). */
export function bands(judged: readonly Judged[], width = 0.1): Band[] {
  const count = Math.round(1 / width);
  const out: Band[] = Array.from({ length: count }, (_, i) => ({ from: i * width, to: (i + 1) * width, n: 0, right: 0 }));
  for (const j of judged) {
    const band = out[Math.min(count - 1, Math.floor(j.confidence / width))]!;
    band.n++;
    band.right += +j.right;
  }
  return out;
}

export interface ThresholdChoice {
  threshold: number;
  /** Answers below the threshold: how many, and the share of them that were right. */
  below: { n: number; accuracy: number };
  above: { n: number; accuracy: number };
}

const accuracy = (xs: readonly Judged[]): number => (xs.length ? xs.filter((x) => x.right).length / xs.length : 0);

/**
 * How often an answer of each confidence is right, as a curve that never falls as confidence
 * rises: isotonic regression (pool adjacent violators) of right/wrong on confidence. Returns the
 * answers sorted by confidence with their fitted chance of being right.
 */
export function calibrate(judged: readonly Judged[]): { confidence: number; chance: number }[] {
  const sorted = [...judged].sort((a, b) => a.confidence - b.confidence);
  const blocks: { sum: number; n: number }[] = [];
  for (const j of sorted) {
    blocks.push({ sum: +j.right, n: 1 });
    while (blocks.length > 1 && blocks.at(-2)!.sum / blocks.at(-2)!.n > blocks.at(-1)!.sum / blocks.at(-1)!.n) {
      const last = blocks.pop()!;
      blocks.at(-1)!.sum += last.sum;
      blocks.at(-1)!.n += last.n;
    }
  }
  const chances = blocks.flatMap((b) => Array<number>(b.n).fill(b.sum / b.n));
  return sorted.map((j, i) => ({ confidence: j.confidence, chance: chances[i]! }));
}

/**
 * The confidence from which the model's answers are right at least half the time, on the fitted
 * curve of `calibrate`, rounded down to `step`: below it an answer is more likely wrong than
 * right, so the view calls it unsure. 1 when no answer reaches an even chance.
 */
export function chooseThreshold(judged: readonly Judged[], step = 0.05): ThresholdChoice {
  const first = calibrate(judged).find((c) => c.chance >= 0.5);
  // toFixed: 6 × 0.05 is 0.30000000000000004, which would put answers at exactly 0.3 below it.
  const threshold = first ? Number((Math.floor(first.confidence / step + 1e-9) * step).toFixed(6)) : 1;
  const below = judged.filter((j) => j.confidence < threshold);
  const above = judged.filter((j) => j.confidence >= threshold);
  return { threshold, below: { n: below.length, accuracy: accuracy(below) }, above: { n: above.length, accuracy: accuracy(above) } };
}

/** Is an answer of this probability shown as unsure? */
export function isUnsure(confidence: number, threshold = UNSURE_BELOW): boolean {
  return confidence < threshold;
}
