// Page callbacks run in the browser: the DOM types apply to them.
import { createServer, type Server } from 'node:http';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createSystemContext } from '../../main/core/system.js';
import { createHandlers, headlessServices, type AppServices } from '../../main/core/ipc/handlers.js';
import type { InputKind } from '../../main/core/ipc/contract.js';
import { APP_ORIGIN, serveAppRequest } from '../../main/app/appProtocol.js';
import { guardedDispatch } from '../../main/app/guardedDispatch.js';
import { redactJson } from '../../main/core/secrets.js';
import { PROJECT } from '../helpers/cli.js';

export const RENDERER_DIR = join(PROJECT, 'out/renderer');
export const SCREENSHOT_DIR = join(PROJECT, 'test-results/screenshots');

/** Debian's Chromium with the flags that keep it off the network and quiet (never `playwright install`). */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

export const PRELOAD_BUNDLE = join(PROJECT, 'out/preload/index.cjs');

/**
 * Serves the BUILT renderer (out/renderer) on a loopback port through the shell's own app:// handler
 * (serveAppRequest: the same path checks, types and CSP header as the app's protocol).
 */
export async function serveRenderer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const r = await serveAppRequest(RENDERER_DIR, { url: `${APP_ORIGIN}${req.url ?? '/'}`, method: req.method });
      res.writeHead(r.status, Object.fromEntries(r.headers)).end(Buffer.from(await r.arrayBuffer()));
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Starts Debian's Chromium headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ ...CHROMIUM, headless: true });
}

export interface OpenOptions {
  /** The sandbox system tree the handlers work on. */
  root: string;
  lang: 'ja' | 'en';
  /** What the stand-in open-file dialog answers per input (null: canceled). */
  files?: Partial<Record<InputKind, string>>;
  /** Where a dropped file "is", by its name (Electron's webUtils.getPathForFile; a browser cannot know). */
  dropPaths?: Record<string, string>;
  /** What the stand-in save dialog answers. */
  saveTo?: (name: string) => string;
  services?: Partial<AppServices>;
  viewport?: { width: number; height: number };
  /** Sees every IPC reply the page got (what crossed the boundary, untranslated). */
  onReply?: (channel: string, reply: unknown) => void;
}

export interface AppPage {
  page: Page;
  /** Requests that left the page for anything other than the renderer's own server. */
  remoteRequests: string[];
  /** Console errors and page errors (a CSP violation is reported here). */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * The page-side stand-in for the `electron` module a sandboxed preload gets, around the preload bundle's source:
 * contextBridge.exposeInMainWorld defines the global once, ipcRenderer.invoke goes to the `__dsaIpcInvoke`
 * binding (the shell's IPC wrapper), ipcRenderer.on receives what `__dsaEmit` sends, webUtils.getPathForFile
 * answers from `dropPaths` ("" when unknown, as Electron). Any other require fails, as in a sandbox.
 */
export function preloadWithElectronStandIn(preloadSource: string, dropPaths: Record<string, string>): string {
  return `(() => {
  const listeners = new Map();
  window.__dsaEmit = (channel, payload) => listeners.get(channel)?.forEach((l) => l({}, payload));
  const paths = ${JSON.stringify(dropPaths)};
  const electron = Object.freeze({
    contextBridge: Object.freeze({
      exposeInMainWorld(key, api) {
        if (Object.hasOwn(window, key)) throw new Error('exposeInMainWorld: ' + key + ' is already defined');
        Object.defineProperty(window, key, { value: api, enumerable: true });
      },
    }),
    ipcRenderer: Object.freeze({
      invoke: (channel, payload) => window.__dsaIpcInvoke(channel, payload),
      on(channel, listener) {
        const set = listeners.get(channel) ?? new Set();
        set.add(listener);
        listeners.set(channel, set);
        return this;
      },
      removeListener(channel, listener) {
        listeners.get(channel)?.delete(listener);
        return this;
      },
    }),
    webUtils: Object.freeze({ getPathForFile: (file) => paths[file.name] ?? '' }),
  });
  const require = (id) => {
    if (id === 'electron') return electron;
    throw new Error('Cannot find module ' + JSON.stringify(id) + ' (a sandboxed preload has only electron)');
  };
  const module = { exports: {} };
  (function (require, module, exports) {
${preloadSource}
  })(require, module, module.exports);
})();`;
}

/**
 * Opens the built renderer with `window.dsaSetup` made by the BUILT preload (out/preload/index.cjs) over a
 * stand-in `electron` module; its ipcRenderer.invoke reaches the SAME handler table as the Electron shell
 * (createHandlers) through the SAME wrapper as main/app/ipc.ts (guardedDispatch: sender check, contract
 * validation, dispatch). The browser locale plays the OS language.
 */
export async function openApp(browser: Browser, baseUrl: string, opts: OpenOptions): Promise<AppPage> {
  const context = await browser.newContext({
    locale: opts.lang === 'ja' ? 'ja-JP' : 'en-US',
    viewport: opts.viewport ?? { width: 1100, height: 800 },
  });
  const page = await context.newPage();
  const remoteRequests: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(baseUrl)) remoteRequests.push(r.url());
  });
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const sys = createSystemContext({ root: opts.root });
  const services: AppServices = {
    ...headlessServices,
    pickFile: async (kind) => opts.files?.[kind] ?? null,
    saveFile: async (name) => (opts.saveTo ? opts.saveTo(name) : null),
    emit: (event, payload) => {
      void page
        // As main/app/ipc.ts sendToWindow: events leave the main side redacted.
        .evaluate(([e, p]) => (window as unknown as { __dsaEmit(e: string, p: unknown): void }).__dsaEmit(e, p), [
          event,
          redactJson(payload),
        ] as const)
        .catch(() => {});
    },
    lang: () => opts.lang,
    ...opts.services,
  };
  const handle = guardedDispatch(createHandlers(sys, services), baseUrl);
  await page.exposeBinding('__dsaIpcInvoke', async (source, channel: string, payload: unknown) => {
    const reply = await handle(
      channel,
      { url: source.frame.url(), isMainFrame: source.frame === page.mainFrame() },
      payload,
    );
    opts.onReply?.(channel, reply);
    return reply;
  });
  const preload = await fs.readFile(PRELOAD_BUNDLE, 'utf8');
  await page.addInitScript({ content: preloadWithElectronStandIn(preload, opts.dropPaths ?? {}) });
  await page.goto(baseUrl);
  return { page, remoteRequests, pageErrors, close: () => context.close() };
}

/** Saves a screenshot of the page as test-results/screenshots/NAME.png (a test artefact, not committed). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
