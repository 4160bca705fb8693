// Page callbacks run in the browser: the DOM types apply to them.
// Contrast on the main screens, from the computed styles of the built renderer: text 4.5:1, control borders
// 3:1, the focus ring 3:1 against what surrounds it; notes and warnings look different.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { translator } from '../../main/core/i18n.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { launchChromium, openApp, screenshot, serveRenderer } from './harness.js';
import { heading, ORIGINAL_HOSTS } from './flows.js';
import { collectContrastSamples, contrastFailures, contrastRatio, type ContrastSample } from './contrast.js';

const MANAGER_NAME = 'dsm01.e2e-contrast.test';
let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let inputs: string;
let files: { hosts: string; activation: string };

beforeAll(async () => {
  server = await serveRenderer();
  browser = await launchChromium();
  inputs = mkdtempSync(join(tmpdir(), `dsa-e2e-contrast-${process.pid}-`));
  // The manager's name maps to loopback, where nothing listens on 4120: the doctor fails fast, on this machine.
  files = {
    hosts: join(inputs, 'VMSecurity_hosts_cln.txt'),
    activation: join(inputs, 'cln12345_Activation_Command.txt'),
  };
  writeFileSync(files.hosts, `127.0.0.1\t${MANAGER_NAME}\n`);
  writeFileSync(files.activation, `/opt/ds_agent/dsa_control -a dsm://${MANAGER_NAME}:4120/ "hostname:web01"\n`);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  cleanupRoots();
  if (inputs) rmSync(inputs, { recursive: true, force: true });
});

describe('the WCAG contrast function', () => {
  it('gives the published ratios', () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrastRatio([255, 255, 255], [255, 255, 255])).toBe(1);
    // #767676 on white is the classic 4.54:1; the old focus ring #ff8c00 on #f6f8fa was 2.2:1.
    expect(contrastRatio([0x76, 0x76, 0x76], [255, 255, 255])).toBeCloseTo(4.54, 2);
    expect(contrastRatio([0xff, 0x8c, 0x00], [0xf6, 0xf8, 0xfa])).toBeCloseTo(2.19, 2);
  });
});

/** Tabs through the whole screen once and returns the focus ring of every stop. */
async function focusRings(page: Page): Promise<ContrastSample[]> {
  const rings: ContrastSample[] = [];
  const seen = new Set<string>();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const [ring] = await page.evaluate(collectContrastSamples, 'focus' as const);
    if (!ring) continue;
    const key = await page.evaluate(() => {
      const el = document.activeElement!;
      return [...el.parentElement!.children].indexOf(el) + el.outerHTML.slice(0, 200);
    });
    if (seen.has(key)) break;
    seen.add(key);
    rings.push(ring);
  }
  return rings;
}

describe.each(['en', 'ja'] as const)('contrast on every screen in %s', (lang) => {
  it('keeps text at 4.5:1, control borders and the focus ring at 3:1, on Welcome, Files, Review, Apply, Activate and Diagnose', async () => {
    const t = translator(lang);
    // RHEL 6: turning IPv6 off needs a restart, so Review and Apply show a warning next to the notes.
    const root = makeRoot({ ...OS_RELEASE.el6, hosts: ORIGINAL_HOSTS });
    const app = await openApp(browser, server.url, { root, lang, files, viewport: { width: 1280, height: 800 } });
    const { page } = app;
    const failures: string[] = [];
    let checked = 0;
    const audit = async (screen: string): Promise<void> => {
      const samples = [
        ...(await page.evaluate(collectContrastSamples, 'screen' as const)),
        ...(await focusRings(page)),
      ];
      expect(samples.filter((s) => s.kind === 'focus ring').length, `${screen}: focus stops`).toBeGreaterThan(2);
      expect(samples.filter((s) => s.kind === 'control border').length, `${screen}: controls`).toBeGreaterThan(1);
      checked += samples.length;
      failures.push(...contrastFailures(samples).map((f) => `${screen}: ${f}`));
      await screenshot(page, `contrast-${lang}-${screen}`);
    };
    try {
      await expect.poll(() => heading(page).textContent()).toBe(t('ui.welcome.heading'));
      await page.getByTestId('admin-note').waitFor();
      await audit('welcome');
      const note = await page
        .getByTestId('admin-note')
        .evaluate((e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderInlineStartColor]);

      await page.getByTestId('start').click();
      await page.getByTestId('pick-hosts').click();
      await page.getByTestId('pick-activation').click();
      await page.getByTestId('manager-host').waitFor();
      await audit('files');

      await page.getByTestId('to-plan').click();
      await page.getByTestId('diff-hosts').waitFor();
      await expect.poll(() => page.locator('.warning').count()).toBeGreaterThan(0);
      await audit('review');
      // A note informs, a warning (a restart) asks for attention: they must not look the same.
      const warning = await page
        .locator('.warning')
        .first()
        .evaluate((e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderInlineStartColor]);
      expect(warning[0]).not.toBe(note[0]);
      expect(warning[1]).not.toBe(note[1]);

      await page.getByTestId('to-apply').click();
      await page.getByTestId('apply').click();
      await page.getByTestId('apply-result').waitFor({ timeout: 60_000 });
      await page.getByTestId('reboot').waitFor();
      await audit('apply');

      await page.getByTestId('nav-activate').click();
      await page.getByTestId('screen-activate').waitFor();
      await audit('activate');

      await page.getByTestId('nav-diagnose').click();
      await page.getByTestId('run-doctor').click();
      await page.getByTestId('checks').waitFor({ timeout: 60_000 });
      await audit('diagnose');
    } finally {
      await app.close();
    }
    expect(checked).toBeGreaterThan(100);
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
