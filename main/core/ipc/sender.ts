/**
 * Whether an IPC call may be served: it must come from the main frame of our own page — the app's file
 * tree (file://…/renderer/) or, in development, the dev server's origin (VS Code's sender validation).
 */
export function isTrustedSender(frameUrl: string, isMainFrame: boolean, origin: string): boolean {
  if (!isMainFrame) return false;
  try {
    const url = new URL(frameUrl);
    const own = new URL(origin);
    if (own.protocol === 'file:') return url.protocol === 'file:' && url.pathname.startsWith(own.pathname);
    return url.origin === own.origin;
  } catch {
    return false;
  }
}
