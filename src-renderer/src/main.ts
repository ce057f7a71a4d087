import { mount } from 'svelte';
import './styles/global.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

// The app reaches main only through the preload's window.tailor. Without it nothing would work,
// so say so plainly instead of starting a UI whose every action fails.
if (window.tailor) {
  const { default: App } = await import('./App.svelte');
  mount(App, { target });
} else {
  showPreloadMissing(target);
}

function showPreloadMissing(into: HTMLElement): void {
  const box = document.createElement('div');
  box.className = 'error-box fatal';
  box.setAttribute('role', 'alert');
  box.dataset['testid'] = 'preload-missing';
  const title = document.createElement('strong');
  title.textContent = 'Tailor cannot start: preload missing.';
  const why = document.createElement('p');
  why.textContent =
    'This window was opened without Tailor’s preload script (window.tailor is not defined), so it has no way to reach your datasets and models. Start Tailor with `npm start` or from its installed app.';
  box.append(title, why);
  into.replaceChildren(box);
}
