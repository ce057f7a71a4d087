/// <reference lib="webworker" />
// Decodes and preprocesses dropped files off the main thread: a 1024-px photo takes a few hundred
// milliseconds, which would otherwise freeze the UI once per file of a batch.
import { prepareImage } from '../classify/prepare-image';
import type { PrepareCalls } from './prepare-client';
import { serveCalls } from './rpc';

serveCalls<PrepareCalls>(self as unknown as DedicatedWorkerGlobalScope, {
  prepare: async ({ blob, name }) => {
    const result = await prepareImage(blob, name);
    return { value: result, transfer: result.ok ? [result.input.buffer] : [] };
  },
});
