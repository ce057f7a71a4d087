// Desktop notifications for a run that ends while the window is in the background.

export interface Notifier {
  /** Asks for permission once, early (a run's start is a user gesture). */
  ask(): Promise<void>;
  /** Shows a notification if the window is hidden and notifications are allowed. */
  inBackground(title: string, body: string): void;
}

export const browserNotifier: Notifier = {
  async ask() {
    if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
    try {
      await Notification.requestPermission();
    } catch {
      // not granted: no notification, nothing else changes
    }
  },
  inBackground(title, body) {
    if (typeof document === 'undefined' || !document.hidden) return;
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    new Notification(title, { body, silent: false });
  },
};
