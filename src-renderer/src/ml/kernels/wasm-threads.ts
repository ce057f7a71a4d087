/**
 * tfjs-backend-wasm 4.22 caps its XNNPACK thread pool at half the logical cores, which its
 * module reads from navigator.hardwareConcurrency as it starts; setThreadsCount above that is
 * silently ignored (tensorflow/tfjs#8513), so a 2-core machine trains on one thread whatever it
 * asks. The cap is lifted by reporting twice the cores while the backend starts (only then is
 * it read); the real value comes back right after.
 */
export async function startWasmWithThreads<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const cores = nav?.hardwareConcurrency;
  if (!nav || cores === undefined || 2 * threads <= cores) return start();
  Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  try {
    return await start();
  } finally {
    // The own property shadowed the prototype's getter; removing it restores the real count.
    Reflect.deleteProperty(nav, 'hardwareConcurrency');
  }
}
