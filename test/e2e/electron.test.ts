import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { PROJECT } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { buildAgentRpm, prepareAgentRoot } from '../fixtures/agent/packages.js';
import { startStandInManager, type StandInManager } from '../fixtures/manager/standInManager.js';
import { fullWizardFlow, languageSwitchFlow, ORIGINAL_HOSTS } from './flows.js';
import { screenshot } from './harness.js';

/**
 * The same flows as wizard.test.ts, in the real Electron shell (preload, ipcMain wrapper, sandboxed renderer),
 * when an Electron binary is present: ELECTRON_OVERRIDE_DIST_PATH names the directory holding it.
 */
const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH;
const electronBin = dist ? join(dist, process.platform === 'win32' ? 'electron.exe' : 'electron') : null;
const skipReason = !dist
  ? 'ELECTRON_OVERRIDE_DIST_PATH is not set (no Electron binary on this machine)'
  : !existsSync(electronBin!)
    ? `no Electron binary at ${electronBin}`
    : null;

if (skipReason) {
  describe('the wizard in Electron', () => {
    it.skip(`skipped: ${skipReason}`, () => {});
  });
} else {
  const MANAGER_NAME = 'dsm01.e2e-electron.test';
  let manager: StandInManager;
  let files: { hosts: string; activation: string; installer: string };

  beforeAll(async () => {
    manager = await startStandInManager({ host: '127.0.0.68', names: [MANAGER_NAME] });
    const dir = mkdtempSync(join(tmpdir(), 'dsa-e2e-electron-'));
    files = {
      installer: buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395', outDir: dir }),
      hosts: join(dir, 'VMSecurity_hosts_cln.txt'),
      activation: join(dir, 'cln12345_Activation_Command.txt'),
    };
    writeFileSync(files.hosts, `${manager.host}\t${MANAGER_NAME}\n`);
    writeFileSync(
      files.activation,
      `/opt/ds_agent/dsa_control -a dsm://${MANAGER_NAME}:${manager.port}/ "hostname:web01"\n`,
    );
  });
  afterAll(async () => {
    await manager?.close();
    cleanupRoots();
  });

  /** Starts the built app on a sandbox root in `lang`, its open-file dialog answering the spec's files. */
  async function launch(lang: 'ja' | 'en', root: string): Promise<ElectronApplication> {
    const app = await _electron.launch({
      executablePath: electronBin!,
      args: ['--no-sandbox', join(PROJECT, 'out/main/index.js'), `--root=${root}`, `--lang=${lang}`],
      env: { ...process.env, LANG: lang === 'ja' ? 'ja_JP.UTF-8' : 'en_US.UTF-8', LANGUAGE: lang },
    });
    await app.evaluate(({ dialog }, f) => {
      const byFilter = (names: string[]): string =>
        names.some((n) => /rpm|deb|msi/.test(n))
          ? f.installer
          : names.some((n) => /sh|ps1/.test(n))
            ? f.activation
            : f.hosts;
      dialog.showOpenDialog = (async (...a: unknown[]) => {
        const opts = a[a.length - 1] as { filters?: { extensions: string[] }[] };
        return { canceled: false, filePaths: [byFilter(opts.filters?.flatMap((x) => x.extensions) ?? [])] };
      }) as typeof dialog.showOpenDialog;
    }, files);
    return app;
  }

  describe.each(['en', 'ja'] as const)('the wizard in Electron (%s)', (lang) => {
    it('walks the full wizard to an activated agent through the preload and ipcMain', async () => {
      const root = makeRoot({
        ...OS_RELEASE.el8,
        hosts: ORIGINAL_HOSTS,
        kernel: { osrelease: '4.18.0-553.el8_10.x86_64', arch: 'x86_64', hostname: 'web01' },
      });
      prepareAgentRoot(root, { caPem: manager.certs.caPem });
      const app = await launch(lang, root);
      try {
        const page = await app.firstWindow();
        // Served from the app's own scheme (protocol.handle), not file://.
        expect(page.url()).toBe('app://dsa-setup/index.html');
        // The renderer has the verbs and nothing of Node or IPC.
        expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
        await fullWizardFlow(page, {
          lang,
          root,
          manager,
          managerName: MANAGER_NAME,
          shot: (n) => screenshot(page, `electron-${n}`),
        });
      } finally {
        await app.close();
      }
    });
  });

  describe('language in Electron', () => {
    it('switches between Japanese and English in the window', async () => {
      const app = await launch('en', makeRoot({ ...OS_RELEASE.el8, hosts: ORIGINAL_HOSTS }));
      try {
        await languageSwitchFlow(await app.firstWindow());
      } finally {
        await app.close();
      }
    });
  });
}
