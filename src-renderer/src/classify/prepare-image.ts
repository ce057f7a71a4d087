// A file → the 28×28 input the model sees, with the garment mask it was cut by, or one sentence
// saying why not. Runs in the prepare worker (worker/prepare.worker.ts) so decoding, segmenting
// and preprocessing a large photo never block the UI, and on the main thread where no worker can
// be started. OpenCV.js (11 MB) is loaded only when a photo needs GrabCut, once, and only where
// a loader was installed (`useOpenCv`: the prepare worker does), so the main bundle does not carry
// a second copy; without one, photos are prepared by the heuristic alone.
import { decodeImageFile, type DecodeResult } from './decode';
import type { RGBAImage } from './image';
import type { OpenCv } from './opencv';
import { flatRoute, maskOutline, segmentRoute, type PreparedPhoto, type Route } from './photo';
import { preprocess } from './preprocess';
import { shrinkToSide } from './rgba';
import { SEGMENT_SIDE, type Mask, type SegmentHints } from './segment';

/** What a UI needs to show the cut and let the user fix it. Every array is transferable. */
export interface PhotoView {
  route: Route;
  /** The garment seemed to fill the photo: the mask is the whole frame. */
  fillsFrame: boolean;
  /** The photo as decoded: hints are given in these pixels. */
  width: number;
  height: number;
  /** The garment mask on a copy of the photo (mask.width ≤ width): 1 garment, 0 background. */
  mask: Mask;
  /** The mask's edge as segments x0, y0, x1, y1 in photo pixels. */
  outline: Float32Array;
}

export type Prepared =
  | { ok: true; input: Float32Array; note: string | null; photo?: PhotoView }
  /** `nothingFound`: the photo was read but no garment was found in it (`photo` shows where it looked). */
  | { ok: false; message: string; nothingFound?: boolean; photo?: PhotoView };

export type Decode = (blob: Blob, name: string) => Promise<DecodeResult>;

export interface PrepareOptions {
  decode?: Decode;
  /** The user's rectangle and brush strokes: re-segment with them. */
  hints?: SegmentHints;
  /** Where OpenCV comes from (the bundled module; Node scripts pass their own). */
  openCv?: () => Promise<OpenCv>;
}

let defaultOpenCv: () => Promise<OpenCv> = () => Promise.reject(new Error('no OpenCV loader here'));

/** Installs where OpenCV comes from when `prepareImage` is not told (the prepare worker calls this). */
export function useOpenCv(loader: () => Promise<OpenCv>): void {
  defaultOpenCv = loader;
}

function view(photo: RGBAImage, prepared: PreparedPhoto): PhotoView {
  return {
    route: prepared.route,
    fillsFrame: prepared.fillsFrame,
    width: photo.width,
    height: photo.height,
    mask: prepared.mask,
    outline: maskOutline(prepared.mask, prepared.scale),
  };
}

/** Every buffer of a result, to transfer rather than copy it out of the worker. */
export function transferables(result: Prepared): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (result.ok) out.push(result.input.buffer as ArrayBuffer);
  if (result.photo) out.push(result.photo.mask.data.buffer as ArrayBuffer, result.photo.outline.buffer as ArrayBuffer);
  return out;
}

async function segmentOrHeuristic(photo: RGBAImage, small: RGBAImage, hints: SegmentHints, openCv: () => Promise<OpenCv>): Promise<PreparedPhoto | { heuristic: true }> {
  let cv: OpenCv;
  try {
    cv = await openCv();
  } catch {
    return { heuristic: true }; // segmentation unavailable: classify as before it existed
  }
  return segmentRoute(cv, photo, hints, small);
}

export async function prepareImage(blob: Blob, name: string, decodeOrOptions: Decode | PrepareOptions = {}): Promise<Prepared> {
  const options = typeof decodeOrOptions === 'function' ? { decode: decodeOrOptions } : decodeOrOptions;
  const decoded = await (options.decode ?? decodeImageFile)(blob, name);
  if (!decoded.ok) return decoded;
  const note = decoded.note ?? null;
  const hints = options.hints ?? {};
  try {
    const small = shrinkToSide(decoded.image, SEGMENT_SIDE);
    const flat = flatRoute(decoded.image, hints, small);
    if (flat && !flat.found) return { ok: false, message: `${name} is blank: there is nothing on it to classify` };
    const prepared = flat ?? (await segmentOrHeuristic(decoded.image, small, hints, options.openCv ?? defaultOpenCv));
    if ('heuristic' in prepared) {
      const pre = preprocess(decoded.image);
      if (pre.empty) return { ok: false, message: `${name} is blank: there is nothing on it to classify` };
      return { ok: true, input: pre.input, note: [note, 'garment finding is unavailable: the whole picture was used'].filter(Boolean).join('; ') };
    }
    const photo = view(decoded.image, prepared);
    if (!prepared.found) {
      const where = hints.rect || hints.strokes?.length ? 'where you marked it' : 'in it';
      return { ok: false, nothingFound: true, message: `No garment was found ${where} in ${name}: draw a rectangle around the garment`, photo };
    }
    return { ok: true, input: prepared.input, note, photo };
  } catch (err) {
    return { ok: false, message: `${name} could not be prepared: ${(err as Error).message}` };
  }
}
