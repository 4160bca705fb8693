// Page callbacks run in the browser: the DOM types apply to them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadDoctorInputs } from '../../main/core/doctor/inputs.js';
import { runDoctor } from '../../main/core/doctor/runDoctor.js';
import type { DoctorResult } from '../../main/core/doctor/types.js';
import { translator } from '../../main/core/i18n.js';
import { renderHtml } from '../../main/core/report/render.js';
import { createSystemContext } from '../../main/core/system.js';
import { resultIn } from '../../main/core/application/views.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { startStandInManager, type StandInManager } from '../fixtures/manager/standInManager.js';
import { launchChromium, SCREENSHOT_DIR } from './harness.js';

const MANAGER_NAME = 'dsm01.e2e-report.test';
let browser: Browser;
let manager: StandInManager;
let dir: string;
let result: DoctorResult;

beforeAll(async () => {
  browser = await launchChromium();
  manager = await startStandInManager({ host: '127.0.0.93', names: [MANAGER_NAME] });
  dir = mkdtempSync(join(tmpdir(), 'dsa-e2e-report-'));
  // A machine with the hosts line but no agent: failures with long remedies, the TLS check's fingerprint.
  const root = makeRoot({
    ...OS_RELEASE.el8,
    hosts: `127.0.0.1\tlocalhost\n${manager.host}\t${MANAGER_NAME}\n`,
    kernel: { osrelease: '4.18.0-553.el8_10.x86_64', arch: 'x86_64', hostname: 'web01' },
  });
  const hostsFile = join(dir, 'VMSecurity_hosts_cln.txt');
  writeFileSync(hostsFile, `${manager.host}\t${MANAGER_NAME}\r\n`);
  const activationFile = join(dir, 'cln12345_Activation_Command.txt');
  writeFileSync(activationFile, `/opt/ds_agent/dsa_control -a dsm://${MANAGER_NAME}:${manager.port}/\n`);
  const sys = createSystemContext({ root });
  const inputs = await loadDoctorInputs({ hostsFile, activationFile }, 'en');
  result = await runDoctor(sys, inputs, { timeoutMs: 3_000 });
});
afterAll(async () => {
  await browser?.close();
  await manager?.close();
  cleanupRoots();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** How the report's table lays out: column widths, header heights against one line, the narrowest cell. */
async function tableLayout(page: Page) {
  return page.evaluate(() => {
    const lineHeight = (el: Element) => parseFloat(getComputedStyle(el).lineHeight);
    const ths = [...document.querySelectorAll('thead th')].map((th) => {
      const range = document.createRange();
      range.selectNodeContents(th);
      // One line of text: every text rectangle on the same top.
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      return { text: th.textContent, lines: tops.size, fits: th.scrollWidth <= th.clientWidth + 1 };
    });
    const fontSize = parseFloat(getComputedStyle(document.body).fontSize);
    const cols = [...document.querySelectorAll('thead th')].map((th) => th.getBoundingClientRect().width / fontSize);
    return { ths, cols, line: lineHeight(document.body), overflow: document.documentElement.scrollWidth > innerWidth };
  });
}

describe.each(['en', 'ja'] as const)('the HTML report in %s', (lang) => {
  it('leads with the verdict and reads at 1280 px and on A4: no one-character columns, no wrapped headers', async () => {
    const html = renderHtml(translator(lang), resultIn(result, lang), lang);
    // The verdict comes before the host facts and the table.
    expect(html.indexOf('class="verdict')).toBeGreaterThan(0);
    expect(html.indexOf('class="verdict')).toBeLessThan(html.indexOf('<table'));
    const file = join(dir, `report-${lang}.html`);
    writeFileSync(file, html);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    for (const view of [
      { name: '1280', width: 1280, height: 800, print: false },
      // A4 at 96 dpi less 12 mm margins each side: 186 mm ≈ 703 px, printed.
      { name: 'a4', width: 703, height: 1000, print: true },
    ]) {
      const context = await browser.newContext({ viewport: { width: view.width, height: view.height } });
      const page = await context.newPage();
      try {
        await page.goto(`file://${file}`);
        if (view.print) await page.emulateMedia({ media: 'print' });
        const layout = await tableLayout(page);
        for (const th of layout.ths) {
          expect(th.lines, `header "${th.text}" at ${view.name}`).toBe(1);
          expect(th.fits, `header "${th.text}" cut at ${view.name}`).toBe(true);
        }
        // Every column is at least 4 characters wide (no "結/果", "ミ/リ/秒").
        for (const [i, w] of layout.cols.entries()) expect(w, `column ${i} at ${view.name}`).toBeGreaterThanOrEqual(4);
        expect(layout.overflow, `sideways scroll at ${view.name}`).toBe(false);
        await page.screenshot({ path: join(SCREENSHOT_DIR, `report-${lang}-${view.name}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    }
  });
});
