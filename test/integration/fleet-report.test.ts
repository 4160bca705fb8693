// `dsa-setup report --fleet` over 200 hosts' doctor results: the real doctor run once per fault on loopback
// (refused port, missing hosts line, plain text on the TLS port, faketime clock skew against chronyd, a
// TLS-inspecting proxy's certificate, no agent, an agent activated with another manager, a bad kernel list, a
// healthy manager), each result copied with other host facts, two of them as real support bundles, plus broken
// files. The report runs as `nobody` (so that an unreadable file is unreadable) and is opened in Chromium.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { letOthersReach, CLI, PROJECT } from '../helpers/cli.js';
import { cleanupRoots } from '../helpers/sandbox.js';
import {
  FAULTS,
  FLEET_200,
  openUp,
  runDoctorFaults,
  withHostFacts,
  writeFleet,
  type DoctorJson,
  type DoctorRuns,
  type Fault,
} from '../helpers/fleetResults.js';
import { READ_MAJOR } from '../../main/core/fleet/read.js';

const JA = /[\u3040-\u30ff\u4e00-\u9fff]/;
const PLANTED_TOKEN = 'token:9F1C2E7A44B0SECRETVALUE';
const SCREENSHOTS = join(PROJECT, 'test-results/screenshots');

interface FleetJsonHost {
  hostname: string;
  source: string;
  verdict: { check: string; class: string; cause: string; remedy: string; derived: boolean } | null;
}
interface FleetJson {
  total: number;
  summary: Record<string, number>;
  groups: {
    class: string;
    count: number;
    derived: number;
    remedies: { remedy: string; hosts: string[] }[];
    hosts: FleetJsonHost[];
  }[];
  clean: FleetJsonHost[];
  apart: { source: string; reason: string }[];
}

let work: string;
let fleet: string;
let out: string;
let runs: DoctorRuns;
/** The host names expected in each class (and `clean`), and how many files in each have no verdict. */
const expected = new Map<string, { names: string[]; noVerdict: number }>();

/** `dsa-setup report --fleet …` as `nobody`, without capabilities: a file mode 000 is unreadable to it. */
async function reportAsNobody(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  [process.execPath, CLI].forEach(letOthersReach);
  const r = await execa(
    'setpriv',
    ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CLI, 'report', '--fleet', fleet, ...args],
    { reject: false, env: { LANG: 'C' }, timeout: 60_000 },
  );
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const verdictClass = (r: DoctorJson): string | null =>
  r.verdict ? r.verdict.class : (r.checks.find((c) => c.status === 'fail')?.class ?? null);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dsa-fleet-report-'));
  fleet = join(work, 'results');
  out = join(work, 'out');
  mkdirSync(join(work, 'runs'));
  mkdirSync(out, { mode: 0o777 });
  chmodSync(out, 0o777);
  runs = await runDoctorFaults(join(work, 'runs'));

  // 200 hosts: one bundle each for tcp (zip) and agent (tar.gz), the rest as HOST/doctor.json.
  const counts = { ...FLEET_200, tcp: FLEET_200.tcp - 1, agent: FLEET_200.agent - 1 };
  const names = writeFleet(fleet, runs, counts);
  mkdirSync(join(fleet, 'tcp01'));
  copyFileSync(runs.bundles.zip, join(fleet, 'tcp01/support-bundle.zip'));
  mkdirSync(join(fleet, 'agent01'));
  copyFileSync(runs.bundles.tarGz, join(fleet, 'agent01/support-bundle.tar.gz'));

  // Every 7th host's file as an older dsa-setup wrote it: no verdict.
  names.forEach((name, i) => {
    if (i % 7 !== 3) return;
    const file = join(fleet, name, 'doctor.json');
    const r = JSON.parse(readFileSync(file, 'utf8')) as DoctorJson;
    delete r.verdict;
    writeFileSync(file, JSON.stringify(r));
  });
  // A host name and a detail that would be markup, and a secret that an old file left unmasked.
  const evil = join(fleet, 'dns-001/doctor.json');
  const e = JSON.parse(readFileSync(evil, 'utf8')) as DoctorJson & {
    checks: { detail: string; detailRef?: { params?: Record<string, unknown> } }[];
  };
  e.host.hostname = 'dns-001<script>alert(1)</script>';
  e.checks[0]!.detail += ` ${PLANTED_TOKEN}`;
  if (e.checks[0]!.detailRef) e.checks[0]!.detailRef.params = { ...e.checks[0]!.detailRef.params, file: PLANTED_TOKEN };
  writeFileSync(evil, JSON.stringify(e));

  for (const f of Object.keys(FAULTS) as Fault[]) {
    const inFleet = names.filter((n) => n.startsWith(`${f}-`));
    const list = inFleet.map((n) => (n === 'dns-001' ? 'dns-001<script>alert(1)</script>' : n));
    if (f === 'tcp') list.push('tcp01');
    if (f === 'agent') list.push('agent01');
    const noVerdict = inFleet.filter(
      (n) => !(JSON.parse(readFileSync(join(fleet, n, 'doctor.json'), 'utf8')) as DoctorJson).verdict,
    ).length;
    const bundleNoVerdict = (f === 'tcp' || f === 'agent') && !runs.results[f].verdict ? 1 : 0;
    expected.set(FAULTS[f] ?? 'clean', { names: list.sort(), noVerdict: noVerdict + bundleNoVerdict });
  }

  // Files that are not counted, each for its own reason.
  const broken = join(fleet, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'gateway.json'), '<html><body><h1>502 Bad Gateway</h1></body></html>\n');
  writeFileSync(join(broken, 'truncated.json'), JSON.stringify(runs.results.tls, null, 2).slice(0, 400));
  writeFileSync(join(broken, 'future.json'), JSON.stringify({ ...runs.results.dns, version: `${READ_MAJOR + 1}.0.0` }));
  writeFileSync(join(broken, 'inventory.json'), JSON.stringify({ all: { hosts: ['web01'] } }));
  writeFileSync(join(broken, 'locked.json'), JSON.stringify(withHostFacts(runs.results.tls, 'locked01', 1)));
  symlinkSync(join(work, 'no-such-result.json'), join(broken, 'gone.json'));
  // A support bundle whose doctor.json is missing: the real bundle's other files, packed again with tar.
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', runs.bundles.tarGz, '-C', unpacked]);
  rmSync(join(unpacked, 'doctor.json'));
  execFileSync('tar', ['-czf', join(broken, 'no-doctor.tar.gz'), '-C', unpacked, ...readdirSync(unpacked)]);
  // An older result of a host that has a newer one in the same directory.
  writeFileSync(
    join(fleet, 'clock-001/earlier.json'),
    JSON.stringify({ ...withHostFacts(runs.results.clock, 'clock-001', 0), generatedAt: '2026-01-01T00:00:00.000Z' }),
  );
  openUp(work);
  chmodSync(join(broken, 'locked.json'), 0o000);
}, 180_000);

afterAll(async () => {
  await runs?.close();
  cleanupRoots();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('report --fleet over 200 hosts made by the real doctor', () => {
  let json: FleetJson;

  it('counts each root cause class, the hosts without a failing check, and the files set apart', async () => {
    // The real doctor gave each fault the class we made it for.
    for (const f of Object.keys(FAULTS) as Fault[]) expect(verdictClass(runs.results[f]), f).toBe(FAULTS[f]);
    const r = await reportAsNobody(['--format', 'json', '--lang', 'en']);
    expect(r.exitCode, r.stderr).toBe(0);
    json = JSON.parse(r.stdout) as FleetJson;
    expect(json.total).toBe(200);
    expect(json.summary).toEqual({
      dns: 40,
      tcp: 30,
      tls: 20,
      clock: 20,
      proxy: 20,
      manager: 0,
      agent: 30,
      conflict: 15,
      input: 15,
      clean: 10,
      apart: 8,
    });
    expect(r.stderr).toContain('8 file(s) could not be counted');
  });

  it('puts each host in its group, says which causes were derived, and gives each shared remedy once', () => {
    for (const g of json.groups) {
      const want = expected.get(g.class)!;
      expect(g.hosts.map((h) => h.hostname).sort(), g.class).toEqual(want.names);
      expect(g.count).toBe(want.names.length);
      expect(g.derived, g.class).toBe(want.noVerdict);
      expect(g.hosts.filter((h) => h.verdict!.derived).length).toBe(want.noVerdict);
      // One entry per distinct remedy, covering every host of the group once.
      expect(new Set(g.remedies.map((x) => x.remedy)).size).toBe(g.remedies.length);
      expect(g.remedies.flatMap((x) => x.hosts).sort()).toEqual(want.names);
      for (const rem of g.remedies) expect(rem.remedy, g.class).not.toMatch(JA); // translated to --lang en
    }
    expect(json.clean.map((h) => h.hostname).sort()).toEqual(expected.get('clean')!.names);
    // The remedies are the doctor's own, for the fault: the refused port, the hosts line, the clock, the proxy…
    const remedy = (cls: string) => json.groups.find((g) => g.class === cls)!.remedies[0]!.remedy;
    const cause = (cls: string) => json.groups.find((g) => g.class === cls)!.hosts[1]!.verdict!;
    expect(cause('tcp').check).toBe('net.manager');
    expect(cause('dns').check).toBe('hosts.entries');
    expect(remedy('dns')).toContain('VMSecurity_hosts_cln.txt');
    expect(cause('clock').check).toBe('time.skew');
    expect(cause('proxy').cause).toContain('Zscaler');
    expect(cause('agent').check).toBe('agent.installed');
    expect(cause('conflict').cause).toContain('dsm99.other-provider.example');
    expect(cause('input').cause).toContain('kernel-list.txt');
  });

  it('lists the files it could not count, each with why', () => {
    const why = Object.fromEntries(json.apart.map((a) => [a.source, a.reason]));
    expect(why['broken/gateway.json']).toBe('not JSON: it breaks at line 1, column 1');
    expect(why['broken/truncated.json']).toMatch(/^truncated \(the JSON ends early, at line \d+, column \d+\)$/);
    expect(why['broken/future.json']).toBe(
      `written by dsa-setup ${READ_MAJOR + 1}.0.0, another format: this report reads results of dsa-setup ${READ_MAJOR}.x`,
    );
    expect(why['broken/inventory.json']).toBe('not a doctor result: it has no list of checks');
    expect(why['broken/locked.json']).toBe(
      'permission denied (EACCES): the user running dsa-setup cannot read it; expected something this user can read (run dsa-setup as its owner or an administrator, or let this user read it)',
    );
    expect(why['broken/gone.json']).toBe('file not found');
    expect(why['broken/no-doctor.tar.gz']).toBe('a support bundle without doctor.json');
    expect(why['clock-001/earlier.json']).toBe(
      'an older result of the same host; the newer one is counted (clock-001/doctor.json)',
    );
    expect(json.apart).toHaveLength(8);
  });

  it('keeps secrets masked and markup inert, in JSON, Markdown and HTML', async () => {
    const md = await reportAsNobody(['--format', 'md', '--lang', 'ja']);
    expect(md.exitCode).toBe(0);
    const html = await reportAsNobody(['--format', 'html', '--lang', 'en', '--out', join(out, 'fleet-en.html')]);
    expect(html.exitCode, html.stderr).toBe(0);
    const page = readFileSync(join(out, 'fleet-en.html'), 'utf8');
    for (const text of [JSON.stringify(json), md.stdout, page]) expect(text).not.toContain('9F1C2E7A44B0SECRETVALUE');
    // JSON keeps the host name as data; Markdown and HTML escape it.
    expect(json.groups[0]!.hosts[0]!.hostname).toBe('dns-001<script>alert(1)</script>');
    expect(md.stdout).not.toContain('<script>');
    expect(page).not.toContain('<script>');
    expect(page).toContain('dns-001&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toMatch(/token:(9F1C…)?\[masked\]/);
    expect(md.stdout).toContain('# Deep Security Agent — 200 台の診断');
    expect(md.stdout).toContain('| 名前解決 (hosts ファイル、DNS) | 40 |');
  });
});

describe('the fleet report in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(['en', 'ja'] as const)(
    'shows the summary, one section per class with its hosts folded, and opens a host to its checks (%s)',
    async (lang) => {
      const file = join(out, `fleet-${lang}-chromium.html`);
      const r = await reportAsNobody(['--format', 'html', '--lang', lang, '--out', file]);
      expect(r.exitCode, r.stderr).toBe(0);
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (q) => requests.push(q.url()));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        const url = pathToFileURL(file).href;
        await page.goto(url);
        for (const [cls, n] of Object.entries({ dns: 40, tcp: 30, tls: 20, clock: 20, proxy: 20, agent: 30 })) {
          expect(await page.locator(`#summary tr[data-class="${cls}"] td.n`).textContent()).toBe(String(n));
          expect(await page.locator(`section[data-class="${cls}"] details.host`).count()).toBe(n);
        }
        expect(await page.locator('#summary tr[data-class="apart"] td.n').textContent()).toBe('8');
        expect(await page.locator('section[data-class="clean"] details.host').count()).toBe(10);
        // Folded: no check table is visible until a host is opened.
        const tcp = page.locator('section[data-class="tcp"] details.host').first();
        expect(await tcp.locator('table').isVisible()).toBe(false);
        await tcp.locator('summary').click();
        expect(await tcp.locator('table').isVisible()).toBe(true);
        expect(await tcp.locator('td.fail').first().textContent()).toBe(lang === 'ja' ? '失敗' : 'FAIL');
        await page.locator('#summary a[href="#class-tcp"]').click();
        expect(await page.locator('h1').textContent()).toContain(lang === 'ja' ? '200 台' : '200 host(s)');
        expect(await page.locator('script, link, img, iframe').count()).toBe(0);
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page
          .locator('section[data-class="tcp"]')
          .screenshot({ path: join(SCREENSHOTS, `fleet-report-${lang}.png`) });
        await page.screenshot({ path: join(SCREENSHOTS, `fleet-report-${lang}-top.png`) });
        expect(requests.filter((u) => u !== url && !u.startsWith(`${url}#`))).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );
});
