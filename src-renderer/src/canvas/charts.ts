// Chart.js set-up in one place: only the pieces we use are registered (smaller bundle), chart
// colours come from the theme's CSS variables so charts follow light/dark, and one attachment
// gives every chart the same life: built on mount, rebuilt on change, destroyed on unmount.
import type { Attachment } from 'svelte/attachments';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
  type DefaultDataPoint,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend, Filler);

export { Chart };

let probe: HTMLSpanElement | null = null;

/**
 * A theme colour as canvas understands it ("rgb(…)"). The palette uses light-dark(), which a
 * custom property keeps unresolved, so the colour is resolved through a hidden element's style.
 */
export function cssVar(name: string): string {
  if (!probe) {
    probe = document.createElement('span');
    probe.hidden = true;
    document.body.append(probe);
  }
  probe.style.color = `var(${name})`;
  return getComputedStyle(probe).color;
}

/** A font (or other non-colour) token, as written. */
export function cssToken(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** A palette that reads on both themes; index by series. */
export const SERIES = ['#6366f1', '#0ea5e9', '#f59e0b', '#10b981', '#ef4444', '#a855f7', '#14b8a6', '#f97316', '#64748b', '#ec4899'];

/** Chart.js defaults in the theme's current colours. */
function themeDefaults(): void {
  Chart.defaults.color = cssVar('--fg-muted');
  Chart.defaults.borderColor = cssVar('--chart-grid');
  Chart.defaults.font.family = cssToken('--font');
  Chart.defaults.font.size = 11;
  Chart.defaults.animation = false;
}

/**
 * A Chart.js chart on a canvas, as a Svelte attachment: `<canvas {@attach chart(app.theme, () => config)}>`.
 * The chart is built in the theme's colours when the canvas mounts and rebuilt from scratch (the
 * old one destroyed) whenever the theme or any state `config` reads changes — charts here change
 * a few times per run, so rebuilding is simpler than patching. It is destroyed with the canvas.
 * `theme` is only there to be read in the template, where reading it makes a theme change rebuild
 * the chart (the colours themselves come from CSS). `onchart` gets the live instance (and null
 * when it goes), for charts that stream points into it.
 */
export function chart<T extends ChartType, D = DefaultDataPoint<T>, L = unknown>(
  _theme: string,
  config: () => ChartConfiguration<T, D, L>,
  onchart?: (instance: Chart<T, D, L> | null) => void,
): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    const settings = config();
    themeDefaults();
    const instance = new Chart<T, D, L>(canvas, settings);
    onchart?.(instance);
    return () => {
      onchart?.(null);
      instance.destroy();
    };
  };
}
