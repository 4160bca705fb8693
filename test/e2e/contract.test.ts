import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createSystemContext } from '../../main/core/system.js';
import { CHANNEL_NAMES } from '../../main/core/ipc/contract.js';
import { createHandlers, dispatch, headlessServices } from '../../main/core/ipc/handlers.js';
import { isAllowedExternal } from '../../main/core/application/service.js';
import { isTrustedSender } from '../../main/core/ipc/sender.js';
import { EVENTS, VERBS, buildDsaSetupApi } from '../../main/core/ipc/verbs.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { PROJECT } from '../helpers/cli.js';
import { DEFAULT_WINDOW_STATE, loadWindowStateSync, saveWindowState } from '../../main/app/windowState.js';

afterAll(() => cleanupRoots());

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const table = () =>
  createHandlers(createSystemContext({ root: makeRoot({ ...OS_RELEASE.el8, hosts: '' }) }), headlessServices);

describe('the IPC contract', () => {
  it('has exactly one verb per channel, so the preload and the harness offer every channel and nothing else', () => {
    expect(Object.values(VERBS).sort()).toEqual([...CHANNEL_NAMES].sort());
    const api = buildDsaSetupApi(
      VERBS,
      EVENTS,
      async (c, p) => ({ c, p }),
      () => () => {},
      async () => null,
    );
    expect(Object.keys(api).sort()).toEqual(
      [...Object.keys(VERBS), 'onApplyProgress', 'onProgress', 'pathForFile'].sort(),
    );
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('refuses an unknown channel and a payload that does not match its schema, without calling a handler', async () => {
    const t = table();
    expect(await dispatch(t, 'fs:readFile', { path: '/etc/shadow' })).toEqual({
      ok: false,
      error: {
        code: 'ipc.unknownChannel',
        message: { key: 'errors.ipcUnknownChannel', params: { channel: 'fs:readFile' } },
      },
    });
    const bad = await dispatch(t, 'inputs:parse', { kind: 'passwd', name: 'x', contentBase64: '' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('ipc.badRequest');
    const tooBig = await dispatch(t, 'inputs:parse', {
      kind: 'hosts',
      name: 'x',
      contentBase64: 'A'.repeat(6_000_001),
    });
    expect(tooBig.ok).toBe(false);
  });

  it('refuses a dropped path that is relative, climbs from the working directory or holds NUL; takes Japanese, spaces and Windows paths', async () => {
    const t = table();
    for (const path of ['../../etc/shadow', 'hosts.txt', '/tmp/a\0b', 'C:hosts.txt']) {
      const r = await dispatch(t, 'inputs:load', { kind: 'hosts', path });
      expect(r.ok ? 'ok' : r.error.code).toBe('ipc.badRequest');
      if (!r.ok)
        expect(String(r.error.message.params.detail)).toBe('path: expected an absolute path without NUL characters');
    }
    const dir = mkdtempSync(join(tmpdir(), 'dsa-ipc-path-'));
    try {
      const file = join(dir, 'ホスト ファイル (1).txt');
      writeFileSync(file, '203.0.113.10 dsm01.example.jp\r\n');
      const r = await dispatch(t, 'inputs:load', { kind: 'hosts', path: file });
      expect(r).toMatchObject({ ok: true, value: { kind: 'hosts', entries: [{ address: '203.0.113.10' }] } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // A Windows path passes the contract (it is then read, and not found here: a translated input error).
    const win = await dispatch(t, 'inputs:load', { kind: 'hosts', path: 'C:\\Users\\管理者\\hosts.txt' });
    expect(win.ok ? 'ok' : win.error.code).toBe('input.invalid');
  });

  it('carries an input file error across with its keys, file, line and column', async () => {
    const r = await dispatch(table(), 'inputs:parse', {
      kind: 'hosts',
      name: '/some/dir/VMSecurity_hosts_cln.txt',
      contentBase64: b64('# hosts\n203.0.113.10 dsm.example.jp\n999.1.1.1 relay.example.jp\n'),
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'input.invalid', message: { key: 'inputs.invalidFile' } });
    expect(r.error.issues).toEqual([
      expect.objectContaining({
        file: 'VMSecurity_hosts_cln.txt',
        line: 3,
        column: 1,
        message: expect.objectContaining({ key: 'inputs.hosts.badAddress' }),
      }),
    ]);
  });

  it('never sends an activation token or tenant ID to the window', async () => {
    const token = '8F2E4D6C-1A3B-4C5D-9E7F-0A1B2C3D4E5F';
    const tenant = '5A1C3E2B-7D4F-4C2A-9B1E-0F3D2C1B4A59';
    const r = await dispatch(table(), 'inputs:parse', {
      kind: 'activation',
      name: 'cmd.txt',
      contentBase64: b64(
        `/opt/ds_agent/dsa_control -a dsm://agents.example.com:443/ "tenantID:${tenant}" "token:${token}"\n`,
      ),
    });
    expect(r.ok).toBe(true);
    const json = JSON.stringify(r);
    expect(json).not.toContain(token);
    expect(json).not.toContain(tenant);
    expect(json).toContain('[masked]');
  });

  it('turns an unexpected exception into the internal-error reply naming the log that keeps its stack (never a thrown error across IPC)', async () => {
    const logs = mkdtempSync(join(tmpdir(), 'dsa-errlog-'));
    process.env.DSA_SETUP_LOG_DIR = logs;
    const t = { ...table(), inspect: async () => Promise.reject(new Error('boom')) };
    try {
      expect(await dispatch(t, 'inspect', {})).toEqual({
        ok: false,
        error: {
          code: 'internal',
          message: { key: 'errors.internal', params: { message: 'boom', log: join(logs, 'errors.log') } },
          remedy: { key: 'errors.internalRemedy', params: { log: join(logs, 'errors.log') } },
        },
      });
      const log = readFileSync(join(logs, 'errors.log'), 'utf8');
      expect(log).toContain('[ipc inspect] Error: boom');
      expect(log).toMatch(/\n\s+at .*contract\.test\.ts/);
    } finally {
      delete process.env.DSA_SETUP_LOG_DIR;
      rmSync(logs, { recursive: true, force: true });
    }
    // A handler answering outside its response schema is caught the same way, not passed on.
    const odd = { ...table(), 'app:openExternal': async () => ({ opened: 'yes' }) as never };
    const r = await dispatch(odd, 'app:openExternal', { url: 'https://success.trendmicro.com/' });
    expect(r.ok).toBe(false);
  });

  it('plans nothing and says what is missing when no input was given', async () => {
    const r = await dispatch(table(), 'plan', {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value as { plan: unknown; choices: { id: string; available: boolean; unavailableKey?: string }[] };
    expect(v.choices.find((c) => c.id === 'hosts')).toMatchObject({
      available: false,
      unavailableKey: 'ui.plan.needsHostsFile',
    });
    expect(v.choices.find((c) => c.id === 'install')).toMatchObject({
      available: false,
      unavailableKey: 'ui.plan.needsInstaller',
    });
  });
});

describe('the shell’s guards', () => {
  it('serves only the main frame of the app’s own page', () => {
    const own = 'file:///opt/DSA%20Setup/resources/app.asar/out/renderer/';
    expect(isTrustedSender(`${own}index.html`, true, own)).toBe(true);
    expect(isTrustedSender(`${own}index.html`, false, own)).toBe(false);
    expect(isTrustedSender('file:///tmp/evil/index.html', true, own)).toBe(false);
    expect(isTrustedSender('https://example.com/', true, own)).toBe(false);
    expect(isTrustedSender('http://localhost:5173/index.html', true, 'http://localhost:5173')).toBe(true);
    expect(isTrustedSender('http://localhost:5174/', true, 'http://localhost:5173')).toBe(false);
    expect(isTrustedSender('not a url', true, own)).toBe(false);
  });

  it('opens only https links to the vendor documentation in the browser', () => {
    expect(isAllowedExternal('https://help.deepsecurity.trendmicro.com/20_0/on-premise/')).toBe(true);
    expect(isAllowedExternal('http://help.deepsecurity.trendmicro.com/')).toBe(false);
    expect(isAllowedExternal('https://help.deepsecurity.trendmicro.com.evil.example/')).toBe(false);
    expect(isAllowedExternal('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternal('javascript:alert(1)')).toBe(false);
  });

  it('bundles the preload into one file that needs nothing but electron (sandbox: true) and exposes only dsaSetup', () => {
    const preload = readFileSync(join(PROJECT, 'out/preload/index.cjs'), 'utf8');
    const requires = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect([...new Set(requires)]).toEqual(['electron']);
    expect([...preload.matchAll(/exposeInMainWorld\(\s*["']([^"']+)["']/g)].map((m) => m[1])).toEqual(['dsaSetup']);
  });
});

describe('the renderer and the shell', () => {
  it('keeps API calls in the store: no component or screen touches window.dsaSetup or the api module', () => {
    const dirs = ['renderer/src/components', 'renderer/src/screens'];
    const files = dirs.flatMap((d) => readdirSync(join(PROJECT, d)).map((f) => join(PROJECT, d, f)));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      expect(src, f).not.toMatch(/dsaSetup|from '\.\.\/api'|ipcRenderer/);
    }
  });

  it('remembers the window size, and falls back to the default for a missing or tampered state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsa-winstate-'));
    try {
      const file = join(dir, 'window-state.json');
      expect(loadWindowStateSync(file)).toEqual(DEFAULT_WINDOW_STATE);
      await saveWindowState(file, { width: 1300, height: 900, x: 10, y: 20, maximized: false });
      expect(loadWindowStateSync(file)).toEqual({ width: 1300, height: 900, x: 10, y: 20, maximized: false });
      writeFileSync(file, '{"width": 5, "height": "tall"}');
      expect(loadWindowStateSync(file)).toEqual(DEFAULT_WINDOW_STATE);
      writeFileSync(file, 'not json');
      expect(loadWindowStateSync(file)).toEqual(DEFAULT_WINDOW_STATE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('packaging', () => {
  it('has a valid electron-builder configuration for NSIS (per machine) and rpm, deb, AppImage, with icons', async () => {
    const require = createRequire(import.meta.url);
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      getConfig(dir: string, path: null, opts: null): Promise<Record<string, unknown>>;
      validateConfiguration(c: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown };
    const cfg = (await getConfig(PROJECT, null, null)) as {
      appId: string;
      productName: string;
      nsis: { perMachine: boolean; oneClick: boolean };
      win: { target: { target: string }[] };
      linux: { target: string[]; icon: string };
    };
    await validateConfiguration(cfg, new DebugLogger(false));
    expect(cfg.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(cfg.productName).toBe('DSA Setup');
    expect(cfg.win.target.map((t) => t.target)).toEqual(['nsis']);
    expect(cfg.nsis).toMatchObject({ perMachine: true, oneClick: false });
    expect(cfg.linux.target).toEqual(['rpm', 'deb', 'AppImage']);
    for (const f of ['build/icon.png', 'build/icons/256x256.png', 'build/icons/512x512.png']) {
      const png = readFileSync(join(PROJECT, f));
      expect(png.subarray(1, 4).toString('ascii'), f).toBe('PNG');
    }
    expect(readFileSync(join(PROJECT, 'build/icon.png')).readUInt32BE(16)).toBe(512); // IHDR width
    expect(existsSync(join(PROJECT, 'build/make-icon.mjs'))).toBe(true);
  });
});
