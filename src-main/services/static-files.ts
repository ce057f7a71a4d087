import { promises as fs } from 'node:fs';
import { join, normalize } from 'node:path';
import { isPathInside } from './ids';
import { mimeType, securityHeaders } from '../security';

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

/**
 * Serves the built renderer from `root` for the app:// protocol and the e2e server alike, with
 * the CSP and cross-origin-isolation headers. Paths outside `root` are refused.
 */
export async function serveStatic(root: string, urlPath: string): Promise<StaticResponse> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return { status: 400, headers: {}, body: 'bad path' };
  }
  if (path === '/' || path === '') path = '/index.html';
  const file = join(root, normalize(path));
  if (!isPathInside(file, root)) return { status: 403, headers: {}, body: 'forbidden' };
  try {
    const body = await fs.readFile(file);
    return {
      status: 200,
      headers: { 'Content-Type': mimeType(file), 'Cache-Control': 'no-cache', ...securityHeaders(file) },
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    };
  } catch {
    return { status: 404, headers: securityHeaders(), body: 'not found' };
  }
}
