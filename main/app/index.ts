import { app, BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSystemContext } from '../core/system.js';
import { createHandlers } from '../core/ipc/handlers.js';
import { registerIpc } from './ipc.js';

const OPEN_EXTERNAL_ALLOWED = [
  'https://help.deepsecurity.trendmicro.com/',
  'https://cloudone.trendmicro.com/docs/',
  'https://success.trendmicro.com/',
];

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1100,
    height: 780,
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.on('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (OPEN_EXTERNAL_ALLOWED.some((p) => url.startsWith(p))) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
}

if (!app.requestSingleInstanceLock()) app.quit();
else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
    const origin = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(import.meta.dirname, '../renderer/')).href;
    registerIpc(createHandlers(createSystemContext()), origin);
    createWindow();
  });
  app.on('window-all-closed', () => app.quit());
}
