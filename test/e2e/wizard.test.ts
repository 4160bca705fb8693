// Page callbacks run in the browser: the DOM types apply to them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { translator } from '../../main/core/i18n.js';
import type { DoctorView } from '../../main/core/ipc/contract.js';
import { STATUS_ICON } from '../../renderer/src/statusIcon.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { PROJECT } from '../helpers/cli.js';
import { buildAgentRpm, prepareAgentRoot } from '../fixtures/agent/packages.js';
import { rpmInstalled, setStandIn } from '../fixtures/agent/sandbox.js';
import { startStandInManager, type StandInManager } from '../fixtures/manager/standInManager.js';
import { menuLanguage } from '../../main/app/menu.js';
import { launchChromium, openApp, screenshot, serveRenderer, type OpenOptions } from './harness.js';
import {
  expectWindowWords,
  fullWizardFlow,
  heading,
  languageSwitchFlow,
  ORIGINAL_HOSTS,
  reactivateFlow,
  windowText,
  windowWords,
} from './flows.js';

const FIX = join(import.meta.dirname, 'fixtures');
const HOSTS_FILE = join(FIX, 'VMSecurity_hosts_cln.txt');
const ACTIVATION_FILE = join(FIX, 'cln12345_Activation_Command.txt');

const MANAGER_NAME = 'dsm01.e2e-wizard.test';
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let manager: StandInManager;
/** A stand-in agent package built with real rpmbuild, and the input files that point at the stand-in manager. */
let agentRpm: string;
let managerHosts: string;
let managerActivation: string;
let inputsDir: string;

beforeAll(async () => {
  server = await serveRenderer();
  browser = await launchChromium();
  manager = await startStandInManager({ host: '127.0.0.67', names: [MANAGER_NAME] });
  const dir = (inputsDir = mkdtempSync(join(tmpdir(), 'dsa-e2e-inputs-')));
  agentRpm = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395', outDir: dir });
  managerHosts = join(dir, 'VMSecurity_hosts_cln.txt');
  writeFileSync(managerHosts, `# stand-in manager\r\n${manager.host}\t${MANAGER_NAME}\r\n`);
  managerActivation = join(dir, 'cln12345_Activation_Command.txt');
  writeFileSync(
    managerActivation,
    `/opt/ds_agent/dsa_control -a dsm://${MANAGER_NAME}:${manager.port}/ "hostname:web01"\n`,
  );
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await manager?.close();
  cleanupRoots();
  if (inputsDir) rmSync(inputsDir, { recursive: true, force: true });
});

/** What the sandbox answers for the commands a RHEL 8 run calls (IPv6 off reloads the sysctl settings). */
const EL8_REPLIES = [
  { command: 'sysctl', args: ['--system'] },
  { command: 'sysctl', args: ['-w'] },
];

function rhelRoot(): string {
  return makeRoot({
    ...OS_RELEASE.el8,
    hosts: ORIGINAL_HOSTS,
    kernel: { osrelease: '4.18.0-553.el8_10.x86_64', arch: 'x86_64', hostname: 'web01' },
    replies: EL8_REPLIES,
  });
}

async function open(lang: 'ja' | 'en', root: string, extra: Partial<OpenOptions> = {}) {
  return openApp(browser, server.url, {
    root,
    lang,
    files: { hosts: HOSTS_FILE, activation: ACTIVATION_FILE },
    ...extra,
  });
}

describe.each(['en', 'ja'] as const)('the wizard in %s', (lang) => {
  const t = translator(lang);

  it('walks Welcome → Files → Review → Apply → Activate on a sandbox RHEL 8 to an activated agent, then re-activates it with reset', async () => {
    const root = rhelRoot();
    prepareAgentRoot(root, { caPem: manager.certs.caPem });
    manager.setMode('success');
    const app = await open(lang, root, {
      files: { hosts: managerHosts, activation: managerActivation, installer: agentRpm },
    });
    const { page } = app;
    try {
      const ctx = { lang, root, manager, managerName: MANAGER_NAME, shot: (n: string) => screenshot(page, n) };
      await fullWizardFlow(page, ctx);
      await reactivateFlow(page, ctx);
      // No remote content, and nothing the CSP had to block or the page threw.
      expect(app.remoteRequests).toEqual([]);
      expect(app.pageErrors).toEqual([]);
      const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
    } finally {
      await app.close();
    }
  });

  it('reverts the run from the Apply screen: the hosts file gets its original bytes back', async () => {
    const root = rhelRoot();
    const app = await open(lang, root);
    const { page } = app;
    try {
      await page.getByTestId('start').click();
      await page.getByTestId('pick-hosts').click();
      await page.getByTestId('parsed-hosts').waitFor();
      await page.getByTestId('to-plan').click();
      await page.getByTestId('diff-hosts').waitFor();
      await page.getByTestId('to-apply').click();
      await page.getByTestId('apply').click();
      await page.getByTestId('apply-result').waitFor();
      expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).not.toBe(ORIGINAL_HOSTS);
      // Every step counted n/N and done; the result is at the top, with the focus on it.
      expect(await page.getByTestId('step-counter').textContent()).toBe(t('ui.apply.stepOf', { n: 2, total: 2 }));
      expect(await page.getByTestId('run-step-hosts').getAttribute('data-state')).toBe('done');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('apply-result');
      await page.getByTestId('revert').click();
      // The confirmation lists what will be undone and what stays; nothing has changed yet.
      const confirm = page.getByTestId('revert-confirm');
      await expect.poll(() => confirm.getByTestId('revert-undone').textContent()).toContain('/etc/hosts');
      // No agent on this machine and none installed by the run: nothing is said about one, nothing to tick.
      expect(await confirm.getByTestId('revert-kept').textContent()).not.toContain(t('ui.revert.agentStays'));
      expect(await confirm.getByTestId('revert-remove-agent').count()).toBe(0);
      expect(await confirm.getByTestId('revert-deactivate').count()).toBe(0);
      expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).not.toBe(ORIGINAL_HOSTS);
      await expectWindowWords(page, lang, 'revert confirmation');
      await screenshot(page, `${lang}-revert-confirm`);
      await page.getByTestId('revert-confirm-button').click();
      await expect
        .poll(() => page.getByTestId('reverted').textContent())
        .toContain(t('ui.apply.reverted', { run: '', n: 1 }).slice(-6));
      expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(ORIGINAL_HOSTS);
      // One account of the state: reverted; no "applied" and no "no plan yet" next to it, no claim about an agent.
      const screen = (await page.getByTestId('screen-apply').textContent()) ?? '';
      expect(await page.getByTestId('reverted-kept').textContent()).not.toContain(t('ui.revert.after.agentStays'));
      expect(screen).not.toContain(t('ui.apply.noPlanYet'));
      expect(await page.getByTestId('apply-result').count()).toBe(0);
      expect(await page.getByTestId('apply').count()).toBe(0);
      await expectWindowWords(page, lang, 'reverted');
      await screenshot(page, `${lang}-reverted`);
    } finally {
      await app.close();
    }
  });

  it('reverting a run that installed the agent keeps the package unless "Also uninstall the agent" is ticked', async () => {
    const VERSION = '20.0.0-2395.el8';
    const ACTIVATED = `dsmUrl=https://${MANAGER_NAME}:4120/\nagentCertHash=ABCDEF\nhostname=web01\nagentState=green\n`;
    /** Files → Review → Apply of the hosts lines and the agent package (real rpm --root), then the confirmation. */
    const applyAndAskRevert = async (page: Page, root: string) => {
      await page.getByTestId('start').click();
      await page.getByTestId('pick-hosts').click();
      await page.getByTestId('parsed-hosts').waitFor();
      await page.getByTestId('pick-installer').click();
      await page.getByTestId('parsed-installer').waitFor();
      await page.getByTestId('to-plan').click();
      await page.getByTestId('step-install').waitFor();
      await page.getByTestId('to-apply').click();
      await page.getByTestId('apply').click();
      await page.getByTestId('apply-result').waitFor({ timeout: 60_000 });
      expect(rpmInstalled(root)).toBe(VERSION);
      await page.getByTestId('revert').click();
      const confirm = page.getByTestId('revert-confirm');
      await expect.poll(() => confirm.getByTestId('revert-undone').textContent()).toContain('/etc/hosts');
      return confirm;
    };

    /** A sandbox RHEL 8 ready for the agent, the window open on it with the manager's hosts file and the rpm. */
    const withAgentApp = async (fn: (page: Page, root: string) => Promise<void>) => {
      const root = rhelRoot();
      prepareAgentRoot(root);
      const app = await open(lang, root, { files: { hosts: managerHosts, installer: agentRpm } });
      try {
        await fn(app.page, root);
      } finally {
        await app.close();
      }
    };

    // Kept (the default): the box is off, the package is listed as staying, and it stays.
    await withAgentApp(async (page, root) => {
      const confirm = await applyAndAskRevert(page, root);
      const box = confirm.getByTestId('revert-remove-agent');
      expect(await box.isChecked()).toBe(false);
      // The box is named by its label (what a screen reader says).
      expect(await confirm.getByLabel(t('ui.revert.removeAgent')).getAttribute('data-testid')).toBe(
        'revert-remove-agent',
      );
      expect(await confirm.getByTestId('revert-undone').textContent()).not.toContain('-e ds_agent');
      expect(await confirm.getByTestId('revert-kept').textContent()).toContain(
        t('ui.revert.agentInstalledByRunStays', { version: VERSION }),
      );
      expect(await confirm.getByTestId('revert-remove-agent-note').count()).toBe(0);
      // Ticked, the removal moves to what is undone, with the deactivation first; unticked, back as it was.
      await box.check();
      expect(await confirm.getByTestId('revert-undone').textContent()).toContain(t('ui.revert.uninstallAgent'));
      expect(await confirm.getByTestId('revert-undone').textContent()).toContain('-e ds_agent');
      expect(await confirm.getByTestId('revert-kept').textContent()).not.toContain(VERSION);
      expect(await confirm.getByTestId('revert-remove-agent-note').textContent()).toBe(
        t('ui.revert.removeAgentDeactivates'),
      );
      await box.uncheck();
      expect(await confirm.getByTestId('revert-undone').textContent()).not.toContain('-e ds_agent');
      await screenshot(page, `${lang}-revert-confirm-agent`);
      await page.getByTestId('revert-confirm-button').click();
      await page.getByTestId('reverted').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('reverted-kept').textContent()).toContain(t('ui.revert.after.agentKept'));
      expect(await page.getByTestId('reverted').textContent()).not.toContain('-e ds_agent');
      expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(ORIGINAL_HOSTS);
      expect(rpmInstalled(root)).toBe(VERSION);
      await screenshot(page, `${lang}-reverted-agent-kept`);
    });

    // Ticked on an activated agent: the confirmation names the manager, the agent is deactivated, then removed.
    await withAgentApp(async (page, root2) => {
      setStandIn(root2, 'state', ACTIVATED);
      const confirm = await applyAndAskRevert(page, root2);
      await confirm.getByTestId('revert-remove-agent').check();
      expect(await confirm.getByTestId('revert-remove-agent-note').textContent()).toBe(
        t('ui.revert.removeAgentActivated', { url: `https://${MANAGER_NAME}:4120/` }),
      );
      await page.getByTestId('revert-confirm-button').click();
      await page.getByTestId('reverted').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('reverted-kept').textContent()).toContain(
        t('ui.revert.after.agentDeactivatedRemoved'),
      );
      expect(rpmInstalled(root2)).toBeNull();
      // The way on is to review again: nothing offers to activate what was just undone.
      expect(await page.getByTestId('to-activate').count()).toBe(0);
      expect(existsSync(join(root2, 'var/opt/ds_agent/standin.state'))).toBe(false);
      expect(readFileSync(join(root2, 'etc/hosts'), 'utf8')).toBe(ORIGINAL_HOSTS);
      await screenshot(page, `${lang}-reverted-agent-removed`);
    });

    // Removed by hand after the run: the confirmation says so and offers nothing to uninstall; the rest is undone.
    await withAgentApp(async (page, root3) => {
      await applyAndAskRevert(page, root3);
      await page.getByTestId('revert-cancel').click();
      execFileSync('rpm', ['--root', root3, '--dbpath', '/var/lib/rpm', '-e', 'ds_agent'], { stdio: 'pipe' });
      await page.getByTestId('revert').click();
      const confirm = page.getByTestId('revert-confirm');
      await expect.poll(() => confirm.getByTestId('revert-kept').textContent()).toContain(t('ui.revert.agentGone'));
      expect(await confirm.getByTestId('revert-remove-agent').count()).toBe(0);
      await page.getByTestId('revert-confirm-button').click();
      await page.getByTestId('reverted').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('reverted-kept').textContent()).toContain(t('ui.revert.agentGone'));
      expect(await page.getByTestId('reverted-kept').textContent()).not.toContain(t('ui.revert.after.agentKept'));
      expect(readFileSync(join(root3, 'etc/hosts'), 'utf8')).toBe(ORIGINAL_HOSTS);
    });
  });

  it('takes all three files dropped on their boxes (the installer by where it is on disk)', async () => {
    const app = await open(lang, rhelRoot(), { dropPaths: { 'Agent-Core-RedHat_EL8.rpm': agentRpm } });
    const { page } = app;
    /** Drops a file with this name and content on the box of one input, as a user drags it from a folder. */
    const drop = async (kind: string, name: string, content: string): Promise<void> => {
      const dt = await page.evaluateHandle(
        ([n, c]) => {
          const d = new DataTransfer();
          d.items.add(new File([c], n));
          return d;
        },
        [name, content] as const,
      );
      await page.dispatchEvent(`[data-testid="input-${kind}"]`, 'drop', { dataTransfer: dt });
    };
    try {
      await page.getByTestId('start').click();
      await drop('hosts', 'VMSecurity_hosts_cln.txt', readFileSync(managerHosts, 'utf8'));
      await drop('activation', 'cln12345_Activation_Command.txt', readFileSync(managerActivation, 'utf8'));
      await drop('installer', 'Agent-Core-RedHat_EL8.rpm', '');
      await expect.poll(() => page.getByTestId('parsed-hosts').textContent()).toContain(MANAGER_NAME);
      await expect.poll(() => page.getByTestId('manager-port').textContent()).toBe(String(manager.port));
      await expect.poll(() => page.getByTestId('parsed-installer').textContent()).toContain('rpm');
      // The plan reads the dropped files as the CLI reads --hosts-file and --installer.
      await page.getByTestId('to-plan').click();
      await expect.poll(() => page.getByTestId('diff-hosts').textContent()).toContain(MANAGER_NAME);
      expect(await page.getByTestId('toggle-install').isChecked()).toBe(true);
      // A file the window cannot locate on disk is refused with what to do instead.
      await page.getByTestId('nav-inputs').click();
      await drop('installer', 'elsewhere.rpm', '');
      await expect.poll(() => page.getByTestId('error-installer').textContent()).toContain(t('ui.inputs.dropNoPath'));
    } finally {
      await app.close();
    }
  });

  it('shows a bad hosts file with its file, line and what was expected, and keeps the good file out', async () => {
    const app = await open(lang, rhelRoot());
    const { page } = app;
    try {
      await page.getByTestId('start').click();
      // Drop the file on its box, as a user drags it from the download folder.
      const dt = await page.evaluateHandle(
        (text) => {
          const d = new DataTransfer();
          d.items.add(new File([text], 'bad_hosts.txt', { type: 'text/plain' }));
          return d;
        },
        readFileSync(join(FIX, 'bad_hosts.txt'), 'utf8'),
      );
      await page.dispatchEvent('[data-testid="input-hosts"]', 'drop', { dataTransfer: dt });
      const issue = page.getByTestId('error-hosts').getByTestId('issue');
      await expect.poll(() => issue.first().textContent()).toContain('bad_hosts.txt');
      const text = (await issue.first().textContent()) ?? '';
      expect(text).toContain(t('ui.error.where', { file: 'bad_hosts.txt', line: 3, column: 1 }));
      expect(text).toContain(t('inputs.hosts.badAddress', { value: '203.0.113.999' }));
      expect(await page.getByTestId('parsed-hosts').count()).toBe(0);
      await screenshot(page, `${lang}-inputs-bad-file`);
      // Without a valid hosts file the plan has no hosts step, and says why.
      await page.getByTestId('to-plan').click();
      await expect.poll(() => page.getByTestId('unavailable-hosts').textContent()).toBe(t('ui.plan.needsHostsFile'));
      expect(await page.getByTestId('toggle-hosts').isDisabled()).toBe(true);
      expect(await page.getByTestId('diff-hosts').count()).toBe(0);
    } finally {
      await app.close();
    }
  });
});

describe('language and keyboard', () => {
  it('switches between Japanese and English in the window, on every screen, and the menu follows', async () => {
    // The shell's menu is built again in each language the window switches to (main/app/menu.ts menuLanguage).
    const set: string[] = [];
    const menu = menuLanguage({ packaged: true, lang: 'en', set: (tpl) => set.push(tpl[0]!.label!) });
    const app = await open('en', rhelRoot(), {
      services: { lang: () => menu.lang(), setLang: (l) => menu.setLang(l) },
    });
    const { page } = app;
    try {
      await languageSwitchFlow(page);
      expect(set).toEqual(['File', 'ファイル', 'File']);
    } finally {
      await app.close();
    }
  });

  it('can be walked with the keyboard alone, with a visible focus ring, to an applied plan', async () => {
    const t = translator('en');
    const root = rhelRoot();
    const app = await open('en', root);
    const { page } = app;
    /** Presses Tab until the element with this test id has the focus (fails after 40 presses), then checks its ring. */
    const tabTo = async (testId: string): Promise<void> => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const id = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
        if (id === testId) {
          const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
          expect(outline, `focus ring on ${testId}`).not.toBe('none');
          return;
        }
      }
      throw new Error(`${testId} cannot be reached with Tab`);
    };
    try {
      await expect.poll(() => heading(page).textContent()).toBe(t('ui.welcome.heading'));
      await tabTo('start');
      await page.keyboard.press('Enter');
      await expect.poll(() => heading(page).textContent()).toBe(t('ui.inputs.heading'));
      // The new screen's heading has the focus: Tab goes on from there.
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H2');
      await tabTo('pick-hosts');
      await page.keyboard.press('Enter');
      await page.getByTestId('parsed-hosts').waitFor();
      await tabTo('to-plan');
      await page.keyboard.press('Enter');
      await page.getByTestId('diff-hosts').waitFor();
      await tabTo('toggle-hosts');
      await page.keyboard.press('Space'); // opt out…
      await expect.poll(() => page.getByTestId('toggle-hosts').isChecked()).toBe(false);
      await expect.poll(() => page.getByTestId('diff-hosts').count()).toBe(0);
      await page.keyboard.press('Space'); // …and back in
      await expect.poll(() => page.getByTestId('diff-hosts').count()).toBe(1);
      await tabTo('to-apply');
      await page.keyboard.press('Enter');
      await expect.poll(() => heading(page).textContent()).toBe(t('ui.apply.heading'));
      await tabTo('apply');
      await page.keyboard.press('Enter');
      await page.getByTestId('apply-result').waitFor();
      expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toContain('dsm01.vmsecurity.example.jp');
      await tabTo('nav-diagnose');
      await page.keyboard.press('Enter');
      await expect.poll(() => heading(page).textContent()).toBe(t('ui.diagnose.heading'));
    } finally {
      await app.close();
    }
  });

  it('stays readable at 200 % zoom in Japanese: no screen scrolls sideways', async () => {
    // A 1100×800 window at 200 % zoom is a 550×400 CSS viewport.
    const app = await open('ja', rootWithRunningAgent(), {
      viewport: { width: 550, height: 400 },
      files: { hosts: managerHosts, activation: managerActivation, installer: agentRpm },
    });
    const { page } = app;
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    try {
      await page.getByTestId('start').waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await page.getByTestId('start').click();
      await page.getByTestId('pick-hosts').click();
      await page.getByTestId('pick-activation').click();
      await page.getByTestId('pick-installer').click();
      await page.getByTestId('parsed-installer').waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await screenshot(page, 'ja-zoom200-inputs');
      for (const s of ['plan', 'apply', 'activate', 'diagnose']) {
        await page.getByTestId(`nav-${s}`).click();
        await page.getByTestId(`screen-${s}`).waitFor();
        if (s === 'plan') await page.getByTestId('diff-hosts').waitFor();
        if (s === 'diagnose') {
          await page.getByTestId('run-doctor').click();
          await page.getByTestId('checks').waitFor({ timeout: 60_000 });
          await screenshot(page, 'ja-zoom200-diagnose');
        }
        expect(await overflow(), s).toBeLessThanOrEqual(0);
      }
      await page.getByTestId('nav-plan').click();
      await page.getByTestId('diff-hosts').waitFor();
      await screenshot(page, 'ja-zoom200-plan');
    } finally {
      await app.close();
    }
  });
});

/** What the page cuts off: sideways scrolling of the page, and elements whose content is clipped. */
async function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth)
      found.push(`page scrolls sideways by ${doc.scrollWidth - doc.clientWidth}px`);
    for (const el of document.querySelectorAll('main *')) {
      const cs = getComputedStyle(el);
      // Code and diffs scroll on purpose (focusable, so reachable by keyboard); everything else must fit.
      if (el.closest('pre')) continue;
      const clips = ['hidden', 'clip'].includes(cs.overflowX) || cs.textOverflow === 'ellipsis';
      if (clips && el.scrollWidth > el.clientWidth + 1)
        found.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.textContent?.slice(0, 40)}`);
    }
    return found;
  });
}

describe.each([
  ['en', '1280x800', { width: 1280, height: 800 }, 1],
  ['ja', '1280x800', { width: 1280, height: 800 }, 1],
  ['en', '640x400@2', { width: 640, height: 400 }, 2],
  ['ja', '640x400@2', { width: 640, height: 400 }, 2],
] as const)('every screen in %s at %s', (lang, size, viewport, deviceScaleFactor) => {
  const t = translator(lang);
  it('nothing is cut off, the result of Apply takes the focus and is in view; a screenshot of each screen', async () => {
    const app = await open(lang, rhelRoot(), { viewport, deviceScaleFactor });
    const { page } = app;
    const shot = async (name: string) => {
      expect(await cutOff(page), name).toEqual([]);
      await screenshot(page, `${lang}-${size}-${name}`);
    };
    try {
      await page.getByTestId('start').waitFor();
      await shot('1-welcome');
      await page.getByTestId('start').click();
      await page.getByTestId('pick-hosts').click();
      await page.getByTestId('pick-activation').click();
      await page.getByTestId('parsed-activation').waitFor();
      await shot('2-inputs');
      await page.getByTestId('to-plan').click();
      await page.getByTestId('diff-hosts').waitFor();
      await shot('3-plan');
      await page.getByTestId('to-apply').click();
      await shot('4-apply-before');
      await page.getByTestId('apply').click();
      await page.getByTestId('apply-result').waitFor({ timeout: 60_000 });
      // The result has the focus and is on screen, at the top.
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')))
        .toBe('apply-result');
      const box = await page.getByTestId('apply-result').boundingBox();
      expect(box && box.y >= 0 && box.y < viewport.height).toBe(true);
      await shot('4-apply-done');
      await page.getByTestId('revert').click();
      await page.getByTestId('revert-confirm').waitFor();
      await shot('4-apply-revert-confirm');
      await page.getByTestId('revert-confirm-button').click();
      await page.getByTestId('reverted').waitFor();
      await shot('4-apply-reverted');
      await page.getByTestId('nav-activate').click();
      await expect.poll(() => heading(page).textContent()).toBe(t('ui.activate.heading'));
      await shot('5-activate');
      await page.getByTestId('nav-diagnose').click();
      await page.getByTestId('run-doctor').click();
      await page.getByTestId('verdict').waitFor({ timeout: 60_000 });
      await shot('6-diagnose');
      if ((await page.getByTestId('fix').count()) > 0) {
        await page.getByTestId('fix').click();
        await page.getByTestId('fix-review').waitFor();
        await shot('6-diagnose-fix-review');
      }
    } finally {
      await app.close();
    }
  });
});

/** From the first screen: picks the hosts and activation files, then runs the doctor on the diagnosis screen. */
async function diagnoseWithFiles(page: Page): Promise<void> {
  await page.getByTestId('start').click();
  await page.getByTestId('pick-hosts').click();
  await page.getByTestId('pick-activation').click();
  await page.getByTestId('parsed-activation').waitFor();
  await page.getByTestId('nav-diagnose').click();
  await page.getByTestId('run-doctor').click();
  await expect.poll(() => page.getByTestId('checks').count(), { timeout: 60_000 }).toBe(1);
}

/**
 * A RHEL 8 sandbox whose hosts file maps the stand-in manager (unless `hostsLine` is false), with the stand-in
 * agent installed and running.
 */
function rootWithRunningAgent({ hostsLine = true } = {}): string {
  const root = makeRoot({
    ...OS_RELEASE.el8,
    hosts: hostsLine ? `${ORIGINAL_HOSTS}${manager.host}\t${MANAGER_NAME}\n` : ORIGINAL_HOSTS,
    kernel: { osrelease: '4.18.0-553.el8_10.x86_64', arch: 'x86_64', hostname: 'web01' },
    replies: EL8_REPLIES,
  });
  prepareAgentRoot(root, { caPem: manager.certs.caPem });
  execFileSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-i', '--nodeps', agentRpm], { stdio: 'pipe' });
  execFileSync(join(root, 'etc/init.d/ds_agent'), ['start'], {
    env: { ...process.env, DSA_ROOT: root },
    stdio: 'pipe',
  });
  return root;
}

describe.each(['en', 'ja'] as const)('activation failure and diagnosis in %s', (lang) => {
  const t = translator(lang);

  it('shows a refused activation with its reason, the remedy and the doctor checks that bear on it', async () => {
    const root = rootWithRunningAgent();
    manager.setMode('badToken');
    const opened: string[] = [];
    const app = await open(lang, root, {
      files: { hosts: managerHosts, activation: managerActivation },
      services: { openExternal: async (url) => void opened.push(url) },
    });
    const { page } = app;
    try {
      await page.getByTestId('start').click();
      await page.getByTestId('pick-hosts').click();
      await page.getByTestId('pick-activation').click();
      await page.getByTestId('parsed-activation').waitFor();
      await page.getByTestId('nav-activate').click();
      await page.getByTestId('activate').click();
      const result = page.getByTestId('activation-result');
      await expect.poll(() => result.getAttribute('data-ok'), { timeout: 60_000 }).toBe('false');
      const text = (await result.textContent()) ?? '';
      // The reason in plain words (the manager refused the token), the remedy, and the clock check.
      expect(text).toContain(t('agent.activate.reason.refused', { manager: '', detail: '' }).slice(0, 10));
      expect(await page.getByTestId('activation-remedy').textContent()).toContain(
        t('agent.activate.remedy.refused', { manager: '', detail: '' }).slice(0, 10),
      );
      expect(await result.getByTestId('check-time.skew').count()).toBe(1);
      // The remedy in the window's words with its CLI form folded; no flag, no raw status value on the screen.
      expect(await page.getByTestId('activation-remedy-forms').locator('details.cli-form').count()).toBe(1);
      await expectWindowWords(page, lang, 'activation failed');
      await screenshot(page, `${lang}-activate-failed`);
      // The vendor's help opens in the browser (through the allow-list), never in the window.
      await page.getByTestId('open-help').click();
      await expect.poll(() => opened).toEqual(['https://help.deepsecurity.trendmicro.com/']);
    } finally {
      manager.setMode('success');
      await app.close();
    }
  });

  it('after a diagnosis, switching the window language shows every row, the report and the bundle in the new language', async () => {
    const root = rootWithRunningAgent();
    const out = mkdtempSync(join(tmpdir(), 'dsa-e2e-lang-'));
    const replies = new Map<string, unknown>();
    const app = await open(lang, root, {
      files: { hosts: managerHosts, activation: managerActivation },
      saveTo: (name) => join(out, name),
      onReply: (channel, reply) => replies.set(channel, reply),
    });
    const { page } = app;
    const other = lang === 'en' ? 'ja' : 'en';
    try {
      await diagnoseWithFiles(page);
      // What crossed IPC is untranslated: messages, never text in the OS language.
      const { checks } = (replies.get('doctor') as { value: DoctorView }).value;
      expect(checks.length).toBeGreaterThan(5);
      for (const c of checks) expect(c.title).toEqual({ key: expect.any(String), params: expect.any(Object) });
      for (const shown of [other, lang] as const) {
        await page.getByTestId('lang').selectOption(shown);
        const tt = translator(shown);
        await expect.poll(() => heading(page).textContent()).toBe(tt('ui.diagnose.heading'));
        for (const c of checks) {
          const row = page.getByTestId(`check-${c.id}`);
          const cells = [
            ...(await row.locator('td').allTextContents()).slice(0, 3),
            (await row.locator('.remedy-text').textContent()) ?? '',
          ];
          expect(cells, c.id).toEqual([
            `${STATUS_ICON[c.status]} ${tt(`ui.diagnose.status.${c.status}`)}`,
            windowText(shown, c.title),
            windowText(shown, c.detail),
            c.remedy && c.status !== 'pass' ? windowText(shown, c.remedy) : '',
          ]);
        }
      }
      await page.getByTestId('lang').selectOption(other);
      await screenshot(page, `${lang}-to-${other}-diagnose`);
      // The exports follow the window's language too.
      await page.getByTestId('export-report').click();
      await expect.poll(() => page.getByTestId('exported-report').textContent()).toContain('.html');
      expect(readFileSync(join(out, 'dsa-setup-report-web01.html'), 'utf8')).toContain(`lang="${other}"`);
      await page.getByTestId('export-bundle').click();
      await expect
        .poll(() => page.getByTestId('exported-bundle').textContent(), { timeout: 30_000 })
        .toContain('.tar.gz');
      const report = execFileSync(
        'tar',
        ['-xzOf', join(out, 'dsa-setup-bundle-web01.tar.gz'), '--wildcards', '*report*.html'],
        {
          encoding: 'utf8',
        },
      );
      expect(report).toContain(`lang="${other}"`);
    } finally {
      await app.close();
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('a missing hosts line: the verdict names it, Fix shows the plan for review, applies it, and the checks pass', async () => {
    const root = rootWithRunningAgent({ hostsLine: false });
    const app = await open(lang, root, { files: { hosts: managerHosts, activation: managerActivation } });
    const { page } = app;
    try {
      await diagnoseWithFiles(page);
      // The verdict leads: activation will fail, because of the hosts file, with Fix offered.
      const verdict = page.getByTestId('verdict');
      expect(await verdict.getAttribute('data-check')).toBe('hosts.entries');
      expect(await verdict.locator('h3').textContent()).toBe(t('ui.diagnose.verdict.fails'));
      expect(await page.getByTestId('check-hosts.entries').getAttribute('data-status')).toBe('fail');
      // Checks in order: failures first, then warnings, then passes; blocked and skipped ones folded away.
      const order = await page
        .getByTestId('checks')
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
      const rank = { fail: 0, warn: 1, pass: 2 } as Record<string, number>;
      expect(order).toEqual([...order].sort((a, b) => rank[a!]! - rank[b!]!));
      expect(order).not.toContain('blocked');
      expect(order).not.toContain('skip');
      // Every remedy and detail in the window's words, folded checks opened too; the CLI forms stay folded.
      await page.getByTestId('folded-checks').locator(':scope > summary').click();
      await expectWindowWords(page, lang, 'diagnose');
      expect(await page.getByTestId('verdict-cli').isVisible()).toBe(false);
      await page.getByTestId('verdict-forms').locator('details.cli-form summary').click();
      expect(await page.getByTestId('verdict-cli').isVisible()).toBe(true);
      await screenshot(page, `${lang}-diagnose-verdict`);

      // Fix: the plan is shown for review, and nothing has changed yet.
      await page.getByTestId('fix').click();
      const review = page.getByTestId('fix-review');
      await expect
        .poll(() => review.getByTestId('diff-hosts').textContent())
        .toContain(`+ ${manager.host}\t${MANAGER_NAME}`);
      expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(ORIGINAL_HOSTS);
      // The failing row has the same GUI form, and its CLI form folded.
      expect(await page.getByTestId('remedy-forms-hosts.entries').getByRole('button').textContent()).toBe(
        t('ui.diagnose.fix.button'),
      );
      expect(await page.getByTestId('cli-hosts.entries').textContent()).toContain('dsa-setup doctor --fix --out');
      await screenshot(page, `${lang}-diagnose-fix-review`);

      // Apply it: the hosts file gets the line, the doctor runs again and the hosts check passes.
      await page.getByTestId('fix-apply').click();
      await expect
        .poll(() => page.getByTestId('fix-result').textContent(), { timeout: 60_000 })
        .toBe(t('ui.diagnose.fix.applied'));
      expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toContain(`${manager.host}\t${MANAGER_NAME}`);
      await expect
        .poll(() => page.getByTestId('check-hosts.entries').getAttribute('data-status'), { timeout: 60_000 })
        .toBe('pass');
      expect(await page.getByTestId('verdict').getAttribute('data-check')).not.toBe('hosts.entries');
      expect(await page.getByTestId('check-dns.manager').getAttribute('data-status')).toBe('pass');
      await screenshot(page, `${lang}-diagnose-fixed`);
    } finally {
      await app.close();
    }
  });

  it('a check skipped for want of a file says so in the window’s words, and its button opens that file’s box', async () => {
    const root = rootWithRunningAgent();
    const app = await open(lang, root, { files: { hosts: managerHosts, activation: managerActivation } });
    const { page } = app;
    try {
      await diagnoseWithFiles(page);
      await page.getByTestId('folded-checks').locator(':scope > summary').click();
      const row = page.getByTestId('check-installer.match');
      expect(await row.getAttribute('data-status')).toBe('skip');
      // "No installer given: choose it under Files", not "pass --installer FILE" (that is folded, to copy).
      expect(await row.locator('td').nth(2).textContent()).toBe(t('doctor.skip.noInstallerGui'));
      const forms = page.getByTestId('remedy-forms-installer.match');
      const cli = forms.getByTestId('remedy-forms-installer.match-cli');
      expect(await cli.isVisible()).toBe(false);
      await forms.locator('details.cli-form summary').click();
      expect(await cli.textContent()).toBe('dsa-setup doctor --installer FILE');
      expect(await forms.locator('.cli-says').textContent()).toContain('--installer');
      // The flag is on the page, folded in the CLI form, and only there: the screen's words do not name it.
      expect(await page.locator('body').textContent()).toContain('--installer');
      expect(await windowWords(page)).not.toContain('--installer');
      await expectWindowWords(page, lang, 'skipped check');
      await screenshot(page, `${lang}-diagnose-skip-remedy`);
      await forms.getByRole('button', { name: t('ui.remedy.focus.pick-installer') }).click();
      await expect.poll(() => heading(page).textContent()).toBe(t('ui.inputs.heading'));
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')))
        .toBe('pick-installer');
    } finally {
      await app.close();
    }
  });

  it('runs the doctor from the diagnosis screen and exports the HTML report and the support bundle', async () => {
    const root = rootWithRunningAgent();
    const out = mkdtempSync(join(tmpdir(), 'dsa-e2e-export-'));
    const shown: string[] = [];
    const app = await open(lang, root, {
      files: { hosts: managerHosts, activation: managerActivation },
      saveTo: (name) => join(out, name),
      services: { showInFolder: (path) => void shown.push(path) },
    });
    const { page } = app;
    try {
      // Diagnosis is reachable from the first screen; the inputs given make the manager checks run.
      await diagnoseWithFiles(page);
      expect(await page.getByTestId('check-hosts.entries').getAttribute('data-status')).toBe('pass');
      expect(await page.getByTestId('check-agent.installed').getAttribute('data-status')).toBe('pass');
      const summary = (await page.getByTestId('doctor-summary').textContent()) ?? '';
      expect(summary).toMatch(/\d/);
      await expectWindowWords(page, lang, 'diagnose');
      await screenshot(page, `${lang}-6-diagnose`);

      await page.getByTestId('export-report').click();
      await expect.poll(() => page.getByTestId('exported-report').textContent()).toContain('.html');
      const html = readFileSync(join(out, 'dsa-setup-report-web01.html'), 'utf8');
      expect(html).toContain(`lang="${lang}"`);
      expect(html).toContain(MANAGER_NAME);

      await page.getByTestId('export-bundle').click();
      await expect
        .poll(() => page.getByTestId('exported-bundle').textContent(), { timeout: 30_000 })
        .toContain('.tar.gz');
      const listing = execFileSync('tar', ['-tzf', join(out, 'dsa-setup-bundle-web01.tar.gz')], { encoding: 'utf8' });
      expect(listing).toContain('MANIFEST.json');
      // Each export keeps its own message: what was written, its size, and for the bundle what was masked.
      const bundleBytes = statSync(join(out, 'dsa-setup-bundle-web01.tar.gz')).size;
      expect(await page.getByTestId('exported-report').textContent()).toContain('.html');
      expect(await page.getByTestId('exported-bundle').textContent()).toContain(
        t('ui.diagnose.exported.size', { kib: (bundleBytes / 1024).toFixed(1) }),
      );
      const manifest = JSON.parse(
        execFileSync('tar', ['-xzOf', join(out, 'dsa-setup-bundle-web01.tar.gz'), '--wildcards', '*MANIFEST.json'], {
          encoding: 'utf8',
        }),
      ) as { files: unknown[]; masked: unknown[]; omitted: unknown[] };
      expect(await page.getByTestId('exported-bundle-masked').textContent()).toBe(
        t('ui.diagnose.exported.bundleContents', {
          files: manifest.files.length,
          masked: manifest.masked.length,
          omitted: manifest.omitted.length,
        }),
      );
      await page.getByTestId('open-folder-bundle').click();
      await expect.poll(() => shown).toEqual([join(out, 'dsa-setup-bundle-web01.tar.gz')]);
    } finally {
      await app.close();
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('rights and platforms', () => {
  it('with no polkit agent to ask for rights, shows the sudo command that applies the kept plan and changes nothing', async () => {
    const t = translator('en');
    const root = rhelRoot();
    let prompted = 0;
    const app = await open('en', root, {
      services: {
        isAdmin: async () => false,
        elevation: {
          execPath: process.execPath,
          cliPath: '/nonexistent/cli.js',
          sudoExec: (_c, _o, cb) => {
            prompted++;
            cb(new Error('should not be called'));
          },
          hasPolkitAgent: async () => false,
        },
      },
    });
    const { page } = app;
    try {
      await expect.poll(() => page.getByTestId('admin-note').textContent()).toBe(t('ui.welcome.adminNeeded'));
      await page.getByTestId('start').click();
      await page.getByTestId('pick-hosts').click();
      await page.getByTestId('parsed-hosts').waitFor();
      await page.getByTestId('to-plan').click();
      await page.getByTestId('diff-hosts').waitFor();
      await page.getByTestId('to-apply').click();
      await page.getByTestId('apply').click();
      await page.getByTestId('manual').waitFor();
      expect(await page.getByTestId('manual').textContent()).toContain(t('ui.apply.noPolkit'));
      const command = (await page.getByTestId('manual-command').textContent()) ?? '';
      expect(command).toMatch(/^sudo dsa-setup .*apply --plan \S+/);
      expect(await page.getByTestId('manual-command-copy').textContent()).toBe(t('ui.command.copy'));
      expect(command).toContain(`--root ${root}`);
      const planFile = /--plan (\S+)/.exec(command)![1]!;
      expect(JSON.parse(readFileSync(planFile, 'utf8')).format).toBe('dsa-setup-plan/3');
      expect(prompted).toBe(0);
      expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(ORIGINAL_HOSTS);
      await screenshot(page, 'en-apply-manual');
    } finally {
      await app.close();
    }
  });

  it.each([
    ['cln12345_Activation_Command (1).txt', 'VMSecurity_hosts_cln (1).txt'],
    ['有効化コマンド.txt', 'マネージャーの hosts.txt'],
  ])(
    'without rights, one elevation prompt applies the whole plan and another activates, both through the CLI (files "%s", "%s")',
    async (activationName, hostsName) => {
      const t = translator('en');
      const root = rhelRoot();
      // The same inputs under the names a download portal or a Japanese desktop gives them.
      const named = mkdtempSync(join(tmpdir(), 'dsa-e2e-名前 (1) '));
      const activationFile = join(named, activationName);
      const hostsFile = join(named, hostsName);
      writeFileSync(activationFile, readFileSync(managerActivation));
      writeFileSync(hostsFile, readFileSync(managerHosts));
      prepareAgentRoot(root, { caPem: manager.certs.caPem });
      manager.setMode('success');
      // A stand-in of @vscode/sudo-prompt on Linux: it runs the one command string with bash, as pkexec would.
      const prompts: string[] = [];
      const app = await open('en', root, {
        files: { hosts: hostsFile, activation: activationFile, installer: agentRpm },
        services: {
          isAdmin: async () => false,
          elevation: {
            execPath: process.execPath,
            cliPath: join(PROJECT, 'out/main/cli.js'),
            hasPolkitAgent: async () => true,
            sudoExec: (command, opts, cb) => {
              prompts.push(command);
              execFile('bash', ['-c', command], { env: { ...process.env, ...opts.env, LANG: 'C' } }, (e, out, err) =>
                cb(e ?? undefined, out, err),
              );
            },
          },
        },
      });
      const { page } = app;
      try {
        await page.getByTestId('start').click();
        await page.getByTestId('pick-hosts').click();
        await page.getByTestId('pick-activation').click();
        await page.getByTestId('pick-installer').click();
        await page.getByTestId('parsed-installer').waitFor();
        await page.getByTestId('to-plan').click();
        await page.getByTestId('diff-hosts').waitFor();
        await page.getByTestId('to-apply').click();
        await page.getByTestId('apply').click();
        await expect
          .poll(() => page.getByTestId('apply-result').textContent(), { timeout: 60_000 })
          .toContain(t('ui.apply.done', { run: '' }).slice(0, 12));
        expect(prompts).toHaveLength(1);
        // The user's paths travel in the args file: the prompt's command line has only the app and that file.
        expect(prompts[0]).toMatch(/^'[^']+' '[^']+' 'job' '--args' '[^']+\/job\.json' '--json'$/);
        // Progress came from the elevated process's journal, step by step.
        const types = await page
          .getByTestId('progress-event')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
        expect(types).toEqual(expect.arrayContaining(['run.start', 'step.done', 'run.done']));
        expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toContain(MANAGER_NAME);

        await page.getByTestId('to-activate').click();
        await page.getByTestId('activate').click();
        await expect
          .poll(() => page.getByTestId('activation-result').getAttribute('data-ok'), { timeout: 60_000 })
          .toBe('true');
        expect(prompts).toHaveLength(2);
        expect(prompts[1]).toMatch(/^'[^']+' '[^']+' 'job' '--args' '[^']+\/job\.json' '--json'$/);
        for (const p of prompts) expect(p).not.toContain(named);
        expect(manager.requests.filter((r) => r.path === '/agent/activate').at(-1)!.body).toContain(
          '"hostname":"web01"',
        );
        await expect.poll(() => page.getByTestId('agent-status').getAttribute('data-protecting')).toBe('true');
      } finally {
        await app.close();
        rmSync(named, { recursive: true, force: true });
      }
    },
  );

  it('without an activation file, Activate is disabled and says why, with the way to the Files screen', async () => {
    const app = await open('ja', rhelRoot());
    const { page } = app;
    const t = translator('ja');
    try {
      await page.getByTestId('nav-activate').click();
      expect(await page.getByTestId('activate').isDisabled()).toBe(true);
      expect(await page.getByTestId('activate').getAttribute('aria-describedby')).toBe('activate-why');
      expect(await page.locator('#activate-why').textContent()).toBe(t('ui.activate.whyDisabled'));
      await page.getByTestId('activate-why').getByRole('button').click();
      await expect.poll(() => heading(page).textContent()).toBe(t('ui.inputs.heading'));
    } finally {
      await app.close();
    }
  });

  it('without rights and without a way to ask for them, activation names the command to run, quoted and copyable', async () => {
    const root = rhelRoot();
    const named = mkdtempSync(join(tmpdir(), 'dsa-e2e-manual-'));
    const activationFile = join(named, 'cln12345_Activation_Command (1).txt');
    writeFileSync(activationFile, readFileSync(managerActivation));
    const app = await open('en', root, {
      files: { hosts: managerHosts, activation: activationFile },
      services: { isAdmin: async () => false },
      // The copy button writes the clipboard; reading it back is the test's own check.
      permissions: ['clipboard-read', 'clipboard-write'],
      viewport: { width: 640, height: 800 },
    });
    const { page } = app;
    try {
      await page.getByTestId('start').click();
      await page.getByTestId('pick-activation').click();
      await page.getByTestId('parsed-activation').waitFor();
      await page.getByTestId('nav-activate').click();
      await page.getByTestId('activate').click();
      const command = `sudo dsa-setup --root ${root} activate --activation-file '${activationFile}'`;
      await expect.poll(() => page.getByTestId('error-command').textContent()).toBe(command);
      expect(await page.getByTestId('screen-activate').getByRole('alert').textContent()).toContain(
        translator('en')('elevation.manualActivate'),
      );
      expect(await page.getByTestId('error-command-copy').textContent()).toBe(translator('en')('ui.command.copy'));
      // Copy puts the exact command on the clipboard, and the block wraps between arguments, never inside one.
      await page.getByTestId('error-command-copy').click();
      await expect
        .poll(() => page.getByTestId('error-command-copy').textContent())
        .toBe(translator('en')('ui.command.copied'));
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
      const lines = await page
        .getByTestId('error-command')
        .locator('.arg')
        .evaluateAll((els) => els.map((e) => [e.textContent, e.getClientRects().length] as const));
      expect(lines.map(([w]) => w).join(' ')).toBe(command);
      for (const [w, rects] of lines) expect(rects, String(w)).toBe(1);
      await screenshot(page, 'en-activate-manual-command');
      expect(await page.getByTestId('activation-result').count()).toBe(0);
    } finally {
      await app.close();
      rmSync(named, { recursive: true, force: true });
    }
  });

  it.each(['en', 'ja'] as const)(
    'a step the read-back did not confirm never reads "applied" or done: not confirmed, in the result and the steps (%s)',
    async (lang) => {
      const t = translator(lang);
      // The kernel keeps IPv6 on after `sysctl --system` (the running value stays 0): the file is written, not taken.
      const root = makeRoot({
        ...OS_RELEASE.el8,
        hosts: ORIGINAL_HOSTS,
        files: { 'proc/sys/net/ipv6/conf/all/disable_ipv6': '0\n' },
        replies: EL8_REPLIES,
      });
      const app = await open(lang, root);
      const { page } = app;
      try {
        await page.getByTestId('nav-plan').click();
        await expect.poll(() => page.getByTestId('toggle-ipv6').isChecked()).toBe(true);
        await page.getByTestId('to-apply').click();
        await page.getByTestId('apply').click();
        const result = page.getByTestId('apply-result');
        await expect.poll(() => result.isVisible(), { timeout: 30_000 }).toBe(true);
        const title = (await result.locator('.result-title').textContent()) ?? '';
        const run = /\d{8}T\d{6}Z-[0-9a-f]{6}/.exec(title)?.[0] ?? '?';
        expect(title).toBe(t('ui.apply.notConfirmed', { run }));
        const step = (await page.getByTestId('result-step-ipv6').textContent()) ?? '';
        expect(step).toContain(t('ui.apply.status.notConfirmed'));
        expect(step).not.toContain(`${t('ui.apply.stepName.ipv6')}: ${t('ui.apply.status.applied')}`);
        expect(await page.getByTestId('run-step-ipv6').getAttribute('data-state')).toBe('unconfirmed');
        expect(await page.getByTestId('run-step-ipv6').textContent()).toContain(t('ui.apply.stepState.unconfirmed'));
      } finally {
        await app.close();
      }
    },
  );

  it('says a restart is needed, before and after applying, when the plan needs one (IPv6 off on RHEL 6)', async () => {
    const t = translator('ja');
    const root = makeRoot({ ...OS_RELEASE.el6, hosts: ORIGINAL_HOSTS });
    const app = await open('ja', root);
    const { page } = app;
    try {
      await page.getByTestId('nav-plan').click();
      await expect.poll(() => page.getByTestId('toggle-ipv6').isChecked()).toBe(true);
      await expect.poll(() => page.getByTestId('screen-plan').textContent()).toContain(t('ui.plan.reboot'));
      await page.getByTestId('to-apply').click();
      await page.getByTestId('apply').click();
      await expect
        .poll(() => page.getByTestId('reboot').textContent(), { timeout: 30_000 })
        .toContain(t('ui.apply.reboot'));
      await screenshot(page, 'ja-apply-reboot');
    } finally {
      await app.close();
    }
  });

  it('pre-selects turning off the old antivirus on Windows and leaves IPv6 alone there', async () => {
    const root = makeRoot({ windows: true, hosts: '127.0.0.1 localhost\r\n' });
    const app = await open('en', root);
    const { page } = app;
    try {
      await page.getByTestId('start').click();
      await page.getByTestId('pick-hosts').click();
      await page.getByTestId('parsed-hosts').waitFor();
      await page.getByTestId('to-plan').click();
      await expect.poll(() => page.getByTestId('toggle-antivirus').isChecked()).toBe(true);
      expect(await page.getByTestId('toggle-ipv6').isChecked()).toBe(false);
      expect(await page.getByTestId('diff-hosts').textContent()).toContain('203.0.113.10');
    } finally {
      await app.close();
    }
  });
});
