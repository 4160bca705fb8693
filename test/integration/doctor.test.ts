import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { connect, createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliJson, runCliJsonIn, withBindMount } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { startStandInManager, type StandInManager } from '../fixtures/manager/standInManager.js';
import { makeCertificates } from '../fixtures/manager/certs.js';
import type { DoctorCheck, DoctorResult } from '../../main/core/doctor/types.js';

const LOOPBACK = `127.0.${Math.floor(Math.random() * 200) + 20}.${Math.floor(Math.random() * 200) + 20}`;
const NAME = 'dsm01.doctor.test';
const JA = /[\u3040-\u30ff\u4e00-\u9fff]/;

function check(r: DoctorResult, id: string): DoctorCheck {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
}

/** A --root sandbox whose hosts file maps the manager name, and the provider's hosts file with the same line. */
function sandbox(hostsLines: string, address = LOOPBACK): { root: string; hostsFile: string } {
  const root = makeRoot({ ...OS_RELEASE.el9, hosts: `127.0.0.1\tlocalhost\n${hostsLines}` });
  const hostsFile = join(root, 'VMSecurity_hosts_cln.txt');
  writeFileSync(hostsFile, `# provider\r\n${address}\t${NAME}\r\n`);
  return { root, hostsFile };
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('doctor against the test manager on loopback (TLS)', () => {
  let mgr: StandInManager;
  beforeAll(async () => {
    mgr = await startStandInManager({ host: LOOPBACK, names: [NAME] });
  });
  afterAll(async () => {
    await mgr.close();
    cleanupRoots();
  });

  it('healthy: hosts, DNS, TCP, TLS and the manager answering all pass, with phases in order', async () => {
    const { root, hostsFile } = sandbox(`${LOOPBACK}\t${NAME}\n`);
    const r = await runCliJson<DoctorResult>(
      [
        'doctor',
        '--root',
        root,
        '--hosts-file',
        hostsFile,
        '--manager',
        `dsm://${NAME}:${mgr.port}/`,
        '--only',
        'hosts.entries',
        '--only',
        'dns.manager',
        '--only',
        'net.manager',
        '--only',
        'tls.manager',
      ],
      { env: { NODE_EXTRA_CA_CERTS: mgr.certs.caFile } },
    );
    expect(r.exitCode, r.stdout).toBe(0);
    for (const id of ['hosts.entries', 'dns.manager', 'net.manager', 'tls.manager'])
      expect(check(r.json, id).status).toBe('pass');
    const tls = check(r.json, 'tls.manager');
    expect(tls.phases!.map((p) => [p.name, p.status])).toEqual([
      ['dns', 'pass'],
      ['tcp', 'pass'],
      ['tls', 'pass'],
      ['manager', 'pass'],
    ]);
    expect(tls.detail).toContain(`CN=${NAME}`);
    expect(tls.detail).toContain('dsa-setup test manager CA');
    expect(check(r.json, 'dns.manager').detail).toContain(`${LOOPBACK}`);
    expect(check(r.json, 'dns.manager').detail).toMatch(/line 2/);
    expect(r.json.summary).toEqual({ pass: 4, warn: 0, fail: 0, skip: 0, blocked: 0 });
    expect(r.json.verdict).toBeNull();
    expect(mgr.requests.some((q) => q.method === 'GET')).toBe(true);
  });

  it('prints the security group / ACL openings of the inputs, as a table and in --json', async () => {
    const { root, hostsFile } = sandbox(`${LOOPBACK}\t${NAME}\n`);
    const args = ['doctor', '--root', root, '--hosts-file', hostsFile, '--manager', `dsm://${NAME}:${mgr.port}/`];
    const env = { env: { NODE_EXTRA_CA_CERTS: mgr.certs.caFile } };
    const j = await runCliJson<DoctorResult>(args, env);
    expect(j.json.openings?.flavour).toBe('on-premises');
    expect(j.json.openings?.items.map((o) => `${o.direction} ${o.remote.join(',')} ${o.port}`)).toEqual([
      `out ${LOOPBACK}/32 4120`,
      `out ${LOOPBACK}/32 4122`,
      `out ${LOOPBACK}/32 ${mgr.port}`,
      `in ${LOOPBACK}/32 4118`,
    ]);
    const text = await runCli(args, env);
    expect(text.stdout).toContain('Openings the security group / ACL must allow');
    expect(text.stdout).toMatch(
      new RegExp(`inbound \\(remote → this VM\\) +${LOOPBACK.replace(/\./g, '\\.')}/32 +TCP 4118`),
    );
  });

  it('healthy through the system resolver: /etc/hosts bind-mounted in a private mount namespace', async () => {
    const { root, hostsFile } = sandbox(`${LOOPBACK}\t${NAME}\n`);
    const r = await runCliJsonIn<DoctorResult>(
      withBindMount(join(root, 'etc/hosts'), '/etc/hosts'),
      [
        'doctor',
        '--hosts-file',
        hostsFile,
        '--manager',
        `dsm://${NAME}:${mgr.port}/`,
        '--only',
        'dns.',
        '--only',
        'tls.manager',
        '--only',
        'hosts.entries',
      ],
      { NODE_EXTRA_CA_CERTS: mgr.certs.caFile },
    );
    const json = r.json;
    expect(check(json, 'hosts.entries').status).toBe('pass');
    expect(check(json, 'dns.manager').status).toBe('pass');
    expect(check(json, 'dns.manager').detail).toContain(`${LOOPBACK} (from /etc/hosts line 2)`);
    expect(check(json, 'tls.manager').status).toBe('pass');
    expect(r.exitCode).toBe(0);
  });

  it("a certificate not yet valid while the manager's clock agrees with this one: the certificate is blamed (class manager), with its dates and both clocks", async () => {
    const certs = makeCertificates({ names: [NAME], ips: [LOOPBACK], shiftClock: '+2 days' });
    const future = await startStandInManager({ host: LOOPBACK, names: [NAME], certs });
    try {
      const { root } = sandbox(`${LOOPBACK}\t${NAME}\n`);
      for (const lang of ['en', 'ja'] as const) {
        const r = await runCliJson<DoctorResult>(
          [
            'doctor',
            '--root',
            root,
            '--manager',
            `dsm://${NAME}:${future.port}/`,
            '--only',
            'tls.manager',
            '--lang',
            lang,
          ],
          { env: { NODE_EXTRA_CA_CERTS: certs.caFile } },
        );
        const c = check(r.json, 'tls.manager');
        expect(r.exitCode).toBe(1);
        expect(c.status).toBe('fail');
        expect(c.class).toBe('manager');
        expect(c.detailRef.key).toBe('doctor.tls.notYetValidCertificate');
        // From, to, this clock and the manager's, in local time with the zone (never a UTC ISO string).
        const time = /\d{4}\/\d\d\/\d\d,? \d\d:\d\d:\d\d \S+|\d\d\/\d\d\/\d{4}, \d\d:\d\d:\d\d \S+/g;
        expect(c.detail.match(time)?.length, c.detail).toBe(4);
        expect(c.detail).not.toMatch(/\d{4}-\d\d-\d\dT\d\d/);
        expect(c.remedy).not.toBe('');
        if (lang === 'ja') expect(c.remedy).toMatch(JA);
        else expect(c.detail).toContain('not valid yet');
      }
    } finally {
      await future.close();
    }
  });

  it('an issuer that names an inspection product: the TLS-inspecting proxy is named, with what to exempt', async () => {
    const certs = makeCertificates({ names: [NAME], ips: [LOOPBACK], caName: 'Zscaler Root CA' });
    const mitm = await startStandInManager({ host: LOOPBACK, names: [NAME], certs });
    try {
      const { root } = sandbox(`${LOOPBACK}\t${NAME}\n`);
      // Trusted locally (as corporate proxies' roots are): validation passes, the issuer still gives it away.
      const r = await runCliJson<DoctorResult>(
        ['doctor', '--root', root, '--manager', `dsm://${NAME}:${mitm.port}/`, '--only', 'tls.manager'],
        { env: { NODE_EXTRA_CA_CERTS: certs.caFile } },
      );
      const c = check(r.json, 'tls.manager');
      expect(c.status).toBe('fail');
      expect(c.class).toBe('proxy');
      expect(c.detail).toContain('Zscaler');
      expect(c.remedy).toContain(`Exempt ${NAME} port ${mitm.port}`);
    } finally {
      await mitm.close();
    }
  });

  it("an issuer that changes through the agent's proxy (--proxy): the proxy inspects TLS", async () => {
    // A CONNECT proxy that answers every tunnel with its own TLS endpoint (an inspecting proxy's forged chain).
    const forged = makeCertificates({ names: [NAME], ips: [LOOPBACK], caName: 'Corp Gateway Root' });
    const inspector = await startStandInManager({ host: LOOPBACK, names: [NAME], certs: forged });
    const proxy = createServer((client) => {
      client.once('data', () => {
        const upstream = connect(inspector.port, LOOPBACK, () => {
          client.write('HTTP/1.1 200 Connection established\r\n\r\n');
          client.pipe(upstream).pipe(client);
        });
        upstream.on('error', () => client.destroy());
      });
      client.on('error', () => undefined);
    });
    await new Promise<void>((r) => proxy.listen(0, LOOPBACK, () => r()));
    try {
      const { root } = sandbox(`${LOOPBACK}\t${NAME}\n`);
      const proxyAt = `${LOOPBACK}:${(proxy.address() as { port: number }).port}`;
      const r = await runCliJson<DoctorResult>(
        [
          'doctor',
          '--root',
          root,
          '--manager',
          `dsm://${NAME}:${mgr.port}/`,
          '--proxy',
          proxyAt,
          '--only',
          'tls.manager',
          '--only',
          'proxy',
        ],
        { env: { NODE_EXTRA_CA_CERTS: mgr.certs.caFile } },
      );
      const c = check(r.json, 'tls.manager');
      expect(c.status).toBe('fail');
      expect(c.class).toBe('proxy');
      expect(c.detail).toContain('Corp Gateway Root');
      expect(c.detail).toContain(proxyAt);
      expect(c.remedy).toContain(`Exempt ${NAME} port ${mgr.port}`);
      const p = check(r.json, 'proxy');
      expect(p.status).toBe('pass');
      expect(p.detail).toContain('200 Connection established');
      expect(r.json.verdict).toMatchObject({ check: 'tls.manager', class: 'proxy' });
    } finally {
      proxy.close();
      await inspector.close();
    }
  });

  it('an on-premises self-signed manager certificate is a warning that shows the fingerprint, never a silent pass', async () => {
    const { root } = sandbox(`${LOOPBACK}\t${NAME}\n`);
    const r = await runCliJson<DoctorResult>([
      'doctor',
      '--root',
      root,
      '--manager',
      `dsm://${NAME}:${mgr.port}/`,
      '--only',
      'tls.manager',
    ]);
    const c = check(r.json, 'tls.manager');
    expect(c.status).toBe('warn');
    expect(c.detail).toMatch(/SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(c.remedy).not.toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('one overall deadline: a manager that never answers is reported past the deadline, and the run ends', async () => {
    const slow = await startStandInManager({ host: LOOPBACK, names: [NAME], mode: 'slow', delayMs: 20_000 });
    try {
      const { root } = sandbox(`${LOOPBACK}\t${NAME}\n`);
      const started = Date.now();
      const r = await runCliJson<DoctorResult>(
        [
          'doctor',
          '--root',
          root,
          '--manager',
          `dsm://${NAME}:${slow.port}/`,
          '--only',
          'tls.manager',
          '--only',
          'net.manager',
          '--timeout',
          '8000',
          '--deadline',
          '1500',
        ],
        { env: { NODE_EXTRA_CA_CERTS: slow.certs.caFile } },
      );
      // The process ended well before the check's own 8 s timeout (nothing left hanging).
      expect(Date.now() - started).toBeLessThan(7_500);
      expect(r.json.ms).toBeLessThan(3_000);
      const c = check(r.json, 'tls.manager');
      expect(c.status).toBe('fail');
      expect(c.detail).toContain('overall deadline (1500 ms)');
      expect(r.json.verdict?.check).toBe('tls.manager');
      expect(c.remedy).toContain('--timeout');
      expect(check(r.json, 'net.manager').status).toBe('pass');
      expect(r.exitCode).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('report renders doctor --json as self-contained HTML and as Markdown, in the language asked', async () => {
    const { root, hostsFile } = sandbox('');
    const r = await runCliJson<DoctorResult>([
      'doctor',
      '--root',
      root,
      '--hosts-file',
      hostsFile,
      '--only',
      'hosts.entries',
    ]);
    const json = join(root, 'doctor.json');
    writeFileSync(json, r.stdout);
    const html = await runCli(['report', '--from', json, '--format', 'html', '--lang', 'ja']);
    expect(html.exitCode).toBe(0);
    expect(html.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(html.stdout).toContain('hosts ファイルのマネージャー行');
    expect(html.stdout).not.toMatch(/\bsrc=|href=/);
    const out = join(root, 'report.md');
    const md = await runCli(['report', '--from', json, '--format', 'md', '--out', out]);
    expect(md.exitCode).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('| FAIL | `hosts.entries` (dns) |');
    writeFileSync(json, '{"version": 1}');
    const bad = await runCli(['report', '--from', json]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('is not a doctor result: at version');
  });

  it('refused: nothing listens on the port → net.manager fails at once as refused (class tcp), in en and ja', async () => {
    const port = await freePort(LOOPBACK);
    const { root } = sandbox(`${LOOPBACK}\t${NAME}\n`);
    for (const lang of ['en', 'ja'] as const) {
      const r = await runCliJson<DoctorResult>([
        'doctor',
        '--root',
        root,
        '--manager',
        `dsm://${NAME}:${port}/`,
        '--only',
        'net.manager',
        '--only',
        'tls.manager',
        '--lang',
        lang,
      ]);
      expect(r.exitCode).toBe(1);
      const c = check(r.json, 'net.manager');
      expect(c.status).toBe('fail');
      expect(c.class).toBe('tcp');
      expect(c.phases!.map((p) => p.status)).toEqual(['pass', 'fail']);
      if (lang === 'en') expect(c.detail).toContain('refused');
      else expect(c.detail).toContain('拒否');
      expect(c.remedy).not.toBe('');
      if (lang === 'ja') expect(c.remedy).toMatch(JA);
      // The TLS check builds on the connection: blocked, naming it, instead of repeating its failure.
      const t = check(r.json, 'tls.manager');
      expect(t).toMatchObject({ status: 'blocked', blockedBy: 'net.manager', remedy: '' });
      expect(t.class).toBeUndefined();
      expect(r.json.verdict).toMatchObject({ check: 'net.manager', class: 'tcp' });
      expect(r.json.checks.map((x) => x.id)).toEqual(['net.manager', 'tls.manager']);
    }
  });
});

describe('doctor: manager names in the hosts file', () => {
  afterAll(() => cleanupRoots());

  it('missing from the hosts file: hosts.entries fails naming the line to add', async () => {
    const { root, hostsFile } = sandbox('');
    for (const lang of ['en', 'ja'] as const) {
      const r = await runCliJson<DoctorResult>([
        'doctor',
        '--root',
        root,
        '--hosts-file',
        hostsFile,
        '--only',
        'hosts.entries',
        '--lang',
        lang,
      ]);
      const c = check(r.json, 'hosts.entries');
      expect(r.exitCode).toBe(1);
      expect(c.status).toBe('fail');
      expect(c.class).toBe('dns');
      expect(c.detail).toContain(`${LOOPBACK} ${NAME}`);
      expect(c.remedy).toContain(hostsFile);
      if (lang === 'ja') expect(c.remedy).toMatch(JA);
    }
  });

  it('shadowed by an earlier line: the line number is named; name resolution, which builds on it, is blocked', async () => {
    const { root, hostsFile } = sandbox(`10.20.30.40\tother ${NAME}\n${LOOPBACK}\t${NAME}\n`);
    const r = await runCliJson<DoctorResult>([
      'doctor',
      '--root',
      root,
      '--hosts-file',
      hostsFile,
      '--manager',
      `dsm://${NAME}:4120/`,
      '--only',
      'hosts.entries',
      '--only',
      'dns.manager',
      '--lang',
      'ja',
    ]);
    const h = check(r.json, 'hosts.entries');
    expect(h.status).toBe('fail');
    expect(h.detail).toContain('2 行目');
    expect(h.detail).toContain('10.20.30.40');
    expect(h.remedy).toMatch(JA);
    expect(r.json.verdict).toMatchObject({ check: 'hosts.entries', class: 'dns' });
    expect(r.json.verdict!.remedy).toBe(h.remedy);
    expect(check(r.json, 'dns.manager')).toMatchObject({ status: 'blocked', blockedBy: 'hosts.entries' });
    // Alone, the resolution check shows the wrong address itself.
    const alone = await runCliJson<DoctorResult>([
      'doctor',
      '--root',
      root,
      '--hosts-file',
      hostsFile,
      '--manager',
      `dsm://${NAME}:4120/`,
      '--only',
      'dns.manager',
    ]);
    const d = check(alone.json, 'dns.manager');
    expect(d.status).toBe('fail');
    expect(d.class).toBe('dns');
    expect(d.detail).toContain('10.20.30.40');
    expect(d.remedy).toContain(LOOPBACK);
  });

  it("the agent's log: the newest known failure line is explained with its cause and remedy", async () => {
    const root = makeRoot({
      ...OS_RELEASE.el9,
      hosts: '127.0.0.1 localhost\n',
      files: {
        'var/opt/ds_agent/diag/ds_agent.log':
          '2026-11-23 09:00:00 [info] started\n2026-11-23 09:00:05 [error] Event ID: 4012 Heartbeat Server Failed\n2026-11-23 09:00:06 [info] retry\n',
      },
    });
    for (const lang of ['en', 'ja'] as const) {
      const r = await runCliJson<DoctorResult>([
        'doctor',
        '--root',
        root,
        '--manager',
        `dsm://${NAME}:4120/`,
        '--only',
        'agent.log',
        '--lang',
        lang,
      ]);
      const c = check(r.json, 'agent.log');
      expect(c.status).toBe('fail');
      expect(c.class).toBe('tcp');
      expect(c.detail).toContain('/var/opt/ds_agent/diag/ds_agent.log');
      expect(c.detail).toContain('4012');
      expect(c.remedy).toContain(NAME);
      if (lang === 'ja') expect(c.remedy).toMatch(JA);
    }
  });

  it('a missing input is a skip saying which option gives it, never an absent check', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const r = await runCliJson<DoctorResult>([
      'doctor',
      '--root',
      root,
      '--only',
      'hosts.entries',
      '--only',
      'tls.manager',
      '--only',
      'installer.match',
    ]);
    expect(r.json.checks.map((c) => [c.id, c.status])).toEqual([
      ['hosts.entries', 'skip'],
      ['tls.manager', 'skip'],
      ['installer.match', 'skip'],
    ]);
    expect(check(r.json, 'hosts.entries').detail).toContain('--hosts-file');
    expect(check(r.json, 'tls.manager').detail).toContain('--manager');
    expect(r.exitCode).toBe(0);
  });
});

describe('doctor in a network namespace: filtered and unreachable', () => {
  const ns = `dsa-doc-${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    await execa('ip', ['netns', 'add', ns]);
    await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const ruleset = [
      'table inet doctortest {',
      '  chain out {',
      '    type filter hook output priority 0; policy accept;',
      '    tcp dport { 4120, 4122 } drop',
      '  }',
      '}',
      '',
    ].join('\n');
    await execa('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: ruleset });
  });
  afterAll(async () => {
    await execa('ip', ['netns', 'delete', ns], { reject: false });
    cleanupRoots();
  });

  const inNs = (args: string[]) => runCliJsonIn<DoctorResult>(['ip', 'netns', 'exec', ns], args);

  it('filtered: dropped ports are reported as timed out within their timeout (concurrently), another port as refused at once', async () => {
    const { root } = sandbox(`127.0.0.1\t${NAME}\n`, '127.0.0.1');
    const r = await inNs([
      'doctor',
      '--root',
      root,
      '--manager',
      `dsm://${NAME}:4120/`,
      '--target',
      '127.0.0.1:4119',
      '--relay',
      '127.0.0.1',
      '--timeout',
      '1500',
      '--only',
      'net.',
    ]);
    const c = check(r.json, 'net.manager');
    expect(c.status).toBe('fail');
    expect(c.class).toBe('tcp');
    expect(c.detail).toContain('within 1500 ms');
    expect(c.detail).toContain('filtered');
    expect(c.remedy).toContain('Allow outbound TCP to 127.0.0.1 port 4120');
    expect(c.remedy).toContain('inbound TCP port 4118 from 127.0.0.1');
    expect(c.ms).toBeGreaterThanOrEqual(1400);
    const other = check(r.json, 'net.extra.127.0.0.1:4119');
    expect(other.detail).toContain('refused');
    expect(other.ms).toBeLessThan(1000);
    // Concurrent: the whole run takes about the slowest check, not the sum.
    const relay = check(r.json, 'net.relay.127.0.0.1:4122');
    expect(relay.detail).toContain('filtered');
    expect(r.json.ms).toBeLessThan(c.ms + relay.ms);
    expect(c.ms).toBeLessThan(3_000);
    expect(r.exitCode).toBe(1);
  });

  it('unreachable: no route to the address in the namespace', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const r = await inNs([
      'doctor',
      '--root',
      root,
      '--manager',
      'dsm://10.254.1.1:4120/',
      '--only',
      'net.manager',
      '--lang',
      'ja',
    ]);
    const c = check(r.json, 'net.manager');
    expect(c.status).toBe('fail');
    expect(c.class).toBe('tcp');
    expect(c.detailRef.key).toBe('doctor.tcp.noRoute');
    expect(c.detail).toContain('10.254.1.1 への経路がありません');
    expect(c.remedy).toContain('ip route get 10.254.1.1');
    expect(c.ms).toBeLessThan(1000);
  });
});
