import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliJson, runCliJsonIn, withBindMount } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { makeCertificates } from '../fixtures/manager/certs.js';
import type { DoctorCheck, DoctorResult } from '../../main/core/doctor/types.js';

// Real faults, each answered by one verdict naming the party to act and the port, address or server.
const oct = (): number => Math.floor(Math.random() * 200) + 20;
const LOOPBACK = `127.0.${oct()}.${oct()}`;
const NAME = 'dsm01.faults.test';
const id = randomBytes(3).toString('hex');

function check(r: DoctorResult, cid: string): DoctorCheck {
  const c = r.checks.find((x) => x.id === cid);
  if (!c) throw new Error(`no check ${cid} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
}

const rootWith = (hosts: string): string => makeRoot({ ...OS_RELEASE.el9, hosts: `127.0.0.1\tlocalhost\n${hosts}` });

const listen = <T extends Server | HttpsServer>(s: T, host: string): Promise<number> =>
  new Promise((resolve) => s.listen(0, host, () => resolve((s.address() as { port: number }).port)));

/** A DNS server on 127.0.0.x:53: silent (a sink), or answering every query with one response code. */
function dnsServer(address: string, rcode: number | null): Promise<UdpSocket> {
  const s = createSocket('udp4');
  s.on('message', (q, from) => {
    if (rcode === null || q.length < 12) return; // the sink never answers
    const a = Buffer.from(q);
    a[2] = 0x80 | (q[2]! & 0x01); // QR, RD copied
    a[3] = 0x80 | rcode; // RA, RCODE
    a.writeUInt16BE(0, 6); // no answers
    a.writeUInt16BE(0, 8);
    a.writeUInt16BE(0, 10);
    s.send(a, from.port, from.address);
  });
  return new Promise((resolve) => s.bind(53, address, () => resolve(s)));
}

/** Runs the doctor with resolv.conf bind-mounted from `resolvConf` (a private mount namespace), timing it. */
const withResolvConf = (resolvConf: string, args: string[]) =>
  runCliJsonIn<DoctorResult>(withBindMount(resolvConf, '/etc/resolv.conf'), args);

/** `doctor --json` against the manager `name:port`, which a --root hosts file maps to LOOPBACK. */
const doctorAt = (name: string, port: number, args: string[], env: Record<string, string> = {}) =>
  runCliJson<DoctorResult>(
    ['doctor', '--root', rootWith(`${LOOPBACK}\t${name}\n`), '--manager', `dsm://${name}:${port}/`, ...args],
    { env },
  );

/** Makes the agent's tools in `root` shell scripts that hang in a child (`sleep MARKER`); returns the marker. */
function hangingTools(root: string, ...tools: string[]): string {
  const marker = `${(Math.random() * 100 + 50).toFixed(3)}`;
  mkdirSync(join(root, 'opt/ds_agent'), { recursive: true });
  for (const tool of tools) {
    writeFileSync(join(root, 'opt/ds_agent', tool), `#!/bin/sh\nsleep ${marker} &\nwait\n`);
    chmodSync(join(root, 'opt/ds_agent', tool), 0o755);
  }
  return marker;
}

/** Whether a child `sleep MARKER` outlived its tool (it must not: the whole process group is killed). */
async function childLeft(marker: string): Promise<string> {
  await new Promise((res) => setTimeout(res, 300));
  return (await execa('pgrep', ['-f', `sleep ${marker}`], { reject: false })).stdout.trim();
}

afterAll(() => cleanupRoots());

describe('DNS: a silent server, NXDOMAIN and SERVFAIL are told apart', () => {
  const servers: UdpSocket[] = [];
  const sinks = [1, 2, 3].map((n) => `127.0.${oct()}.${n}`);
  const nx = `127.0.${oct()}.4`;
  const sf = `127.0.${oct()}.5`;
  const dir = makeRoot({});
  beforeAll(async () => {
    for (const a of sinks) servers.push(await dnsServer(a, null));
    servers.push(await dnsServer(nx, 3), await dnsServer(sf, 2));
    writeFileSync(join(dir, 'silent.conf'), sinks.map((a) => `nameserver ${a}\n`).join(''));
    writeFileSync(join(dir, 'nx.conf'), `nameserver ${nx}\n`);
    writeFileSync(join(dir, 'sf.conf'), `nameserver ${sf}\n`);
  });
  afterAll(() => servers.forEach((s) => s.close()));

  it('three silent nameservers: dns.manager fails as a timeout naming them, the rest is blocked, the run ends by its deadline', async () => {
    const root = rootWith('');
    const r = await withResolvConf(join(dir, 'silent.conf'), [
      'doctor',
      '--root',
      root,
      '--manager',
      `dsm://${NAME}:4120/`,
      '--deadline',
      '2500',
    ]);
    const c = check(r.json, 'dns.manager');
    expect(c.status).toBe('fail');
    expect(c.class).toBe('dns');
    expect(c.detailRef.key).toBe('doctor.dns.timeout');
    for (const a of sinks) expect(c.remedy).toContain(a);
    expect(c.remedy).toContain('port 53');
    expect(r.json.verdict).toMatchObject({ check: 'dns.manager', class: 'dns' });
    expect(check(r.json, 'net.manager')).toMatchObject({ status: 'blocked', blockedBy: 'dns.manager' });
    expect(check(r.json, 'tls.manager')).toMatchObject({ status: 'blocked', blockedBy: 'dns.manager' });
    // deadline + 0.5 s, with generous slack for a loaded machine
    expect(r.wallMs).toBeLessThan(2_500 + 500 + 1_500);
    expect(r.exitCode).toBe(1);
  });

  for (const [answer, conf, key, server, remedy] of [
    ['NXDOMAIN: the name does not exist, the remedy is the hosts line', 'nx.conf', 'nxdomain', nx, '/etc/hosts'],
    ['SERVFAIL: the nameserver failed, its administrator is named', 'sf.conf', 'servfail', sf, `The DNS server ${sf}`],
  ] as const)
    it(answer, async () => {
      const r = await withResolvConf(join(dir, conf), [
        'doctor',
        '--root',
        rootWith(''),
        '--manager',
        `dsm://${NAME}:4120/`,
        '--only',
        'dns.manager',
      ]);
      const c = check(r.json, 'dns.manager');
      expect(c).toMatchObject({ status: 'fail', class: 'dns' });
      expect(c.detailRef.key).toBe(`doctor.dns.${key}`);
      expect(c.detail).toContain(server);
      expect(c.remedy).toContain(remedy);
      expect(r.json.verdict).toMatchObject({ check: 'dns.manager', class: 'dns', remedy: c.remedy });
    });
});

describe('a hung agent tool (a shell with a child) never holds the run past its deadline', () => {
  it('dsa_query hangs: agent.activated names it as the root cause, and the process ends by the deadline', async () => {
    const root = rootWith('');
    const marker = hangingTools(root, 'dsa_query');
    const started = performance.now();
    const r = await runCliJson<DoctorResult>(['doctor', '--root', root, '--deadline', '3000']);
    const wall = performance.now() - started;
    const c = check(r.json, 'agent.activated');
    expect(c).toMatchObject({ status: 'fail', class: 'agent' });
    expect(c.detail).toContain('dsa_query -c GetAgentStatus');
    expect(c.detail).toContain('did not end');
    expect(c.remedy).toContain('systemctl restart ds_agent');
    expect(r.json.verdict).toMatchObject({ check: 'agent.activated', class: 'agent' });
    expect(wall).toBeLessThan(3_000 + 500 + 1_500);
    // The shell's child went with it (the whole process group is killed).
    expect(await childLeft(marker)).toBe('');
  });

  it('dsa_control hangs during activate --timeout 2: the run ends in about the timeout, not when the child ends', async () => {
    const root = rootWith(`${LOOPBACK}\t${NAME}\n`);
    const marker = hangingTools(root, 'dsa_control', 'dsa_query');
    const started = performance.now();
    const r = await runCli([
      'activate',
      '--root',
      root,
      '--manager',
      `dsm://${NAME}:4120/`,
      '--hostname',
      'web01',
      '--timeout',
      '2',
      '--wait',
      '0',
      '--no-doctor',
    ]);
    const wall = performance.now() - started;
    expect(r.exitCode, r.stderr).toBe(1);
    expect(wall).toBeLessThan(2_000 + 500 + 3_000);
    expect(await childLeft(marker)).toBe('');
  });
});

describe('status with a hung dsa_query', () => {
  it('status --timeout 2 ends in about 2 s and stops the tool with its child', async () => {
    const root = rootWith('');
    const marker = hangingTools(root, 'dsa_query');
    const started = performance.now();
    const r = await runCli(['status', '--root', root, '--timeout', '2']);
    const wall = performance.now() - started;
    expect(r.exitCode).toBe(1);
    expect(wall).toBeLessThan(2_000 + 500 + 1_500);
    expect(await childLeft(marker)).toBe('');
  });
});

describe('the manager over TLS: the on-premises default certificate, a SaaS chain, a failing manager', () => {
  const servers: HttpsServer[] = [];
  const serve = async (certs: ReturnType<typeof makeCertificates>, status: number): Promise<number> => {
    const s = createHttpsServer({ cert: certs.cert, key: certs.key }, (_q, res) => {
      res.writeHead(status, { 'content-type': 'text/plain', date: new Date().toUTCString() });
      res.end('x');
    });
    servers.push(s);
    return listen(s, LOOPBACK);
  };
  afterAll(() => servers.forEach((s) => s.close()));

  it('self-signed on-premises manager: TLS warns with the fingerprint, the manager still answers HTTP with its Date', async () => {
    const certs = makeCertificates({ names: [NAME], ips: [LOOPBACK] });
    const port = await serve(certs, 200);
    const r = await doctorAt(NAME, port, ['--only', 'tls.manager', '--only', 'time.skew']);
    const c = check(r.json, 'tls.manager');
    expect(c).toMatchObject({ status: 'warn', class: 'tls' });
    expect(c.detail).toMatch(/SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(c.remedy).toContain('fingerprint');
    expect(c.phases!.map((p) => [p.name, p.status])).toEqual([
      ['dns', 'pass'],
      ['tcp', 'pass'],
      ['tls', 'warn'],
      ['manager', 'pass'],
    ]);
    expect(c.phases![3]!.detail).toContain('HTTP 200');
    // The manager's Date reached the clock check.
    expect(check(r.json, 'time.skew').detail).toContain(`manager ${NAME} (Date:`);
    expect(r.json.verdict).toMatchObject({ check: 'tls.manager', class: 'tls' });
    expect(r.exitCode).toBe(0);
  });

  it('a SaaS-named manager behind a private root this machine trusts: fail, class proxy, naming the issuer', async () => {
    const saas = 'agents.deepsecurity.trendmicro.com';
    const certs = makeCertificates({ names: [saas], ips: [LOOPBACK], caName: 'Example Corp Private Root' });
    const port = await serve(certs, 200);
    const r = await doctorAt(saas, port, ['--only', 'tls.manager'], { NODE_EXTRA_CA_CERTS: certs.caFile });
    const c = check(r.json, 'tls.manager');
    expect(c).toMatchObject({ status: 'fail', class: 'proxy' });
    expect(c.detailRef.key).toBe('doctor.tls.saasPrivateRoot');
    expect(c.detail).toContain('Example Corp Private Root');
    expect(c.remedy).toContain(`${saas} port ${port}`);
    expect(r.json.verdict).toMatchObject({ check: 'tls.manager', class: 'proxy' });
    expect(r.exitCode).toBe(1);
  });

  it('a manager answering HTTP 503 is not a pass', async () => {
    const certs = makeCertificates({ names: [NAME], ips: [LOOPBACK] });
    const port = await serve(certs, 503);
    const r = await doctorAt(NAME, port, ['--only', 'tls.manager'], { NODE_EXTRA_CA_CERTS: certs.caFile });
    const c = check(r.json, 'tls.manager');
    expect(c).toMatchObject({ status: 'fail', class: 'manager' });
    expect(c.detail).toContain('HTTP 503');
    expect(c.remedy).toContain(`${NAME}:${port}`);
    expect(r.json.verdict).toMatchObject({ check: 'tls.manager', class: 'manager' });
    expect(r.exitCode).toBe(1);
  });
});

describe("the agent's proxy: its answer to CONNECT is reported, and never recommended when it refused", () => {
  const proxies: Server[] = [];
  const proxy = async (answer: string): Promise<number> => {
    const s = createServer((c) => {
      c.once('data', () => c.end(answer));
      c.on('error', () => undefined);
    });
    proxies.push(s);
    return listen(s, LOOPBACK);
  };
  afterAll(() => proxies.forEach((s) => s.close()));

  for (const [status, line, key] of [
    [403, 'HTTP/1.1 403 Forbidden', 'doctor.tcp.proxyDenied'],
    [407, 'HTTP/1.1 407 Proxy Authentication Required', 'doctor.tcp.proxyAuth'],
  ] as const)
    it(`CONNECT answered ${status}: proxy fails with the status line and the proxy, the path behind it is blocked`, async () => {
      const port = await proxy(`${line}\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n`);
      const r = await doctorAt(
        NAME,
        4120,
        ['--proxy', `${LOOPBACK}:${port}`, '--only', 'proxy', '--only', 'net.manager', '--only', 'tls.manager'],
        { HTTPS_PROXY: `http://${LOOPBACK}:${port}` },
      );
      const p = check(r.json, 'proxy');
      expect(p).toMatchObject({ status: 'fail', class: 'proxy' });
      expect(p.detailRef.key).toBe(key);
      expect(p.detail).toContain(line);
      expect(p.detail).toContain(`${LOOPBACK}:${port}`);
      expect(p.remedy).toContain(`${NAME}:4120`);
      expect(p.remedy).not.toContain('dsm_proxy://');
      expect(check(r.json, 'net.manager')).toMatchObject({ status: 'blocked', blockedBy: 'proxy' });
      expect(check(r.json, 'tls.manager')).toMatchObject({ status: 'blocked', blockedBy: 'proxy' });
      expect(r.json.verdict).toMatchObject({ check: 'proxy', class: 'proxy' });
      expect(r.exitCode).toBe(1);
    });

  it('HTTPS_PROXY alone is noted, never taken for the path the agent takes', async () => {
    const port = await proxy('HTTP/1.1 403 Forbidden\r\n\r\n');
    const r = await doctorAt(NAME, 1, ['--only', 'proxy'], { HTTPS_PROXY: `http://${LOOPBACK}:${port}` });
    const p = check(r.json, 'proxy');
    expect(p.status).toBe('pass');
    expect(p.detail).toContain('connects to the manager directly');
    expect(p.detail).toContain(`HTTPS_PROXY=http://${LOOPBACK}:${port}`);
    expect(p.remedy).toBe('');
  });
});

describe('network causes in a namespace: ICMP reject, prohibit and blackhole routes, a host down on the link', () => {
  const ns = `dsa-flt-${id}`;
  beforeAll(async () => {
    await execa('ip', ['netns', 'add', ns]);
    const ip = (...a: string[]) => execa('ip', ['-n', ns, ...a]);
    await ip('link', 'set', 'lo', 'up');
    await ip('link', 'add', `v${id}a`, 'type', 'veth', 'peer', 'name', `v${id}b`);
    await ip('addr', 'add', '10.77.0.1/24', 'dev', `v${id}a`);
    await ip('link', 'set', `v${id}a`, 'up');
    await ip('link', 'set', `v${id}b`, 'up');
    await ip('route', 'add', 'prohibit', '10.88.0.0/16');
    await ip('route', 'add', 'blackhole', '10.89.0.0/16');
    const ruleset = [
      'table inet faults {',
      '  chain out {',
      '    type filter hook output priority 0; policy accept;',
      '    tcp dport 4120 reject with icmp type admin-prohibited',
      '  }',
      '}',
      '',
    ].join('\n');
    await execa('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: ruleset });
  });
  afterAll(async () => {
    await execa('ip', ['netns', 'delete', ns], { reject: false });
  });

  const inNs = (args: string[]) => runCliJsonIn<DoctorResult>(['ip', 'netns', 'exec', ns], args);

  it('nft rejects with ICMP admin-prohibited: "the host did not answer", with the exact outbound and inbound rules', async () => {
    const r = await inNs([
      'doctor',
      '--root',
      rootWith(`127.0.0.1\t${NAME}\n`),
      '--manager',
      `dsm://${NAME}:4120/`,
      '--only',
      'net.manager',
    ]);
    const c = check(r.json, 'net.manager');
    expect(c).toMatchObject({ status: 'fail', class: 'tcp' });
    expect(c.detailRef.key).toBe('doctor.tcp.noAnswer');
    expect(c.detail).toContain('a firewall rejected the connection with ICMP');
    expect(c.remedy).toContain('outbound TCP to 127.0.0.1 port 4120');
    expect(c.remedy).toContain('inbound TCP port 4118 from 127.0.0.1');
    expect(r.json.verdict).toMatchObject({ check: 'net.manager', class: 'tcp' });
  });

  for (const [kind, address] of [
    ['prohibit', '10.88.0.1'],
    ['blackhole', '10.89.0.1'],
  ] as const)
    it(`a ${kind} route is named as such, with the address`, async () => {
      const r = await inNs([
        'doctor',
        '--root',
        rootWith(`${address}\t${NAME}\n`),
        '--manager',
        `dsm://${NAME}:4120/`,
        '--only',
        'net.manager',
      ]);
      const c = check(r.json, 'net.manager');
      expect(c).toMatchObject({ status: 'fail', class: 'tcp' });
      expect(c.detailRef.key).toBe('doctor.tcp.routeRefuses');
      expect(c.detail).toContain(`"${kind}" route`);
      expect(c.detail).toContain(`ip route get ${address}`);
      expect(c.remedy).toContain(address);
      expect(r.json.verdict).toMatchObject({ check: 'net.manager', class: 'tcp' });
    });

  it('a host down on the local link: the same answer at any timeout, naming the address', async () => {
    for (const timeout of ['1000', '4000']) {
      const r = await inNs([
        'doctor',
        '--root',
        rootWith(`10.77.0.9\t${NAME}\n`),
        '--manager',
        `dsm://${NAME}:4120/`,
        '--only',
        'net.manager',
        '--timeout',
        timeout,
      ]);
      const c = check(r.json, 'net.manager');
      expect(c, timeout).toMatchObject({ status: 'fail', class: 'tcp' });
      expect(['doctor.tcp.hostDown', 'doctor.tcp.noAnswer']).toContain(c.detailRef.key);
      expect(c.detail).toContain('10.77.0.9');
      expect(c.detail).not.toMatch(/filtered|no route/i);
      expect(c.remedy).toContain('outbound TCP to 10.77.0.9 port 4120');
      expect(r.json.verdict?.check).toBe('net.manager');
    }
  });
});

describe('--only matching nothing', () => {
  it('exits 2 and lists the valid check ids (text and --json)', async () => {
    const text = await runCli(['doctor', '--root', rootWith(''), '--only', 'nope.nothing']);
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toContain('--only nope.nothing matches no check');
    expect(text.stderr).toContain('dns.manager');
    expect(text.stderr).toContain('time.skew');
    expect(text.stderr).not.toContain('Internal error');
    const json = await runCli(['doctor', '--root', rootWith(''), '--only', 'nope.nothing', '--json']);
    expect(json.exitCode).toBe(2);
    expect((JSON.parse(json.stdout) as { error: { code: string } }).error.code).toBe('doctor.noSuchCheck');
  });
});
