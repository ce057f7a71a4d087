// Chart.js set-up in one place: only the pieces we use are registered (smaller bundle), and chart
// colours come from the theme's CSS variables so charts follow light/dark.
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

export function themeDefaults(): void {
  Chart.defaults.color = cssVar('--fg-muted');
  Chart.defaults.borderColor = cssVar('--chart-grid');
  Chart.defaults.font.family = cssToken('--font');
  Chart.defaults.font.size = 11;
  Chart.defaults.animation = false;
}
