// One guard for every webContents the app ever creates (app.on('web-contents-created')): the window, any
// frame, a devtools or a webview that slipped through. No `electron` import: the contents are typed by the few
// members the guard uses, so the tests drive it in Node.
import { APP_ORIGIN } from './appProtocol.js';

/** Whether `url` is one of the app's own pages: app://dsa-setup/…, or the dev server's origin in development. */
export function isAppUrl(url: string, devOrigin?: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === 'app:') return `${u.protocol}//${u.host}` === APP_ORIGIN;
    return !!devOrigin && (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === new URL(devOrigin).origin;
  } catch {
    return false;
  }
}

/**
 * Whether the session lets a request through (webRequest.onBeforeRequest): the app's own files and data: URLs;
 * in development also the dev server (and its websocket) and the developer tools. Everything else is cancelled.
 */
export function isAllowedRequest(url: string, devOrigin?: string): boolean {
  if (isAppUrl(url, devOrigin) || url.startsWith('data:')) return true;
  if (!devOrigin) return false;
  if (url.startsWith('devtools:')) return true;
  try {
    const u = new URL(url);
    return (u.protocol === 'ws:' || u.protocol === 'wss:') && u.host === new URL(devOrigin).host;
  } catch {
    return false;
  }
}

/** What the guard does with a request for a new window: always deny; open it in the browser when allowed. */
export function windowOpenDecision(
  url: string,
  isAllowedExternal: (url: string) => boolean,
): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isAllowedExternal(url) };
}

/** An Electron event that can be cancelled (navigation events carry the URL on it). */
interface CancellableEvent {
  preventDefault(): void;
  url?: string;
}

/** The members of Electron's WebContents the guard uses. */
export interface GuardedContents {
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate',
    listener: (e: CancellableEvent, url?: string) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (e: CancellableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface GuardOptions {
  /** The dev server's origin (development only; undefined in a packaged app). */
  devOrigin?: string;
  isAllowedExternal(url: string): boolean;
  /** Opens an allowed documentation link in the browser. */
  openInBrowser(url: string): void;
}

/**
 * Guards one webContents: navigation, redirects and frame navigation stay on the app's own pages; new windows
 * are denied (allowed documentation links open in the browser instead); `<webview>` is never attached.
 */
export function guardWebContents(contents: GuardedContents, o: GuardOptions): void {
  const stayOnApp = (e: CancellableEvent, url?: string): void => {
    if (!isAppUrl(e.url ?? url ?? '', o.devOrigin)) e.preventDefault();
  };
  contents.on('will-navigate', stayOnApp);
  contents.on('will-redirect', stayOnApp);
  contents.on('will-frame-navigate', stayOnApp);
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const d = windowOpenDecision(url, o.isAllowedExternal);
    if (d.openExternally) o.openInBrowser(url);
    return { action: d.action };
  });
}
