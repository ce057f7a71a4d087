// Pure helpers of the Classify view: ranking a probability vector, sorting the results table and
// writing it as CSV. No Svelte, no DOM, so tests pin them in Node.
import type { SegmentHints } from '../classify/segment';
import { nextSort, sortRows, type SortAccessors, type SortState, type TieBreaks } from './table-sort';

export interface Ranked {
  index: number;
  prob: number;
}

/**
 * The `k` most likely classes of one image, best first; ties keep the lower class index first.
 * `probs` may hold a batch: `offset` is where this image's `classes` values start.
 */
export function topK(probs: ArrayLike<number>, k: number, classes = probs.length, offset = 0): Ranked[] {
  if (offset < 0 || offset + classes > probs.length) {
    throw new RangeError(`${classes} values from ${offset} do not fit in ${probs.length}`);
  }
  const ranked: Ranked[] = [];
  for (let i = 0; i < classes; i++) {
    const p = probs[offset + i]!;
    ranked.push({ index: i, prob: Number.isFinite(p) ? p : 0 });
  }
  ranked.sort((a, b) => b.prob - a.prob || a.index - b.index);
  return ranked.slice(0, Math.max(0, k));
}

/** "97.3%", with "<0.1%" for tiny non-zero values so a bar's label never reads "0.0%" by rounding. */
export function percent(p: number, digits = 1): string {
  if (p > 0 && p < 0.5 * 10 ** -(digits + 2)) return `<${(10 ** -digits).toFixed(digits)}%`;
  return `${(p * 100).toFixed(digits)}%`;
}

/** One file of a batch as the table shows it. */
export interface ResultRow {
  id: number;
  /** The name as dropped, with the folder path for files from a dropped folder. */
  name: string;
  bytes: number;
  /** queued: not read yet; ready: preprocessed, waiting for the model; done: classified; error: not classifiable. */
  status: 'queued' | 'ready' | 'done' | 'error';
  /** Why the file was not classified (status 'error'). */
  message: string | null;
  /** A remark on a file that was classified anyway, e.g. "animated: first frame used". */
  note: string | null;
  /** The photo was read but no garment was found in it (status 'error'): marking it can fix that. */
  nothingFound: boolean;
  /** The user's rectangle and brush strokes the photo was last cut with; null for the automatic cut. */
  hints: SegmentHints | null;
  /** Being cut again with new hints. */
  recutting: boolean;
  /** 784 values in [0,1]: what the model sees; null until preprocessed or when it failed. */
  input: Float32Array | null;
  /** One probability per class; null until predicted. */
  probs: Float32Array | null;
  /** Best class and its probability; null until predicted. */
  top: Ranked | null;
}

export type SortKey = 'order' | 'name' | 'class' | 'confidence';
export type Sort = SortState<SortKey>;

function resultAccessors(classNames: readonly string[]): SortAccessors<ResultRow, SortKey> {
  return {
    order: (r) => r.id,
    name: (r) => r.name,
    class: (r) => (r.top ? (classNames[r.top.index] ?? `class ${r.top.index}`) : null),
    confidence: (r) => r.top?.prob ?? null,
  };
}

/** Within one class, the most confident file first, whichever way the class column runs. */
const RESULT_TIES: TieBreaks<ResultRow, SortKey> = { class: (a, b) => (b.top?.prob ?? 0) - (a.top?.prob ?? 0) };

/**
 * A sorted copy of rows given in drop order. Rows without a prediction (queued or failed) always
 * go last, in drop order, so sorting by confidence puts the failures together at the bottom
 * whichever way it runs.
 */
export function sortResults(rows: readonly ResultRow[], sort: Sort, classNames: readonly string[]): ResultRow[] {
  return sortRows(rows, resultAccessors(classNames), sort, RESULT_TIES);
}

/** Next sort after a click on a column header: a new column starts in its natural direction. */
export function nextResultSort(current: Sort, key: SortKey): Sort {
  return nextSort(current, key, key === 'confidence' ? 'desc' : 'asc');
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe, as OWASP advises for CSV exports: a dropped file may be named "=HYPERLINK(…).png".
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Probabilities are written with 6 decimals: enough to rank, short enough to read. */
const prob = (p: number): string => p.toFixed(6);

/**
 * The table as CSV, rows in the order given, CRLF line ends: file, status, top class,
 * confidence, message, then one probability column per class.
 */
export function toCsv(rows: readonly ResultRow[], classNames: readonly string[]): string {
  const header = ['file', 'status', 'class', 'confidence', 'message', ...classNames.map((c) => `p(${c})`)];
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) {
    const probs = r.probs ? classNames.map((_, i) => prob(r.probs![i] ?? 0)) : classNames.map(() => '');
    const fields = [
      csvField(r.name),
      r.status === 'done' ? 'classified' : r.status === 'error' ? 'failed' : 'pending',
      csvField(r.top ? (classNames[r.top.index] ?? `class ${r.top.index}`) : null),
      r.top ? prob(r.top.prob) : '',
      csvField(r.message ?? r.note),
      ...probs,
    ];
    lines.push(fields.join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** "tailor-classified-2025-03-04-1530.csv" in local time. */
export function csvFileName(now: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `tailor-classified-${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}.csv`;
}

/** The batch in one line: classified (unsure among them), no garment found, not readable, waiting. */
export function filesSummary(rows: readonly ResultRow[], unsureBelow: number): string {
  const done = rows.filter((r) => r.status === 'done');
  const unsure = done.filter((r) => r.top && r.top.prob < unsureBelow).length;
  const notFound = rows.filter((r) => r.status === 'error' && r.nothingFound).length;
  const unreadable = rows.filter((r) => r.status === 'error' && !r.nothingFound).length;
  const waiting = rows.filter((r) => r.status === 'queued' || r.status === 'ready').length;
  return [
    `${done.length.toLocaleString()} classified${unsure ? ` (${unsure.toLocaleString()} unsure)` : ''}`,
    notFound ? `${notFound.toLocaleString()} with no garment found` : '',
    unreadable ? `${unreadable.toLocaleString()} not readable` : '',
    waiting ? `${waiting.toLocaleString()} waiting` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** "3 images", "1 image". */
export function plural(n: number, word: string): string {
  return `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
}
