// Page callbacks run in the browser: the DOM types apply to them.
import { createServer, type Server } from 'node:http';
import { promises as fs } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createSystemContext } from '../../main/core/system.js';
import { createHandlers, dispatch, headlessServices, type AppServices } from '../../main/core/ipc/handlers.js';
import { EVENTS, VERBS, buildDsaSetupApi } from '../../main/core/ipc/verbs.js';
import type { InputKind } from '../../main/core/ipc/contract.js';
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

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Serves the BUILT renderer (out/renderer) on a loopback port, as the app's file tree would. */
export async function serveRenderer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
        /^(\.\.[/\\])+/,
        '',
      );
      const file = join(RENDERER_DIR, path === '/' ? 'index.html' : path);
      if (!file.startsWith(RENDERER_DIR)) return res.writeHead(403).end();
      try {
        const data = await fs.readFile(file);
        res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(data);
      } catch {
        res.writeHead(404).end();
      }
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
 * Opens the built renderer with `window.dsaSetup` provided over the SAME handler table as the Electron
 * shell (createHandlers + dispatch), registered through page.exposeBinding, and the SAME API builder as
 * the preload (buildDsaSetupApi over the shared verb table). The browser locale plays the OS language.
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
        .evaluate(([e, p]) => (window as unknown as { __dsaEmit(e: string, p: unknown): void }).__dsaEmit(e, p), [
          event,
          payload,
        ] as const)
        .catch(() => {});
    },
    lang: () => opts.lang,
    ...opts.services,
  };
  const table = createHandlers(sys, services);
  await page.exposeBinding('__dsaInvoke', async (source, channel: string, payload: unknown) => {
    // The harness's sender check: main frame of our own page only, as main/app/ipc.ts does.
    if (source.frame !== page.mainFrame() || !source.frame.url().startsWith(baseUrl)) {
      return {
        ok: false,
        error: { code: 'ipc.untrustedSender', messageKey: 'errors.ipcUntrustedSender', params: { channel } },
      };
    }
    const reply = await dispatch(table, channel, payload);
    opts.onReply?.(channel, reply);
    return reply;
  });
  await page.exposeBinding('__dsaPathFor', async (_source, name: string) => opts.dropPaths?.[name] ?? null);
  await page.addInitScript(
    ({ build, verbs, events }) => {
      const listeners = new Map<string, Set<(p: unknown) => void>>();
      const w = window as unknown as Record<string, unknown>;
      w.__dsaEmit = (channel: string, payload: unknown) => listeners.get(channel)?.forEach((l) => l(payload));
      const buildApi = new Function(`return (${build})`)() as typeof buildDsaSetupApi;
      w.dsaSetup = buildApi(
        verbs,
        events,
        (channel, payload) => (w.__dsaInvoke as (c: string, p: unknown) => Promise<unknown>)(channel, payload),
        (channel, listener) => {
          const set = listeners.get(channel) ?? new Set();
          set.add(listener);
          listeners.set(channel, set);
          return () => set.delete(listener);
        },
        async (file) => (w.__dsaPathFor as (n: string) => Promise<string | null>)((file as { name: string }).name),
      );
    },
    { build: buildDsaSetupApi.toString(), verbs: VERBS, events: EVENTS },
  );
  await page.goto(baseUrl);
  return { page, remoteRequests, pageErrors, close: () => context.close() };
}

/** Saves a screenshot of the page as test-results/screenshots/NAME.png (a test artefact, not committed). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
