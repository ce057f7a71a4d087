// OpenCV.js in Node for scripts and tests, with the same CSP patch the app bundle gets, so Node
// runs exactly the glue the prepare worker runs. The glue is hidden from `process`: its Node
// branch would install process-wide uncaughtException/unhandledRejection handlers.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';
import { patchOpenCvForCsp } from '../../src-renderer/src/classify/opencv-csp';
import { whenOpenCvReady, type OpenCv } from '../../src-renderer/src/classify/opencv';

let loading: Promise<OpenCv> | null = null;

export function openCvPath(): string {
  return createRequire(import.meta.url).resolve('@techstark/opencv-js');
}

/** Loads (once per process) and initialises OpenCV.js. */
export function loadOpenCvNode(): Promise<OpenCv> {
  loading ??= (async () => {
    const path = openCvPath();
    const source = patchOpenCvForCsp(readFileSync(path, 'utf8'));
    const factory = runInThisContext(`(function (module, exports, process) {${source}\n})`, { filename: path }) as (
      module: { exports: unknown },
      exports: unknown,
      process: undefined,
    ) => void;
    const module = { exports: {} as unknown };
    factory(module, module.exports, undefined);
    return whenOpenCvReady(module.exports);
  })();
  return loading;
}
