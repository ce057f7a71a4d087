/// <reference lib="webworker" />
// Decodes, segments and preprocesses dropped files off the main thread: a photo takes tens to a
// few hundred milliseconds (and OpenCV.js's first load about a second), which would otherwise
// freeze the UI once per file of a batch. Results come back transferred, not copied.
import { loadOpenCv } from '../classify/opencv';
import { prepareImage, transferables, useOpenCv } from '../classify/prepare-image';
import { datasetPhotoTransferables, prepareForDataset } from './dataset-photo';
import type { PrepareCalls } from './prepare-client';
import { serveCalls } from './rpc';

useOpenCv(loadOpenCv);

serveCalls<PrepareCalls>(self as unknown as DedicatedWorkerGlobalScope, {
  prepare: async ({ blob, name, hints }) => {
    const result = await prepareImage(blob, name, hints ? { hints } : {});
    return { value: result, transfer: transferables(result) };
  },
  forDataset: async ({ blob, name, hints }) => {
    const result = await prepareForDataset(blob, name, hints ? { hints } : {});
    return { value: result, transfer: datasetPhotoTransferables(result) };
  },
});
