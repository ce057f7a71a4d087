/**
 * Gives the event loop a turn, so a Worker busy with a long job can take the messages that queued
 * meanwhile (pause, stop, a live prediction). A MessageChannel avoids setTimeout's 4 ms clamp on
 * nested timers; setImmediate is the same idea in Node.
 */
export function yieldToEventLoop(): Promise<void> {
  const { setImmediate } = globalThis as { setImmediate?: (callback: () => void) => unknown };
  if (setImmediate) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
