// Runs before the app's own script on the pages the e2e server serves (bridge-server.ts adds it to
// index.html): the page gets the contract over HTTP where the desktop app gets the preload's IPC.
// The app finds window.tailor either way and knows nothing of the transport.
import type { TailorApi } from '../../src-shared/contract';
import { createHttpBridge } from './http-bridge';

(window as { tailor?: TailorApi }).tailor = createHttpBridge();
