// The wrapper every IPC call goes through, in the Electron shell (main/app/ipc.ts) and in the e2e harness
// (test/e2e/harness.ts, behind the built preload): the sender check, then the contract's validation and the
// handler (dispatch). No `electron` import, so the harness runs this very code.
import { dispatch, type HandlerTable } from '../core/ipc/handlers.js';
import { isTrustedSender } from '../core/ipc/sender.js';
import { msg } from '../core/message.js';

/** The frame an IPC call came from (Electron's event.senderFrame; null when it is gone). */
export interface SenderFrame {
  url: string;
  isMainFrame: boolean;
}

/** An IPC handler over the table that serves only the main frame of the app's own page (`origin`). */
export function guardedDispatch(
  table: HandlerTable,
  origin: string,
): (channel: string, sender: SenderFrame | null, payload: unknown) => ReturnType<typeof dispatch> {
  return async (channel, sender, payload) => {
    if (!sender || !isTrustedSender(sender.url, sender.isMainFrame, origin)) {
      return {
        ok: false,
        error: { code: 'ipc.untrustedSender', message: msg('errors.ipcUntrustedSender', { channel }) },
      };
    }
    return dispatch(table, channel, payload);
  };
}
