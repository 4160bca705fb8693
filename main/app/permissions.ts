// Permissions of the app's session: the window needs none of the web platform's (camera, notifications,
// geolocation, HID, serial, …). No `electron` import: the session is typed by the members used here.
import { isAppUrl } from './navigationGuard.js';

/**
 * Whether a permission is granted: only writing text to the clipboard (a "copy" button), and only for the
 * app's own page; everything else is denied.
 */
export function permissionAllowed(permission: string, requestingUrl: string, devOrigin?: string): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl, devOrigin);
}

/** The members of Electron's Session this module uses. */
export interface PermissionSession {
  setPermissionRequestHandler(
    handler: (
      wc: unknown,
      permission: string,
      callback: (granted: boolean) => void,
      details: { requestingUrl?: string },
    ) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (
      wc: unknown,
      permission: string,
      requestingOrigin: string,
      details: { requestingUrl?: string },
    ) => boolean,
  ): void;
  setDevicePermissionHandler(handler: () => boolean): void;
}

/** Installs the request, check and device handlers on a session: deny everything but `permissionAllowed`. */
export function restrictPermissions(session: PermissionSession, devOrigin?: string): void {
  session.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl ?? '', devOrigin)),
  );
  session.setPermissionCheckHandler((_wc, permission, origin, details) =>
    permissionAllowed(permission, details.requestingUrl ?? origin, devOrigin),
  );
  session.setDevicePermissionHandler(() => false);
}
