import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CHANNEL_NAMES } from '../core/ipc/contract.js';
import type { HandlerTable } from '../core/ipc/handlers.js';
import { guardedDispatch, type SenderFrame } from './guardedDispatch.js';
import { redactJson } from '../core/secrets.js';

/** The frame a call came from, as the wrapper checks it. */
function senderFrame(event: IpcMainInvokeEvent): SenderFrame | null {
  const frame = event.senderFrame;
  return frame ? { url: frame.url, isMainFrame: frame === event.sender.mainFrame } : null;
}

/** Registers the one handler table with ipcMain; every payload and sender is validated. */
export function registerIpc(table: HandlerTable, origin: string): void {
  const handle = guardedDispatch(table, origin);
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, (event, payload: unknown) => handle(channel, senderFrame(event), payload));
  }
}

/** Sends an event to the window's page (events never carry the raw IPC event back). */
export function sendToWindow(contents: WebContents | undefined, channel: string, payload: unknown): void {
  if (contents && !contents.isDestroyed()) contents.send(channel, redactJson(payload));
}
