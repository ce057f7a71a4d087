// Shell state: which view is open and the theme. Persisted in localStorage (renderer-only prefs).
export type ViewId = 'data' | 'train' | 'evaluate' | 'models' | 'classify';
export type ThemeChoice = 'system' | 'light' | 'dark';

export const VIEWS: readonly { id: ViewId; label: string; hint: string }[] = [
  { id: 'data', label: 'Data', hint: 'Fashion-MNIST: files, samples and class balance' },
  { id: 'train', label: 'Train', hint: 'Pick a network, train it and watch it learn' },
  { id: 'evaluate', label: 'Evaluate', hint: 'Confusion matrix, per-class scores and mistakes' },
  { id: 'models', label: 'Models', hint: 'Saved models and the record of every run' },
  { id: 'classify', label: 'Classify', hint: 'Draw or drop images and get the class' },
];

function stored<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return allowed.includes(v as T) ? (v as T) : fallback;
  } catch {
    return fallback;
  }
}

export class AppState {
  view = $state<ViewId>(stored('tailor.view', VIEWS.map((v) => v.id), 'data'));
  theme = $state<ThemeChoice>(stored('tailor.theme', ['system', 'light', 'dark'] as const, 'system'));

  open(view: ViewId): void {
    this.view = view;
    this.save('tailor.view', view);
  }

  setTheme(theme: ThemeChoice): void {
    this.theme = theme;
    this.save('tailor.theme', theme);
  }

  cycleTheme(): void {
    this.setTheme(this.theme === 'system' ? 'light' : this.theme === 'light' ? 'dark' : 'system');
  }

  private save(key: string, value: string): void {
    try {
      localStorage.setItem(key, value);
    } catch {
      // Storage can be unavailable (private mode); the choice then lasts for the session.
    }
  }
}

export const app = new AppState();
