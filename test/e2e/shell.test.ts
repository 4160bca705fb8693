// Page callbacks run in the browser: the DOM types apply to them.
// The shell's parts that run in CI without an Electron binary: the BUILT preload (out/preload/index.cjs) over a
// stand-in `electron` module, the IPC wrapper of main/app/ipc.ts (sender check, contract validation), and the
// app:// handler with its CSP header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CONTENT_SECURITY_POLICY } from '../../main/app/appProtocol.js';
import { VERBS } from '../../main/core/ipc/verbs.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { launchChromium, openApp, serveRenderer } from './harness.js';
import { heading } from './flows.js';

let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;

beforeAll(async () => {
  server = await serveRenderer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  cleanupRoots();
});

const open = () => openApp(browser, server.url, { root: makeRoot({ ...OS_RELEASE.el8, hosts: '' }), lang: 'en' });

describe('the built preload in the page', () => {
  it('exposes dsaSetup once, frozen, with one verb per channel, and nothing of Node or IPC', async () => {
    const app = await open();
    try {
      await heading(app.page).waitFor();
      const seen = await app.page.evaluate(() => {
        const w = window as unknown as Record<string, unknown>;
        const api = w.dsaSetup as Record<string, unknown>;
        return {
          keys: Object.keys(api).sort(),
          frozen: Object.isFrozen(api),
          writable: Object.getOwnPropertyDescriptor(window, 'dsaSetup')?.writable,
          require: typeof w.require,
          ipcRenderer: typeof w.ipcRenderer,
          process: typeof w.process,
        };
      });
      expect(seen).toEqual({
        keys: [...Object.keys(VERBS), 'onApplyProgress', 'onProgress', 'pathForFile'].sort(),
        frozen: true,
        writable: false,
        require: 'undefined',
        ipcRenderer: 'undefined',
        process: 'undefined',
      });
      // A call goes through the preload, the wrapper's sender check and the contract's validation.
      const bad = await app.page.evaluate(() =>
        (window as unknown as { dsaSetup: { openExternal(r: unknown): Promise<unknown> } }).dsaSetup.openExternal({
          url: 42,
        }),
      );
      expect(bad).toMatchObject({ ok: false, error: { code: 'ipc.badRequest' } });
      const info = await app.page.evaluate(() =>
        (window as unknown as { dsaSetup: { appInfo(): Promise<unknown> } }).dsaSetup.appInfo(),
      );
      expect(info).toMatchObject({ ok: true });
      expect(app.pageErrors).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('refuses a call from a frame inside the page (main frame of our own page only)', async () => {
    const app = await open();
    try {
      await heading(app.page).waitFor();
      await app.page.evaluate(() => {
        const f = document.createElement('iframe');
        f.srcdoc = '<p>frame</p>';
        f.name = 'inner';
        document.body.append(f);
        return new Promise((r) => f.addEventListener('load', r));
      });
      const frame = app.page.frame({ name: 'inner' });
      expect(frame).not.toBeNull();
      const reply = await frame!.evaluate(() =>
        (window as unknown as { dsaSetup: { appInfo(): Promise<unknown> } }).dsaSetup.appInfo(),
      );
      expect(reply).toEqual({
        ok: false,
        error: {
          code: 'ipc.untrustedSender',
          message: { key: 'errors.ipcUntrustedSender', params: { channel: 'app:info' } },
        },
      });
    } finally {
      await app.close();
    }
  });
});

describe('the app:// handler behind the page', () => {
  it('sends the CSP as a header with the page and its scripts, and refuses paths out of the renderer', async () => {
    const app = await open();
    try {
      const page = await app.page.request.get(server.url);
      expect(page.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      const script = await app.page.evaluate(() => document.querySelector('script[type=module]')!.getAttribute('src'));
      const js = await app.page.request.get(new URL(script!, server.url).href);
      expect(js.headers()['content-type']).toBe('text/javascript; charset=utf-8');
      expect(js.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      for (const path of ['..%2f..%2fpackage.json', '..%5c..%5cpackage.json', '%2e%2e%2f%2e%2e%2fpackage.json']) {
        const r = await app.page.request.get(`${server.url}${path}`);
        expect(r.status(), path).toBe(403);
      }
      // An inline script is refused by the header's policy (the page reports the violation).
      const ran = await app.page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.head.append(s);
        return (window as unknown as { __inline?: number }).__inline ?? null;
      });
      expect(ran).toBeNull();
    } finally {
      await app.close();
    }
  });
});
