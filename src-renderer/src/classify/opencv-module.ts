// The bundled OpenCV.js behind a plain object. The module object is a thenable, so it must never
// be what a promise resolves to: a dynamic import of the package itself resolves to a namespace
// that copies its `then`, and the import never settles. Importing this file instead is safe.
import cv from '@techstark/opencv-js';

export const bundled: { cv: unknown } = { cv };
