/**
 * The part of OpenCV.js the photo pipeline uses, typed here so the rest of the code (and its
 * tests) need neither the 11 MB module nor its 9,000-line declarations. The module is loaded
 * lazily, once, in the prepare worker (`loadOpenCv`); Node loads it with scripts/lib/opencv-node.ts.
 */

export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Uint8Array;
  delete(): void;
}

export interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => Mat;
  Rect: new (x: number, y: number, width: number, height: number) => object;
  CV_8UC1: number;
  CV_8UC3: number;
  GC_BGD: number;
  GC_FGD: number;
  GC_PR_BGD: number;
  GC_PR_FGD: number;
  GC_INIT_WITH_RECT: number;
  GC_INIT_WITH_MASK: number;
  MORPH_OPEN: number;
  MORPH_ELLIPSE: number;
  Size: new (width: number, height: number) => object;
  grabCut(image: Mat, mask: Mat, rect: object, bgdModel: Mat, fgdModel: Mat, iterations: number, mode: number): void;
  getStructuringElement(shape: number, size: object): Mat;
  morphologyEx(src: Mat, dst: Mat, op: number, kernel: Mat): void;
  setRNGSeed(seed: number): void;
}

/**
 * The module object is a thenable whose `then` hands back the module itself, so awaiting it
 * directly never settles: take `then` off first, then use it once to wait for the runtime.
 */
export function whenOpenCvReady(module: unknown): Promise<OpenCv> {
  const cv = module as OpenCv & { then?: (f: () => void) => void };
  const then = cv.then;
  if (typeof then !== 'function') {
    if (typeof cv.grabCut === 'function') return Promise.resolve(cv);
    return Promise.reject(new Error('OpenCV.js did not load'));
  }
  delete cv.then;
  return new Promise((resolve) => then.call(cv, () => resolve(cv)));
}

let loading: Promise<OpenCv> | null = null;

/** The bundled OpenCV.js (its CSP patch is applied at build time), loaded on first use. */
export function loadOpenCv(): Promise<OpenCv> {
  loading ??= import('./opencv-module').then(({ bundled }) => whenOpenCvReady(bundled.cv));
  loading.catch(() => (loading = null)); // a failed load may be retried
  return loading;
}
