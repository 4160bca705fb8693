// The renderer is served from `app://dsa-setup/` (Electron's protocol.handle), not file://: 'self' in the CSP
// then means the app's own files only, and every response carries the CSP as a header. No `electron` import:
// the shell registers `serveAppRequest` and the tests run it in Node.
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** The scheme and host the renderer is served from. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'dsa-setup';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Privileges of the app scheme (protocol.registerSchemesAsPrivileged, before `ready`): standard (relative URLs,
 * an origin of its own), secure (like https), fetch for the language chunks; nothing else (no CSP bypass).
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

/**
 * The renderer's Content Security Policy, sent as a response header with every file and also written as the
 * meta tag of renderer/index.html (the test checks both say the same).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
].join('; ');

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** What an app:// URL names: a file under the renderer directory, or the HTTP status that refuses it. */
export type AppPath = { file: string; contentType: string } | { status: 400 | 403 | 404 };

/**
 * Resolves an `app://dsa-setup/…` URL to a file under `rootDir`. Refused: another scheme or host (404), a
 * malformed escape (400), and any `..`, backslash, NUL or drive letter, encoded or not (403).
 */
export function resolveAppPath(rootDir: string, url: string): AppPath {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { status: 400 };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return { status: 404 };
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return { status: 400 };
  }
  if (path === '' || path === '/') path = '/index.html';
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.' || /[\\\0]|^[A-Za-z]:/.test(s))) return { status: 403 };
  const root = resolve(rootDir);
  const file = resolve(root, ...segments);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return { status: 403 };
  return { file, contentType: MIME[extname(file).toLowerCase()] ?? 'application/octet-stream' };
}

/** Headers every app:// response carries (the CSP among them). */
export function appResponseHeaders(contentType?: string): Record<string, string> {
  return {
    ...(contentType ? { 'content-type': contentType } : {}),
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** Answers one request to the app scheme from the built renderer in `rootDir` (protocol.handle's handler). */
export async function serveAppRequest(rootDir: string, request: { url: string; method?: string }): Promise<Response> {
  const method = (request.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return new Response(null, { status: 405, headers: appResponseHeaders() });
  const target = resolveAppPath(rootDir, request.url);
  if ('status' in target) return new Response(null, { status: target.status, headers: appResponseHeaders() });
  try {
    const body = await readFile(target.file);
    return new Response(method === 'HEAD' ? null : body, {
      status: 200,
      headers: appResponseHeaders(target.contentType),
    });
  } catch {
    return new Response(null, { status: 404, headers: appResponseHeaders() });
  }
}
