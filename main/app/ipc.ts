import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CHANNEL_NAMES } from '../core/ipc/contract.js';
import { dispatch, type HandlerTable } from '../core/ipc/handlers.js';

/** True when the call comes from our own page in the main frame (VS Code's sender validation). */
function trustedSender(event: IpcMainInvokeEvent, origin: string): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  try {
    return new URL(frame.url).origin === origin || frame.url.startsWith(origin);
  } catch {
    return false;
  }
}

/** Registers the one handler table with ipcMain; every payload and sender is validated. */
export function registerIpc(table: HandlerTable, origin: string): void {
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!trustedSender(event, origin)) {
        return {
          ok: false,
          error: { code: 'ipc.untrustedSender', messageKey: 'errors.ipcUntrustedSender', params: { channel } },
        };
      }
      return dispatch(table, channel, payload);
    });
  }
}
