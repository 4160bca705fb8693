import { dialog, type BrowserWindow } from 'electron';
import type { InputKind } from '../core/ipc/contract.js';

const FILTERS: Record<InputKind, { name: string; extensions: string[] }[]> = {
  hosts: [
    { name: 'Text', extensions: ['txt'] },
    { name: '*', extensions: ['*'] },
  ],
  activation: [
    { name: 'Text / script', extensions: ['txt', 'sh', 'ps1', 'cmd'] },
    { name: '*', extensions: ['*'] },
  ],
  installer: [
    { name: 'Agent package', extensions: ['rpm', 'deb', 'msi', 'zip'] },
    { name: '*', extensions: ['*'] },
  ],
};

/** The open-file dialog for one input; null when canceled. */
export async function pickInputFile(win: BrowserWindow | undefined, kind: InputKind): Promise<string | null> {
  const opts = { properties: ['openFile' as const], filters: FILTERS[kind] };
  const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

/** The save dialog for an export; null when canceled. */
export async function pickSaveFile(win: BrowserWindow | undefined, defaultPath: string): Promise<string | null> {
  const r = win ? await dialog.showSaveDialog(win, { defaultPath }) : await dialog.showSaveDialog({ defaultPath });
  return r.canceled ? null : (r.filePath ?? null);
}

/** The folder dialog for a folder of doctor results; null when canceled. */
export async function pickResultsFolder(win: BrowserWindow | undefined): Promise<string | null> {
  const opts = { properties: ['openDirectory' as const] };
  const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}
