import { app, BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';
import sudoPrompt from '@vscode/sudo-prompt';
import { pathToFileURL } from 'node:url';
import { createSystemContext, isAdmin } from '../core/system.js';
import { createHandlers, isAllowedExternal, type AppServices } from '../core/ipc/handlers.js';
import { registerIpc, sendToWindow } from './ipc.js';
import { pickInputFile, pickSaveFile, pickResultsFolder } from './dialogs.js';
import { loadWindowStateSync, saveWindowState } from './windowState.js';

/** `--root=DIR` (or `--root DIR`): run the app against a system tree mounted at DIR (an image, a test sandbox). */
function rootArg(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--root' || a.startsWith('--root='));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.slice('--root='.length) : argv[i + 1];
}

let mainWindow: BrowserWindow | undefined;

function createWindow(stateFile: string): BrowserWindow {
  const state = loadWindowStateSync(stateFile);
  const win = new BrowserWindow({
    width: state.width,
    height: state.height,
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'dsa-setup',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  if (state.maximized) win.maximize();
  win.on('ready-to-show', () => win.show());
  win.on('close', () => {
    const b = win.getNormalBounds();
    void saveWindowState(stateFile, { ...b, maximized: win.isMaximized() });
  });
  // No new windows; allowed documentation links open in the browser. No navigation away from the app.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  if (process.env.ELECTRON_RENDERER_URL && !app.isPackaged) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return win;
}

if (!app.requestSingleInstanceLock()) app.quit();
else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
    // No remote content: every request that is not the app's own file (or the dev server) is blocked.
    const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
    session.defaultSession.webRequest.onBeforeRequest((details, cb) => {
      const ok =
        details.url.startsWith('file:') ||
        details.url.startsWith('devtools:') ||
        details.url.startsWith('data:') ||
        (!!devUrl && [new URL(devUrl).origin, `ws://${new URL(devUrl).host}`].some((o) => details.url.startsWith(o)));
      cb({ cancel: !ok });
    });
    const origin = devUrl ?? pathToFileURL(join(import.meta.dirname, '../renderer/')).href;
    const root = rootArg(process.argv);
    const sys = createSystemContext(root ? { root } : {});
    const services: AppServices = {
      pickFile: (kind) => pickInputFile(mainWindow, kind),
      saveFile: (name) => pickSaveFile(mainWindow, join(app.getPath('documents'), name)),
      pickFolder: () => pickResultsFolder(mainWindow),
      openExternal: (url) => shell.openExternal(url),
      emit: (event, payload) => sendToWindow(mainWindow?.webContents, event, payload),
      // One elevation per plan: the app's own CLI (Electron in node mode) through @vscode/sudo-prompt.
      elevation: {
        execPath: process.execPath,
        // Electron in node mode reads the CLI (and its dependencies) from inside app.asar.
        cliPath: join(import.meta.dirname, 'cli.js'),
        sudoExec: (cmd, opts, cb) => sudoPrompt.exec(cmd, opts, cb),
      },
      isAdmin,
      lang: () => (app.getLocale().toLowerCase().startsWith('ja') ? 'ja' : 'en'),
    };
    registerIpc(createHandlers(sys, services), origin);
    mainWindow = createWindow(join(app.getPath('userData'), 'window-state.json'));
  });
  app.on('window-all-closed', () => app.quit());
}
