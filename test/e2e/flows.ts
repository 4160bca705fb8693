// Page callbacks run in the browser: the DOM types apply to them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { localeResources, translator } from '../../main/core/i18n.js';
import { renderMessage, type Message } from '../../main/core/message.js';
import { statusValue } from '../../main/core/statusValues.js';
import { FLAG_PATTERN, windowMessage } from '../../main/core/ipc/remedyForms.js';
import { sandboxExecLog } from '../../main/core/system.js';
import { flatten } from '../helpers/locales.js';
import type { StandInManager } from '../fixtures/manager/standInManager.js';

/**
 * The specs' flows, shared by the Chromium harness (wizard.test.ts) and the Electron run (electron.test.ts),
 * so both drive the window the same way.
 */
export const heading = (page: Page) => page.locator('h2.screen-title');

/**
 * The window's text outside the folded CLI forms and the command blocks (commands to copy, plan commands,
 * the agent's own output): what a person reads as the window's words.
 */
export async function windowWords(page: Page): Promise<string> {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true) as HTMLElement;
    for (const el of body.querySelectorAll('details.cli-form, .command-block, pre, code, select')) el.remove();
    // Each element's text on its own line, so words of neighbouring cells never run together.
    for (const el of body.querySelectorAll('p, li, td, th, dt, dd, h2, h3, h4, summary, button, label, div'))
      el.append('\n');
    return body.textContent ?? '';
  });
}

/** Fails when the window names a dsa-setup flag anywhere outside a folded CLI form (a remedy's words are GUI words). */
export async function expectNoFlagOutsideCli(page: Page, where: string): Promise<void> {
  const lines = (await windowWords(page)).split('\n').filter((l) => FLAG_PATTERN.test(l));
  expect(lines.join('\n'), where).toBe('');
}

/** The raw status values a tool reports: shown in a language's words, the raw value only in parentheses. */
const RAW_STATUS =
  /\b(?:running|stopped|green|yellow|red|gray|grey|on|off|loaded|not loaded|builtin|metadata|filename|not activated|activated|managed|online|offline|enabled|disabled|active|inactive|absent|unknown|driver-offline|not-capable|time-sync)\b/;

/** Fails when a Japanese screen shows a raw status value outside parentheses and code (issue 15 point 8). */
export async function expectNoRawStatus(page: Page, where: string): Promise<void> {
  const words = (await windowWords(page))
    // A raw value may follow its words in parentheses: (green), （green）.
    .replace(/[(（][^()（）]*[)）]/g, '')
    .split('\n')
    .filter((l) => RAW_STATUS.test(l));
  expect(words.join('\n'), where).toBe('');
}

/**
 * The checks of a screen's words: no dsa-setup flag outside a folded CLI form; no time as a raw ISO string (times are
 * local, with the zone); in Japanese no raw status value.
 */
export async function expectWindowWords(page: Page, lang: 'ja' | 'en', where: string): Promise<void> {
  await expectNoFlagOutsideCli(page, where);
  const iso = (await windowWords(page)).split('\n').filter((l) => /\d{4}-\d\d-\d\dT\d\d:\d\d/.test(l));
  expect(iso.join('\n'), where).toBe('');
  if (lang === 'ja') await expectNoRawStatus(page, where);
}

/** A message as the window words it in `lang` (a key's `Gui` sibling where there is one). */
export function windowText(lang: 'ja' | 'en', m: Message): string {
  const keys = flatten(localeResources[lang]);
  return renderMessage(
    translator(lang),
    windowMessage(m, (key) => keys.has(key)),
  );
}

/** The original hosts file of the specs' sandboxes. */
export const ORIGINAL_HOSTS = '127.0.0.1\tlocalhost\n# keep me: 社内メモ\n';

export interface WizardContext {
  lang: 'ja' | 'en';
  root: string;
  manager: StandInManager;
  managerName: string;
  shot(name: string): Promise<void>;
}

/**
 * The full wizard on a sandbox RHEL 8 whose file dialog answers the stand-in manager's hosts and activation
 * files and the stand-in agent rpm: Welcome → Files → Review → Apply (real rpm --root) → Activate (success).
 */
export async function fullWizardFlow(page: Page, ctx: WizardContext): Promise<void> {
  const { lang, root, manager } = ctx;
  const MANAGER_NAME = ctx.managerName;
  const t = translator(lang);
  // Each screen: no dsa-setup flag outside a folded CLI form; in Japanese no raw status value; then its picture.
  const screenshot = async (_p: Page, name: string) => {
    await expectWindowWords(page, lang, name);
    await ctx.shot(name);
  };
  // Welcome, in the OS language, with the detected platform and the rights note.
  await expect.poll(() => heading(page).textContent()).toBe(t('ui.welcome.heading'));
  await expect.poll(() => page.getByTestId('platform').textContent()).toBe('Red Hat Enterprise Linux 8.10 (Ootpa)');
  expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
  await expect.poll(() => page.getByTestId('admin-note').textContent()).toBe(t('ui.welcome.adminAlready'));
  await screenshot(page, `${lang}-1-welcome`);

  // Files: all three picked through the (stand-in) dialog and read at once.
  await page.getByTestId('start').click();
  await expect.poll(() => heading(page).textContent()).toBe(t('ui.inputs.heading'));
  await page.getByTestId('pick-hosts').click();
  await expect.poll(() => page.getByTestId('parsed-hosts').textContent()).toContain(manager.host);
  expect(await page.getByTestId('parsed-hosts').textContent()).toContain(MANAGER_NAME);
  await page.getByTestId('pick-activation').click();
  await expect.poll(() => page.getByTestId('manager-host').textContent()).toBe(MANAGER_NAME);
  expect(await page.getByTestId('manager-port').textContent()).toBe(String(manager.port));
  await page.getByTestId('pick-installer').click();
  await expect.poll(() => page.getByTestId('parsed-installer').textContent()).toContain('Agent-Core-RedHat_EL8');
  await screenshot(page, `${lang}-2-inputs`);

  // Review: the hosts block as a diff; IPv6 off is RHEL's default; the install command is shown.
  await page.getByTestId('to-plan').click();
  await expect.poll(() => page.getByTestId('diff-hosts').textContent()).toContain(manager.host);
  expect(await page.getByTestId('diff-hosts').textContent()).toContain(`+ ${manager.host}\t${MANAGER_NAME}`);
  expect(await page.getByTestId('toggle-hosts').isChecked()).toBe(true);
  expect(await page.getByTestId('toggle-ipv6').isChecked()).toBe(true);
  expect(await page.getByTestId('diff-ipv6').textContent()).toContain('net.ipv6.conf.all.disable_ipv6 = 1');
  expect(await page.getByTestId('step-ipv6').textContent()).toContain('sysctl --system');
  expect(await page.getByTestId('toggle-install').isChecked()).toBe(true);
  expect(await page.getByTestId('step-install').textContent()).toContain('rpm');
  // The old antivirus is a Windows step: never pre-selected on RHEL.
  expect(await page.getByTestId('toggle-antivirus').isChecked()).toBe(false);
  await screenshot(page, `${lang}-3-plan`);

  // Apply: live progress from the journal, then the result; the sandbox has the changes for real.
  await page.getByTestId('to-apply').click();
  await expect.poll(() => heading(page).textContent()).toBe(t('ui.apply.heading'));
  await page.getByTestId('apply').click();
  await expect
    .poll(() => page.getByTestId('apply-result').textContent(), { timeout: 60_000 })
    .toContain(t('ui.apply.done', { run: '' }).slice(0, 12));
  const types = await page
    .getByTestId('progress-event')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
  expect(types).toEqual(expect.arrayContaining(['run.start', 'step.start', 'file.write', 'step.done', 'run.done']));
  const hosts = readFileSync(join(root, 'etc/hosts'), 'utf8');
  expect(hosts.startsWith(ORIGINAL_HOSTS)).toBe(true);
  expect(hosts).toContain(`${manager.host}\t${MANAGER_NAME}`);
  expect(readFileSync(join(root, 'etc/sysctl.d/90-dsa-setup-disable-ipv6.conf'), 'utf8')).toContain(
    'net.ipv6.conf.all.disable_ipv6 = 1',
  );
  expect(sandboxExecLog(root).map((c) => [c.command, ...c.args].join(' '))).toContain('sysctl --system');
  expect(existsSync(join(root, 'opt/ds_agent/dsa_control'))).toBe(true); // installed by real rpm --root
  await screenshot(page, `${lang}-4-apply`);

  // Activate: against the stand-in manager over TLS; the result in plain words.
  await page.getByTestId('to-activate').click();
  await expect.poll(() => heading(page).textContent()).toBe(t('ui.activate.heading'));
  expect(await page.getByTestId('screen-activate').textContent()).toContain(`dsm://${MANAGER_NAME}:${manager.port}/`);
  // A slow manager: the window shows the attempt while it waits.
  manager.setMode('slow', 2_500);
  await page.getByTestId('activate').click();
  await expect
    .poll(() => page.getByTestId('activity').textContent(), { timeout: 10_000 })
    .toBe(t('agent.activate.attempt', { manager: `${MANAGER_NAME}:${manager.port}`, n: 1, of: 1 }));
  await expect
    .poll(() => page.getByTestId('activation-result').getAttribute('data-ok'), { timeout: 60_000 })
    .toBe('true');
  manager.setMode('success');
  expect(manager.requests.some((r) => r.path === '/agent/activate')).toBe(true);
  expect(await page.getByTestId('activation-remedy').count()).toBe(0);
  // Which host name it registered under, and the agent's status now (what `dsa-setup status` says).
  expect(await page.getByTestId('activation-hostname').textContent()).toBe(
    t('ui.activate.usedHostname', { name: 'web01', source: t('agent.activate.hostnameSource.activationFile') }),
  );
  await expect.poll(() => page.getByTestId('agent-status').getAttribute('data-protecting')).toBe('true');
  expect(await page.getByTestId('agent-verdict').textContent()).toBe(t('agent.status.protecting'));
  expect(await page.getByTestId('agent-status').textContent()).toContain(`${MANAGER_NAME}:${manager.port}`);
  // The state in words, and a "done" with what to do next.
  const status = (await page.getByTestId('agent-status').textContent()) ?? '';
  expect(status).toContain(renderMessage(t, statusValue('green')));
  // The last contact in local time with its zone (the browser runs in UTC here).
  expect(status).toMatch(/UTC/);
  expect(await page.getByTestId('activation-done').locator('h3').textContent()).toBe(
    `✔ ${t('ui.activate.done.heading')}`,
  );
  await screenshot(page, `${lang}-5-activate`);
}

/**
 * After an activation: activating again stops and says how (reset first); with "reset first" ticked and the
 * registered host name typed in, `dsa_control -r` runs and the agent registers under that name.
 */
export async function reactivateFlow(page: Page, ctx: WizardContext): Promise<void> {
  const t = translator(ctx.lang);
  const { manager } = ctx;
  await page.getByTestId('activate').click();
  const alert = page.getByTestId('screen-activate').getByRole('alert');
  await expect
    .poll(() => alert.textContent(), { timeout: 60_000 })
    .toContain(t('agent.activate.identity.alreadyActivated', { url: '' }).slice(0, 8));
  expect(await page.getByTestId('reset-hint').textContent()).toBe(t('ui.activate.resetHint'));
  // The remedy in the window's words ("tick reset it first"), its button, and the command line folded.
  expect(await alert.getByTestId('remedy').textContent()).toContain(
    t('agent.activate.identity.alreadyActivatedRemedyGui').slice(0, 12),
  );
  await expectNoFlagOutsideCli(page, 'activate again');
  expect(await alert.getByTestId('error-remedy-forms-cli').textContent()).toContain('--reset');
  expect(await alert.locator('details.cli-form').getAttribute('open')).toBeNull();
  expect(await page.getByTestId('activate-reset').isChecked()).toBe(false);
  await alert.getByTestId('error-remedy-go').click();
  // The button ticks "reset it first" and puts the focus on the host name to register under.
  expect(await page.getByTestId('activate-reset').isChecked()).toBe(true);
  await expect
    .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')))
    .toBe('activate-hostname');
  const before = manager.requests.filter((r) => r.path === '/agent/activate').length;
  await page.getByTestId('activate-hostname').fill('web01-registered');
  await page.getByTestId('activate').click();
  await expect
    .poll(() => page.getByTestId('activation-result').getAttribute('data-ok'), { timeout: 60_000 })
    .toBe('true');
  expect(await page.getByTestId('activation-hostname').textContent()).toBe(
    t('ui.activate.usedHostname', { name: 'web01-registered', source: t('ui.activate.hostnameEntered') }),
  );
  const sent = manager.requests.filter((r) => r.path === '/agent/activate').slice(before);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.body).toContain('"hostname":"web01-registered"');
  await ctx.shot(`${ctx.lang}-6-reactivate`);
}

/** Switches the window's language both ways and checks the text and `<html lang>` follow, on two screens. */
export async function languageSwitchFlow(page: Page): Promise<void> {
  const ja = translator('ja');
  const en = translator('en');
  await expect.poll(() => heading(page).textContent()).toBe(en('ui.welcome.heading'));
  await page.getByTestId('lang').selectOption('ja');
  await expect.poll(() => heading(page).textContent()).toBe(ja('ui.welcome.heading'));
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');
  await page.getByTestId('start').click();
  await expect.poll(() => heading(page).textContent()).toBe(ja('ui.inputs.heading'));
  expect(await page.getByTestId('pick-hosts').textContent()).toBe(ja('ui.inputs.choose'));
  await page.getByTestId('lang').selectOption('en');
  await expect.poll(() => heading(page).textContent()).toBe(en('ui.inputs.heading'));
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
}
