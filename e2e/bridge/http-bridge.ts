// The contract over HTTP (POST per call, Server-Sent Events for main → renderer events), with the
// binary codec so pixel buffers travel as bytes. Test-only: the e2e server injects it into the
// pages it serves (inject.ts), where the desktop app has the preload; the harness pages use it
// directly. The app's bundle never carries it.
import { EVENTS, buildApi, type EventName, type Result, type TailorApi } from '../../src-shared/contract';
import { decode, encode } from '../../src-shared/codec';
import { BRIDGE_PREFIX } from './prefix';

export function createHttpBridge(prefix = BRIDGE_PREFIX): TailorApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;

  function ensureEvents(): void {
    if (source || typeof EventSource === 'undefined') return;
    source = new EventSource(`${prefix}/events`);
    source.onmessage = (e: MessageEvent<string>) => {
      const { event, payload } = JSON.parse(e.data) as { event: string; payload: unknown };
      for (const l of listeners.get(event) ?? []) l(payload);
    };
  }

  return buildApi(
    async (channel, args) => {
      try {
        const res = await fetch(`${prefix}/invoke/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/octet-stream' },
          body: encode(args) as Uint8Array<ArrayBuffer>,
        });
        if (!res.ok) return { ok: false, error: { code: 'internal', message: `Bridge answered HTTP ${res.status}` } };
        return decode(new Uint8Array(await res.arrayBuffer())) as Result<unknown>;
      } catch (err) {
        return { ok: false, error: { code: 'io', message: `Bridge unreachable: ${(err as Error).message}` } };
      }
    },
    (event: EventName, listener) => {
      if (!(EVENTS as readonly string[]).includes(event)) throw new Error(`Unknown event ${event}`);
      ensureEvents();
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  );
}
