// Electron transport for the contract: one ipcMain.handle per channel, all through `dispatch`.
import { ipcMain, type WebContents } from 'electron';
import { CHANNELS, type EventName, type Events } from '../src-shared/contract';
import { dispatch, type Services } from './api';
import { isTrustedSender } from './security';

export function registerIpc(services: Services, devServer?: string): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      const frame = event.senderFrame;
      if (!isTrustedSender(frame?.url, frame?.parent === null, devServer)) {
        return { ok: false, error: { code: 'forbidden', message: 'Refused a call from an untrusted frame' } };
      }
      return dispatch(services, channel, args);
    });
  }
}

export function makeEmitter(getTarget: () => WebContents | null) {
  return <E extends EventName>(event: E, payload: Events[E]): void => {
    const target = getTarget();
    if (target && !target.isDestroyed()) target.send(event, payload);
  };
}
