// The preload exposes exactly the contract: tailor.<group>.<op>(...) and tailor.on(event, fn).
// ipcRenderer itself never reaches the page, and listeners get the payload, not the event.
import { contextBridge, ipcRenderer } from 'electron';
import { EVENTS, buildApi, type EventName, type Result } from '../src-shared/contract';

const events = new Set<string>(EVENTS);

export const api = buildApi(
  (channel, args) => ipcRenderer.invoke(channel, ...args) as Promise<Result<unknown>>,
  (event: EventName, listener) => {
    if (!events.has(event)) throw new Error(`Unknown event ${String(event)}`);
    const wrapped = (_e: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
);

contextBridge.exposeInMainWorld('tailor', api);
