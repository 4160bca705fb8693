// Page callbacks run in the browser: the DOM types apply to them.
// The Diagnose screen's fleet view in Chromium: a folder of 200 hosts' doctor results (made by the real doctor,
// see test/helpers/fleetResults.ts) opened through the folder dialog, shown with the same grouping as
// `dsa-setup report --fleet`, in both languages.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../main/core/i18n.js';
import { renderMessage } from '../../main/core/message.js';
import { readFleet } from '../../main/core/fleet/read.js';
import { groupFleet, type FleetReport } from '../../main/core/fleet/group.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { FLEET_200, runDoctorFaults, writeFleet, type DoctorRuns } from '../helpers/fleetResults.js';
import { launchChromium, openApp, screenshot, SCREENSHOT_DIR, serveRenderer } from './harness.js';
import { expectWindowWords } from './flows.js';

let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;
let work: string;
let folder: string;
let runs: DoctorRuns;
/** What the CLI's report groups the folder into (the window must show the same). */
let expected: FleetReport;

beforeAll(async () => {
  server = await serveRenderer();
  browser = await launchChromium();
  work = mkdtempSync(join(tmpdir(), 'dsa-e2e-fleet-'));
  folder = join(work, 'dsa-setup-bundles');
  mkdirSync(join(work, 'runs'));
  runs = await runDoctorFaults(join(work, 'runs'));
  writeFleet(folder, runs, { ...FLEET_200, tcp: FLEET_200.tcp - 1 });
  mkdirSync(join(folder, 'tcp01'));
  copyFileSync(runs.bundles.zip, join(folder, 'tcp01/support-bundle.zip'));
  writeFileSync(join(folder, 'half.json'), '{"version": "0.1.0", "host": {');
  expected = groupFleet(await readFleet([folder]));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await runs?.close();
  cleanupRoots();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(['en', 'ja'] as const)('the fleet view in %s', (lang) => {
  const t = translator(lang);

  it('opens a folder of results and shows the hosts grouped by root cause, each host folded with its checks', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: '127.0.0.1 localhost\n' });
    let asked = 0;
    const app = await openApp(browser, server.url, {
      root,
      lang,
      services: {
        pickFolder: async () => {
          asked += 1;
          return asked === 1 ? null : folder; // the first time the user closes the dialog
        },
      },
    });
    const { page } = app;
    try {
      await page.getByTestId('nav-diagnose').click();
      await page.getByTestId('open-fleet').click();
      await expect.poll(() => asked).toBe(1);
      expect(await page.getByTestId('fleet-summary').count()).toBe(0); // canceled: nothing shown
      await page.getByTestId('open-fleet').click();
      await page.getByTestId('fleet-summary').waitFor();
      expect(await page.getByTestId('fleet-summary').textContent()).toBe(
        t('ui.fleet.summary', {
          total: 200,
          folder,
          failing: 190,
          clean: 10,
          apart: 1,
        }),
      );
      // The same counts as the CLI's report, class by class.
      for (const g of expected.groups) {
        const row = page.locator(`[data-testid="fleet-classes"] tr[data-class="${g.class}"]`);
        expect(await row.locator('td').first().textContent()).toBe(t(`fleet.class.${g.class}`));
        expect(await row.locator('td.count').textContent(), g.class).toBe(String(g.hosts.length));
        if (g.hosts.length === 0) continue;
        const section = page.getByTestId(`fleet-group-${g.class}`);
        expect(await section.getByTestId('fleet-host').count()).toBe(g.hosts.length);
        expect(await section.getByTestId('fleet-remedy').first().textContent()).toContain(
          renderMessage(t, g.remedies[0]!.remedy),
        );
      }
      expect(await page.locator('[data-testid="fleet-classes"] tr[data-class="tcp"] td.count').textContent()).toBe(
        '30',
      );
      expect(await page.getByTestId('fleet-apart').textContent()).toContain('half.json');
      // A host is folded: its checks appear when it is opened, in the window's language.
      const host = page.getByTestId('fleet-group-tcp').getByTestId('fleet-host').first();
      expect(await host.getByTestId('fleet-checks').count()).toBe(0);
      await host.locator('summary').click();
      await host.getByTestId('fleet-checks').waitFor();
      const fail = host.locator('tr[data-status="fail"]').first();
      expect(await fail.locator('td').first().textContent()).toContain(t('ui.diagnose.status.fail'));
      expect(await fail.locator('td').nth(1).textContent()).toBe(t('doctor.title.netManager'));
      // Artefacts: the whole screen, and the window as the user sees it at the summary.
      await expectWindowWords(page, lang, 'fleet view');
      await screenshot(page, `${lang}-fleet-view-full`);
      await page.getByTestId('fleet-summary').evaluate((el) => el.scrollIntoView());
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${lang}-fleet-view.png`) });
      expect(app.remoteRequests).toEqual([]);
      expect(app.pageErrors).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
