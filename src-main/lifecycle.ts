// Start-up order, apart from Electron so it can be tested: only the first instance of the app
// builds its window and services. `app.quit()` does not stop the code after it, and a quitting
// app may still become ready, so the second instance must never register the start at all.

/** The part of Electron's `app` this needs. */
export interface AppLifecycle {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  whenReady(): Promise<unknown>;
}

/** Runs `start` once the app is ready, in the first instance only; returns whether this is it. */
export function startOnce(app: AppLifecycle, start: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  void app.whenReady().then(start);
  return true;
}
