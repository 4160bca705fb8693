import { app, BrowserWindow, dialog, Menu, protocol, session, shell } from 'electron';
import { join } from 'node:path';
import sudoPrompt from '@vscode/sudo-prompt';
import { createSystemContext, isAdmin } from '../core/system.js';
import { createHandlers, type AppServices } from '../core/ipc/handlers.js';
import { isAllowedExternal } from '../core/application/service.js';
import { registerIpc, sendToWindow } from './ipc.js';
import { pickInputFile, pickSaveFile, pickResultsFolder } from './dialogs.js';
import { loadWindowStateSync, saveWindowState } from './windowState.js';
import { APP_INDEX_URL, APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './appProtocol.js';
import { guardWebContents, isAllowedRequest } from './navigationGuard.js';
import { restrictPermissions } from './permissions.js';
import { menuLanguage } from './menu.js';
import { describeError } from '../core/errorLog.js';
import { detectLang, translator } from '../core/i18n.js';
import { renderMessage } from '../core/message.js';
import { redactText } from '../core/secrets.js';

/** `--root=DIR` (or `--root DIR`): run the app against a system tree mounted at DIR (an image, a test sandbox). */
function rootArg(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--root' || a.startsWith('--root='));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.slice('--root='.length) : argv[i + 1];
}

/** The dev server (electron-vite dev), never in a packaged app. */
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const devOrigin = devUrl ? new URL(devUrl).origin : undefined;
const rendererDir = join(import.meta.dirname, '../renderer');
const osLang = (): 'ja' | 'en' => (app.getLocale().toLowerCase().startsWith('ja') ? 'ja' : 'en');

/** Opens a link in the browser, only when it is vendor documentation over https (isAllowedExternal). */
async function openDocumentation(url: string): Promise<void> {
  if (isAllowedExternal(url)) await shell.openExternal(url);
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
      // A middle click must not open a link anywhere (Electronegativity's AUXCLICK check).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  if (state.maximized) win.maximize();
  win.on('ready-to-show', () => win.show());
  win.on('close', () => {
    const b = win.getNormalBounds();
    void saveWindowState(stateFile, { ...b, maximized: win.isMaximized() });
  });
  void win.loadURL(devUrl ?? APP_INDEX_URL);
  return win;
}

// An error no handler caught (a callback, a promise nobody awaited) is a bug: logged with its stack, masked, and
// shown masked — Electron's own box would show the raw stack, secrets included.
const strayError = (err: unknown): void => {
  const info = describeError(err, 'app');
  const t = translator(detectLang());
  const text = [info.message, info.remedy].flatMap((m) => (m ? [renderMessage(t, m)] : [])).join('\n\n');
  dialog.showErrorBox('dsa-setup', redactText(text));
};
process.on('uncaughtException', strayError);
process.on('unhandledRejection', strayError);

// Before `ready`: every renderer sandboxed, and the app scheme privileged (an origin of its own, secure).
app.enableSandbox();
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
// One guard for every webContents, whichever created it: navigation, redirects, frames, windows, webviews.
app.on('web-contents-created', (_event, contents) =>
  guardWebContents(contents, { devOrigin, isAllowedExternal, openInBrowser: (url) => void openDocumentation(url) }),
);

if (!app.requestSingleInstanceLock()) app.quit();
else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  void app.whenReady().then(() => {
    restrictPermissions(session.defaultSession, devOrigin);
    protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request));
    // No remote content: every request that is not the app's own (or, in development, the dev server's) is cancelled.
    session.defaultSession.webRequest.onBeforeRequest((details, cb) =>
      cb({ cancel: !isAllowedRequest(details.url, devOrigin) }),
    );
    // The menu starts in the OS language, as the window does, and follows the window's switch (`app:setLang`).
    const menu = menuLanguage({
      packaged: app.isPackaged,
      lang: osLang(),
      set: (template) => Menu.setApplicationMenu(Menu.buildFromTemplate(template)),
    });
    const root = rootArg(process.argv);
    const sys = createSystemContext(root ? { root } : {});
    const services: AppServices = {
      pickFile: (kind) => pickInputFile(mainWindow, kind),
      saveFile: (name) => pickSaveFile(mainWindow, join(app.getPath('documents'), name)),
      pickFolder: () => pickResultsFolder(mainWindow),
      openExternal: openDocumentation,
      // Only a file this session exported reaches here (the service keeps the list).
      showInFolder: (path) => shell.showItemInFolder(path),
      emit: (event, payload) => sendToWindow(mainWindow?.webContents, event, payload),
      // One elevation per plan: the app's own CLI (Electron in node mode) through @vscode/sudo-prompt.
      elevation: {
        execPath: process.execPath,
        // Electron in node mode reads the CLI (and its dependencies) from inside app.asar.
        cliPath: join(import.meta.dirname, 'cli.js'),
        sudoExec: (cmd, opts, cb) => sudoPrompt.exec(cmd, opts, cb),
      },
      isAdmin,
      // The window's language: the OS's until the window switches (the jobs' texts and the menu follow it).
      lang: () => menu.lang(),
      setLang: (lang) => menu.setLang(lang),
    };
    registerIpc(createHandlers(sys, services), devOrigin ?? APP_ORIGIN);
    mainWindow = createWindow(join(app.getPath('userData'), 'window-state.json'));
  });
  app.on('window-all-closed', () => app.quit());
}
