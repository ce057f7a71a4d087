import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  WEB_PREFERENCES,
  isAllowedNavigation,
  isAllowedRequest,
  isTrustedSender,
  isWorkerScript,
  securityHeaders,
  WORKER_CONTENT_SECURITY_POLICY,
} from './security';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('window web preferences', () => {
  it('isolate the page from Node and Electron', () => {
    expect(WEB_PREFERENCES.contextIsolation).toBe(true);
    expect(WEB_PREFERENCES.sandbox).toBe(true);
    expect(WEB_PREFERENCES.nodeIntegration).toBe(false);
    expect(WEB_PREFERENCES.nodeIntegrationInWorker).toBe(false);
    expect(WEB_PREFERENCES.webSecurity).toBe(true);
    expect(WEB_PREFERENCES.webviewTag).toBe(false);
    expect(WEB_PREFERENCES.allowRunningInsecureContent).toBe(false);
  });
});

describe('content security policy', () => {
  const csp = directives(CONTENT_SECURITY_POLICY);

  it('allows only our own scripts, with no eval and no inline code', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/'unsafe-eval'|'unsafe-inline'|https?:|\*/);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
  });

  it('is the same in the HTML meta tag as in the served header', () => {
    const html = readFileSync(join(import.meta.dirname, '../src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const fromMeta = directives(meta!);
    // frame-ancestors is ignored in a meta tag, so it is only sent as a header.
    for (const [name, values] of csp) {
      if (name === 'frame-ancestors') continue;
      expect(fromMeta.get(name), name).toEqual(values);
    }
  });

  it('lets only the ML worker load blob: scripts (wasm pthreads)', () => {
    expect(isWorkerScript('/x/assets/ml.worker-ScqRIvzN.js')).toBe(true);
    expect(isWorkerScript('/x/assets/index-B3qojFig.js')).toBe(false);
    expect(securityHeaders('/assets/ml.worker-abc.js')['Content-Security-Policy']).toBe(WORKER_CONTENT_SECURITY_POLICY);
    expect(directives(WORKER_CONTENT_SECURITY_POLICY).get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", 'blob:']);
    expect(securityHeaders('/index.html')['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('is sent with the cross-origin isolation headers wasm threads need', () => {
    const h = securityHeaders();
    expect(h['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(h['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(h['Cross-Origin-Embedder-Policy']).toBe('require-corp');
  });
});

describe('navigation and senders', () => {
  it('allows navigation only inside the app (and the dev server)', () => {
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html`)).toBe(true);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd')).toBe(false);
    expect(isAllowedNavigation('app://evil/index.html')).toBe(false);
    expect(isAllowedNavigation('app://tailor.evil.example/x')).toBe(false);
    expect(isAllowedNavigation('not a url')).toBe(false);
    expect(isAllowedNavigation('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
  });

  it('trusts only our own top frame', () => {
    expect(isTrustedSender(`${APP_ORIGIN}/index.html`, true)).toBe(true);
    expect(isTrustedSender(`${APP_ORIGIN}/index.html`, false)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true)).toBe(false);
    expect(isTrustedSender(undefined, true)).toBe(false);
  });
});

describe('request allow-list (no remote content)', () => {
  it('lets the window load only our protocol, devtools, data: and blob:', () => {
    for (const url of [`${APP_ORIGIN}/index.html`, `${APP_ORIGIN}/assets/ml.worker-abc.js`, 'data:image/png;base64,AAAA', `blob:${APP_ORIGIN}/0b1c`, 'devtools://devtools/bundled/x.html']) {
      expect(isAllowedRequest(url), url).toBe(true);
    }
    for (const url of ['https://example.com/x.js', 'http://localhost:5173/', 'file:///etc/passwd', 'app://tailor.evil/index.html', 'app://other/index.html', 'ws://localhost:5173/']) {
      expect(isAllowedRequest(url), url).toBe(false);
    }
  });

  it('adds the dev server and its hot-reload socket in development, by origin', () => {
    const dev = 'http://localhost:5173';
    expect(isAllowedRequest('http://localhost:5173/src/main.ts', dev)).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', dev)).toBe(true);
    expect(isAllowedRequest('http://localhost:51730/x.js', dev)).toBe(false); // a prefix match would let it in
    expect(isAllowedRequest('http://localhost:5174/', dev)).toBe(false);
    expect(isAllowedRequest('https://localhost:5173/', dev)).toBe(false);
  });
});
