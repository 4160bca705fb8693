import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CHANNEL_NAMES } from '../core/ipc/contract.js';
import { dispatch, type HandlerTable } from '../core/ipc/handlers.js';
import { isTrustedSender } from '../core/ipc/sender.js';
import { redactJson } from '../core/secrets.js';

/** True when the call comes from our own page in the main frame. */
function trustedSender(event: IpcMainInvokeEvent, origin: string): boolean {
  const frame = event.senderFrame;
  return !!frame && isTrustedSender(frame.url, frame === event.sender.mainFrame, origin);
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

/** Sends an event to the window's page (events never carry the raw IPC event back). */
export function sendToWindow(contents: WebContents | undefined, channel: string, payload: unknown): void {
  if (contents && !contents.isDestroyed()) contents.send(channel, redactJson(payload));
}
