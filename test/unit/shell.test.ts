// The desktop shell's decisions, run in Node (the Electron binary cannot run here): what app:// serves and
// refuses, the CSP it sends, where a page may navigate, which permissions it gets, the menu, the IPC wrapper,
// and the fuses of the packaged binary.
import { afterAll, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APP_INDEX_URL,
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  resolveAppPath,
  serveAppRequest,
} from '../../main/app/appProtocol.js';
import { guardWebContents, isAllowedRequest, isAppUrl, type GuardedContents } from '../../main/app/navigationGuard.js';
import { permissionAllowed, restrictPermissions, type PermissionSession } from '../../main/app/permissions.js';
import { menuLanguage, menuRoles, menuTemplate, type MenuItemTemplate } from '../../main/app/menu.js';
import { guardedDispatch } from '../../main/app/guardedDispatch.js';
import { translator } from '../../main/core/i18n.js';
import { createSystemContext } from '../../main/core/system.js';
import { createHandlers, dispatch, headlessServices } from '../../main/core/ipc/handlers.js';
import { isAllowedExternal } from '../../main/core/application/service.js';
import { isTrustedSender } from '../../main/core/ipc/sender.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { PROJECT } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), `dsa-shell-${process.pid}-`));
const renderer = join(work, 'renderer');
mkdirSync(join(renderer, 'assets'), { recursive: true });
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>app</title>');
writeFileSync(join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(work, 'secret.txt'), 'root:x:0:0');
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  cleanupRoots();
});

describe('the app:// protocol', () => {
  it('serves the renderer’s files with their type, the CSP header and nosniff', async () => {
    const index = await serveAppRequest(renderer, { url: APP_INDEX_URL });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<title>app</title>');
    const root = await serveAppRequest(renderer, { url: `${APP_ORIGIN}/` });
    expect(await root.text()).toContain('<title>app</title>');
    const js = await serveAppRequest(renderer, { url: `${APP_ORIGIN}/assets/index-abc.js?v=1#x` });
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
  });

  it.each([
    ['..%2fsecret.txt', 403],
    ['assets/..%2f..%2fsecret.txt', 403],
    ['%2e%2e%2fsecret.txt', 403],
    ['..%5csecret.txt', 403],
    ['assets%5c..%5c..%5csecret.txt', 403],
    ['index.html%00.js', 403],
    ['C:%5cWindows%5cwin.ini', 403],
    ['%E0%A4%A', 400],
    ['missing.js', 404],
    ['assets', 404],
  ])('refuses app://dsa-setup/%s with %i and never answers with a file outside the renderer', async (path, status) => {
    const r = await serveAppRequest(renderer, { url: `${APP_ORIGIN}/${path}` });
    expect(r.status).toBe(status);
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await r.text()).not.toContain('root:x');
  });

  it('resolves dot segments the URL parser already removed inside the renderer, and refuses other hosts and schemes', () => {
    // WHATWG URL parsing drops plain `..` segments before the handler sees them: they cannot leave the root.
    expect(resolveAppPath(renderer, `${APP_ORIGIN}/../../secret.txt`)).toEqual({
      file: join(renderer, 'secret.txt'),
      contentType: 'application/octet-stream',
    });
    expect(resolveAppPath(renderer, 'app://other/index.html')).toEqual({ status: 404 });
    expect(resolveAppPath(renderer, 'file:///etc/passwd')).toEqual({ status: 404 });
    expect(resolveAppPath(renderer, 'not a url')).toEqual({ status: 400 });
  });

  it('answers only GET and HEAD', async () => {
    expect((await serveAppRequest(renderer, { url: APP_INDEX_URL, method: 'POST' })).status).toBe(405);
    const head = await serveAppRequest(renderer, { url: APP_INDEX_URL, method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('sends the same policy as the renderer’s meta tag, with no unsafe source, no remote host and no framing', () => {
    const meta = readFileSync(join(PROJECT, 'renderer/index.html'), 'utf8').match(
      /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/,
    );
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|https?:|\*/);
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-src 'none'");
  });
});

describe('the navigation guard on every webContents', () => {
  /** A webContents as far as the guard sees it: Node's EventEmitter plus the window-open handler slot. */
  function contents(): EventEmitter & GuardedContents & { openHandler?: (d: { url: string }) => { action: 'deny' } } {
    const c = new EventEmitter() as EventEmitter &
      GuardedContents & { openHandler?: (d: { url: string }) => { action: 'deny' } };
    c.setWindowOpenHandler = (h) => {
      c.openHandler = h;
    };
    return c;
  }
  /** Emits a navigation event the way Electron does (the URL on the event and as the second argument). */
  function navigate(c: EventEmitter, event: string, url: string): boolean {
    let prevented = false;
    c.emit(event, { url, preventDefault: () => (prevented = true) }, url);
    return prevented;
  }

  it('keeps navigation, redirects and frame navigation on the app’s own pages', () => {
    const c = contents();
    guardWebContents(c, { isAllowedExternal, openInBrowser: () => {} });
    for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      expect(navigate(c, event, `${APP_ORIGIN}/index.html`), event).toBe(false);
      expect(navigate(c, event, 'https://help.deepsecurity.trendmicro.com/'), event).toBe(true);
      expect(navigate(c, event, 'file:///etc/passwd'), event).toBe(true);
      expect(navigate(c, event, 'app://evil/index.html'), event).toBe(true);
      expect(navigate(c, event, 'http://localhost:5173/'), event).toBe(true);
    }
    let attached = true;
    c.emit('will-attach-webview', { preventDefault: () => (attached = false) });
    expect(attached).toBe(false);
  });

  it('allows the dev server only when one is given (development, never packaged)', () => {
    const c = contents();
    guardWebContents(c, { devOrigin: 'http://localhost:5173', isAllowedExternal, openInBrowser: () => {} });
    expect(navigate(c, 'will-navigate', 'http://localhost:5173/index.html')).toBe(false);
    expect(navigate(c, 'will-navigate', 'http://localhost:5174/')).toBe(true);
  });

  it('denies every new window and opens only vendor documentation over https in the browser', () => {
    const opened: string[] = [];
    const c = contents();
    guardWebContents(c, { isAllowedExternal, openInBrowser: (u) => opened.push(u) });
    for (const url of [
      'https://help.deepsecurity.trendmicro.com/20_0/on-premise/',
      'http://help.deepsecurity.trendmicro.com/',
      'https://evil.example/',
      'javascript:alert(1)',
      `${APP_ORIGIN}/index.html`,
    ])
      expect(c.openHandler!({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://help.deepsecurity.trendmicro.com/20_0/on-premise/']);
  });

  it('lets through only the app’s own requests and data: URLs (the dev server and devtools in development)', () => {
    expect(isAllowedRequest(`${APP_ORIGIN}/assets/index.js`)).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA')).toBe(true);
    expect(isAllowedRequest('https://agents.example.com/')).toBe(false);
    expect(isAllowedRequest('file:///etc/passwd')).toBe(false);
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html')).toBe(false);
    expect(isAllowedRequest('ws://localhost:5173/')).toBe(false);
    const dev = 'http://localhost:5173';
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', dev)).toBe(true);
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html', dev)).toBe(true);
    expect(isAllowedRequest('http://127.0.0.1:5173/', dev)).toBe(false);
    expect(isAppUrl('app://dsa-setup.evil/')).toBe(false);
  });
});

describe('permissions', () => {
  it('denies every permission but writing to the clipboard from the app’s own page', () => {
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'midi',
      'openExternal',
      'fullscreen',
      'clipboard-read',
      'hid',
    ])
      expect(permissionAllowed(p, APP_INDEX_URL), p).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', APP_INDEX_URL)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
  });

  it('installs a request, a check and a device handler that answer so', () => {
    const answers: boolean[] = [];
    const s: PermissionSession & Record<string, unknown> = {
      setPermissionRequestHandler: (h) => (s.request = h),
      setPermissionCheckHandler: (h) => (s.check = h),
      setDevicePermissionHandler: (h) => (s.device = h),
    };
    restrictPermissions(s);
    type Req = Parameters<PermissionSession['setPermissionRequestHandler']>[0];
    type Check = Parameters<PermissionSession['setPermissionCheckHandler']>[0];
    (s.request as Req)(null, 'media', (g) => answers.push(g), { requestingUrl: APP_INDEX_URL });
    (s.request as Req)(null, 'clipboard-sanitized-write', (g) => answers.push(g), { requestingUrl: APP_INDEX_URL });
    expect(answers).toEqual([false, true]);
    expect((s.check as Check)(null, 'notifications', APP_ORIGIN, {})).toBe(false);
    expect((s.check as Check)(null, 'clipboard-sanitized-write', APP_ORIGIN, {})).toBe(true);
    expect((s.device as () => boolean)()).toBe(false);
  });
});

describe('the application menu', () => {
  it('has no Reload and no Developer Tools in a packaged build, and has them in development', () => {
    const t = translator('en');
    const packaged = menuRoles(menuTemplate({ packaged: true, t }));
    expect(packaged).not.toEqual(expect.arrayContaining(['reload']));
    for (const r of ['reload', 'forceReload', 'toggleDevTools'] as const) expect(packaged).not.toContain(r);
    expect(packaged).toEqual(expect.arrayContaining(['quit', 'copy', 'paste', 'zoomIn', 'zoomOut', 'resetZoom']));
    const dev = menuRoles(menuTemplate({ packaged: false, t }));
    expect(dev).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('labels every item in the window’s language', () => {
    for (const lang of ['ja', 'en'] as const) {
      const labels = JSON.stringify(menuTemplate({ packaged: false, t: translator(lang) }));
      expect(labels).not.toContain('ui.menu.');
      expect(labels).toContain(lang === 'ja' ? '"label":"編集"' : '"label":"Edit"');
    }
  });

  it('is built again in the language the window switches to (app:setLang), and only then', async () => {
    const set: MenuItemTemplate[][] = [];
    const menu = menuLanguage({ packaged: true, lang: 'en', set: (tpl) => set.push(tpl) });
    const fileMenu = (i: number) => set[i]![0]!;
    expect(set).toHaveLength(1);
    expect(fileMenu(0).label).toBe('File');
    expect(fileMenu(0).submenu![0]!.label).toBe('Quit DSA Setup');
    // The window's switch reaches the shell through the contract's channel and the handler table.
    const handlers = createHandlers(createSystemContext({ root: makeRoot({ ...OS_RELEASE.el8, hosts: '' }) }), {
      ...headlessServices,
      lang: () => menu.lang(),
      setLang: (lang) => menu.setLang(lang),
    });
    expect(await dispatch(handlers, 'app:setLang', { lang: 'ja' })).toEqual({ ok: true, value: { lang: 'ja' } });
    expect(set).toHaveLength(2);
    expect(fileMenu(1).label).toBe('ファイル');
    expect(fileMenu(1).submenu![0]!.label).toBe('DSA Setup を終了');
    expect(menu.lang()).toBe('ja');
    // The same language again builds nothing; a language the contract does not know is refused before the shell.
    menu.setLang('ja');
    expect(set).toHaveLength(2);
    const bad = await dispatch(handlers, 'app:setLang', { lang: 'fr' });
    expect(bad.ok).toBe(false);
    expect(set).toHaveLength(2);
    menu.setLang('en');
    expect(fileMenu(2).label).toBe('File');
  });
});

describe('the IPC wrapper (shared by main/app/ipc.ts and the e2e harness)', () => {
  const table = () =>
    createHandlers(createSystemContext({ root: makeRoot({ ...OS_RELEASE.el8, hosts: '' }) }), headlessServices);

  it('serves the main frame of app://dsa-setup/ only', () => {
    expect(isTrustedSender(APP_INDEX_URL, true, APP_ORIGIN)).toBe(true);
    expect(isTrustedSender(APP_INDEX_URL, false, APP_ORIGIN)).toBe(false);
    // A custom scheme's origin is "null" for the URL parser: another scheme or host must not pass as ours.
    expect(isTrustedSender('app://evil/index.html', true, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender('other://dsa-setup/index.html', true, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender('file:///opt/app/index.html', true, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender('https://dsa-setup/', true, APP_ORIGIN)).toBe(false);
  });

  it('answers an untrusted sender with the translated refusal and never runs the handler', async () => {
    const handle = guardedDispatch(table(), APP_ORIGIN);
    const refused = {
      ok: false,
      error: {
        code: 'ipc.untrustedSender',
        message: { key: 'errors.ipcUntrustedSender', params: { channel: 'app:openExternal' } },
      },
    };
    const req = { url: 'https://help.deepsecurity.trendmicro.com/' };
    expect(await handle('app:openExternal', { url: 'app://evil/', isMainFrame: true }, req)).toEqual(refused);
    expect(await handle('app:openExternal', { url: APP_INDEX_URL, isMainFrame: false }, req)).toEqual(refused);
    expect(await handle('app:openExternal', null, req)).toEqual(refused);
    const ok = await handle(
      'app:openExternal',
      { url: APP_INDEX_URL, isMainFrame: true },
      { url: 'https://evil.example/' },
    );
    expect(ok).toEqual({ ok: true, value: { opened: false } });
    const bad = await handle('app:openExternal', { url: APP_INDEX_URL, isMainFrame: true }, { url: 42 });
    expect(bad.ok === false && bad.error.code).toBe('ipc.badRequest');
  });
});

describe('the packaged binary’s fuses', () => {
  it('turns off NODE_OPTIONS and --inspect, turns on cookie encryption and asar integrity, and leaves file:// plain', async () => {
    const require = createRequire(import.meta.url);
    const { getConfig } = require('app-builder-lib/out/util/config/config') as {
      getConfig(dir: string, path: null, opts: null): Promise<{ electronFuses?: Record<string, boolean> }>;
    };
    const fuses = (await getConfig(PROJECT, null, null)).electronFuses;
    expect(fuses).toMatchObject({
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // runAsNode is on exactly while elevation or the packaged `dsa-setup` launchers run the app's binary as Node.
    const usesRunAsNode = [
      'main/core/elevation/elevatedJob.ts',
      'build/cli-launcher/dsa-setup',
      'build/cli-launcher/dsa-setup.cmd',
    ].some((f) => readFileSync(join(PROJECT, f), 'utf8').includes('ELECTRON_RUN_AS_NODE'));
    expect(fuses?.runAsNode).toBe(usesRunAsNode);
  });
});
