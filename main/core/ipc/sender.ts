/**
 * Whether an IPC call may be served: it must come from the main frame of our own page — the app's scheme
 * (app://dsa-setup/), a file tree (file://…/renderer/) or, in development, the dev server's origin (VS Code's
 * sender validation). A custom scheme's URL has the origin "null", so scheme and host are compared instead.
 */
export function isTrustedSender(frameUrl: string, isMainFrame: boolean, origin: string): boolean {
  if (!isMainFrame) return false;
  try {
    const url = new URL(frameUrl);
    const own = new URL(origin);
    if (own.protocol === 'file:') return url.protocol === 'file:' && url.pathname.startsWith(own.pathname);
    if (own.origin === 'null') return url.protocol === own.protocol && url.host === own.host && url.host !== '';
    return url.origin === own.origin;
  } catch {
    return false;
  }
}
