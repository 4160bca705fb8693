import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startChronyd, type Chronyd } from '../helpers/chronyd.js';
import { CLI } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { makeCertificates, type CertSet } from '../fixtures/manager/certs.js';
import type { DoctorCheck, DoctorResult } from '../../main/core/doctor/types.js';

// Who is to blame when the manager's certificate or answer is wrong: this clock, the manager, or a proxy.
const oct = (): number => Math.floor(Math.random() * 200) + 20;
const LOOPBACK = `127.0.${oct()}.${oct()}`;
const NTP_ADDR = `127.0.${oct()}.${oct()}`;
const NAME = `dsm-${randomBytes(3).toString('hex')}.blame.test`;
const JA = /[\u3040-\u30ff\u4e00-\u9fff]/;

function check(r: DoctorResult, cid: string): DoctorCheck {
  const c = r.checks.find((x) => x.id === cid);
  if (!c) throw new Error(`no check ${cid} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
}

const root = (): string => makeRoot({ ...OS_RELEASE.el9, hosts: `127.0.0.1\tlocalhost\n${LOOPBACK}\t${NAME}\n` });

/**
 * What the server at the manager's address does once TLS is up and `GET /` came in: answer with a status,
 * send raw bytes (then close), send bytes and then nothing more (the connection kept open), hang up at once, or
 * never answer.
 */
type Answer = { status: number } | { raw: string } | { stall: string } | 'hangUp' | 'never';

const servers: (Server | TlsServer)[] = [];
const sockets = new Set<Socket>();
afterAll(() => {
  for (const s of sockets) s.destroy();
  servers.forEach((s) => s.close());
  cleanupRoots();
});

const listen = (s: Server | TlsServer): Promise<number> => {
  servers.push(s);
  s.on('connection', (c: Socket) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  return new Promise((resolve) => s.listen(0, LOOPBACK, () => resolve((s.address() as { port: number }).port)));
};

/** A TLS server on LOOPBACK with `certs` that answers `GET /` as `answer` says, with this clock's Date. */
function manager(certs: Pick<CertSet, 'cert' | 'key'>, answer: Answer): Promise<number> {
  const s = createTlsServer({ cert: certs.cert, key: certs.key }, (c: TLSSocket) => {
    c.on('error', () => undefined);
    let head = '';
    c.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      if (answer === 'never') return;
      if (answer === 'hangUp') return void c.destroy();
      if ('raw' in answer) return void c.end(answer.raw);
      if ('stall' in answer) return void c.write(answer.stall);
      c.end(`HTTP/1.1 ${answer.status} X\r\nDate: ${new Date().toUTCString()}\r\nContent-Length: 0\r\n\r\n`);
    });
  });
  return listen(s);
}

/** `doctor --json` against NAME:port, the CA of `certs` trusted, optionally under faketime. */
async function doctor(
  port: number,
  certs: CertSet | null,
  args: string[],
  faketime?: string,
): Promise<{ json: DoctorResult; exitCode: number; wallMs: number }> {
  const argv = ['doctor', '--json', '--root', root(), '--manager', `dsm://${NAME}:${port}/`, ...args];
  const env = { LANG: 'C', ...(certs ? { NODE_EXTRA_CA_CERTS: certs.caFile } : {}) };
  const t0 = performance.now();
  const r = faketime
    ? await execa('faketime', ['-f', faketime, process.execPath, CLI, ...argv], { reject: false, env })
    : await execa(process.execPath, [CLI, ...argv], { reject: false, env, stdin: 'ignore' });
  const wallMs = performance.now() - t0;
  return { json: JSON.parse(String(r.stdout)) as DoctorResult, exitCode: r.exitCode ?? -1, wallMs };
}

/** `doctor --fix --out` of tls.manager against NAME:port (the CA of `certs` trusted): what it printed. */
async function doctorFix(port: number, certs: CertSet): Promise<{ stdout: string }> {
  const sandbox = root();
  const argv = ['doctor', '--root', sandbox, '--manager', `dsm://${NAME}:${port}/`, '--only', 'tls.manager'];
  const r = await execa(process.execPath, [CLI, ...argv, '--fix', '--out', join(sandbox, 'plan.json')], {
    reject: false,
    env: { LANG: 'C', NODE_EXTRA_CA_CERTS: certs.caFile },
    stdin: 'ignore',
  });
  return { stdout: String(r.stdout) };
}

describe("a certificate's dates: this clock or the manager's certificate, by another clock", () => {
  it("expired, and the manager's clock agrees with this one: the manager's certificate is blamed, not this clock", async () => {
    const certs = makeCertificates({ names: [NAME], ips: [LOOPBACK], shiftClock: '-400 days', days: 30 });
    const port = await manager(certs, { status: 200 });
    for (const lang of ['en', 'ja'] as const) {
      const r = await doctor(port, certs, ['--only', 'tls.manager', '--lang', lang]);
      const c = check(r.json, 'tls.manager');
      expect(c).toMatchObject({ status: 'fail', class: 'manager' });
      expect(c.detailRef.key).toBe('doctor.tls.expiredCertificate');
      expect(c.remedyRef?.key).toBe('doctor.tls.expiredCertificateRemedy');
      expect(c.remedy).toContain(NAME);
      expect(r.json.verdict).toMatchObject({ check: 'tls.manager', class: 'manager' });
      expect(r.exitCode).toBe(1);
      if (lang === 'ja') expect(c.remedy).toMatch(JA);
      else expect(c.remedy).toContain('renew its certificate');
    }
    // doctor --fix: nothing for this machine; the manager's administrator renews the certificate.
    const fix = await doctorFix(port, certs);
    expect(fix.stdout).toContain('Nothing found that this machine can fix');
    expect(fix.stdout).toContain(
      `tls.manager: the manager's administrator — renew the certificate of the manager ${NAME} (this machine's clock is right)`,
    );
  });

  it("not yet valid, and the manager's clock agrees with this one: the certificate's start date is blamed", async () => {
    const certs = makeCertificates({ names: [NAME], ips: [LOOPBACK], shiftClock: '+3 days' });
    const port = await manager(certs, { status: 200 });
    const r = await doctor(port, certs, ['--only', 'tls.manager']);
    const c = check(r.json, 'tls.manager');
    expect(c).toMatchObject({ status: 'fail', class: 'manager' });
    expect(c.detailRef.key).toBe('doctor.tls.notYetValidCertificate');
    expect(c.remedy).toContain('This clock is right');
  });

  it("this clock 2 days behind (faketime), the certificate valid by the manager's Date: this clock is blamed", async () => {
    const certs = makeCertificates({ names: [NAME], ips: [LOOPBACK] });
    const port = await manager(certs, { status: 200 });
    const r = await doctor(port, certs, ['--only', 'tls.manager'], '-2d');
    const c = check(r.json, 'tls.manager');
    expect(c).toMatchObject({ status: 'fail', class: 'clock' });
    expect(c.detailRef.key).toBe('doctor.tls.notYetValidThisClock');
    expect(c.detail).toContain('this clock is behind');
    expect(c.remedy).toContain("the manager's certificate is fine");
    expect(r.json.verdict).toMatchObject({ check: 'tls.manager', class: 'clock' });
  });

  describe('with an NTP server (chronyd on loopback)', () => {
    let chrony: Chronyd;
    beforeAll(async () => {
      chrony = await startChronyd(NTP_ADDR);
    });
    afterAll(() => chrony?.stop());

    it('this clock 40 days ahead (faketime): the clock is blamed once, with how to set it here, never the manager', async () => {
      const certs = makeCertificates({ names: [NAME], ips: [LOOPBACK] });
      const port = await manager(certs, { status: 200 });
      const ntp = `${NTP_ADDR}:${chrony.port}`;
      const r = await doctor(port, certs, ['--ntp-server', ntp], '+40d');
      // time.skew found the clock wrong: the certificate's dates are its consequence, not a second failure.
      expect(r.json.verdict).toMatchObject({ check: 'time.skew', class: 'clock' });
      const skew = check(r.json, 'time.skew');
      expect(skew.remedy).toContain(`server ${NTP_ADDR} port ${chrony.port} iburst`);
      // An offset of weeks reads in days, not millions of seconds.
      expect(skew.detail).toMatch(/This clock is 40\.0 days ahead/);
      expect(check(r.json, 'tls.manager')).toMatchObject({ status: 'blocked', blockedBy: 'time.skew', remedy: '' });
      expect(r.json.checks.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual(['time.skew']);
      expect(r.json.checks.some((x) => x.class === 'manager' || x.class === 'tls')).toBe(false);

      // Alone, tls.manager says it itself.
      const only = await doctor(port, certs, ['--ntp-server', ntp, '--only', 'tls.manager'], '+40d');
      const c = check(only.json, 'tls.manager');
      expect(c).toMatchObject({ status: 'fail', class: 'clock' });
      expect(c.detailRef.key).toBe('doctor.tls.expiredThisClock');
      expect(c.detail).toContain(`the NTP server ${ntp}`);
      // EL9: chrony's own syntax with the real server and port, then the step.
      expect(c.remedy).toContain(`server ${NTP_ADDR} port ${chrony.port} iburst`);
      expect(c.remedy).toContain('chronyc makestep');
    });
  });
});

describe("the manager's answer over TLS: a pass needs a whole HTTP answer from the manager", () => {
  const certs = makeCertificates({ names: [NAME], ips: [LOOPBACK] });
  for (const [what, answer, cls, key, shows] of [
    ['HTTP 502', { status: 502 }, 'manager', 'doctor.manager.serverError', 'HTTP 502'],
    ['407 from a proxy inside TLS', { status: 407 }, 'proxy', 'doctor.manager.proxyAuth', 'HTTP/1.1 407'],
    [
      'another protocol',
      { raw: 'SSH-2.0-OpenSSH_9.6\r\n' },
      'manager',
      'doctor.manager.notHttp',
      'SSH-2.0-OpenSSH_9.6',
    ],
    [
      'a header cut off mid-way',
      { raw: `HTTP/1.1 200 OK\r\nDate: ${new Date().toUTCString()}\r\nContent-Le` },
      'manager',
      'doctor.manager.cut',
      'HTTP/1.1 200 OK',
    ],
    ['a hang-up without an answer', 'hangUp', 'manager', 'doctor.manager.closed', 'closed the connection'],
    // Squid's refusal as published (https://www.fixwikihub.com/articles/fix-squid-proxy-access-denied):
    // "HTTP/1.1 403 Forbidden" with "X-Squid-Error: ERR_ACCESS_DENIED 0".
    [
      "a proxy's 403 block page inside TLS",
      {
        raw: 'HTTP/1.1 403 Forbidden\r\nServer: squid/5.7\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n',
      },
      'proxy',
      'doctor.manager.proxyAnswered',
      'Server: squid/5.7',
    ],
    [
      "a proxy's 503 that could not reach the manager",
      { raw: 'HTTP/1.1 503 Service Unavailable\r\nX-Squid-Error: ERR_CONNECT_FAIL 111\r\nContent-Length: 0\r\n\r\n' },
      'proxy',
      'doctor.manager.proxyAnswered',
      'X-Squid-Error: ERR_CONNECT_FAIL 111',
    ],
    [
      "a WAF's 403 block page",
      { raw: 'HTTP/1.1 403 Forbidden\r\nServer: FortiWeb\r\nContent-Length: 0\r\n\r\n' },
      'tcp',
      'doctor.manager.firewallAnswered',
      'Server: FortiWeb',
    ],
    [
      'a header that stops mid-way on an open connection',
      { stall: 'HTTP/1.1 200 OK\r\nServer: x\r\n' },
      'manager',
      'doctor.manager.cut',
      'stopped sending after',
    ],
  ] as const)
    it(`${what}: fail, class ${cls}`, async () => {
      const port = await manager(certs, answer);
      const r = await doctor(port, certs, ['--only', 'tls.manager', '--timeout', '1500']);
      const c = check(r.json, 'tls.manager');
      expect(c).toMatchObject({ status: 'fail', class: cls });
      expect(c.detailRef.key).toBe(key);
      expect(c.detail).toContain(shows);
      expect(c.remedy).toContain(`${NAME}`);
      expect(c.phases!.map((p) => [p.name, p.status])).toEqual([
        ['dns', 'pass'],
        ['tcp', 'pass'],
        ['tls', 'pass'],
        ['manager', 'fail'],
      ]);
      expect(r.json.verdict).toMatchObject({ check: 'tls.manager', class: cls });
      expect(r.exitCode).toBe(1);
    });

  it("a refusal the manager signs itself (no proxy's or firewall's header) is the manager answering", async () => {
    const port = await manager(certs, { raw: 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' });
    const r = await doctor(port, certs, ['--only', 'tls.manager', '--timeout', '1500']);
    expect(check(r.json, 'tls.manager')).toMatchObject({ status: 'pass' });
    expect(r.exitCode).toBe(0);
  });

  it("a load balancer's 403 in front of one's own manager: a warning for the manager's administrator, never a pass", async () => {
    const port = await manager(certs, {
      raw: 'HTTP/1.1 403 Forbidden\r\nServer: awselb/2.0\r\nContent-Length: 0\r\n\r\n',
    });
    const r = await doctor(port, certs, ['--only', 'tls.manager', '--timeout', '1500', '--lang', 'ja']);
    const c = check(r.json, 'tls.manager');
    expect(c).toMatchObject({ status: 'warn', class: 'manager' });
    expect(c.detailRef.key).toBe('doctor.manager.balancerAnswered');
    expect(c.detail).toContain('Server: awselb/2.0');
    expect(c.remedy).toMatch(JA);
  });

  it("doctor --fix: a service that does not answer as the manager is left to the manager's administrator, with its port", async () => {
    const port = await manager(certs, { raw: 'SSH-2.0-OpenSSH_9.6\r\n' });
    const fix = await doctorFix(port, certs);
    expect(fix.stdout).toContain(
      `tls.manager: the manager's administrator — check the service at ${NAME}:${port}: it does not answer as the manager`,
    );
  });

  it('a manager that never answers after the handshake: the answer is what was awaited at the deadline', async () => {
    const port = await manager(certs, 'never');
    const r = await doctor(port, certs, ['--only', 'tls.manager', '--timeout', '5000', '--deadline', '2000']);
    const c = check(r.json, 'tls.manager');
    expect(c.status).toBe('fail');
    expect(c.detailRef.key).toBe('doctor.common.cutAtDeadline');
    expect(c.detail).toContain(`The manager's answer from ${NAME}:${port}`);
    // Nothing was judged: no party is blamed (not the manager, not TLS).
    expect(c.class).toBeUndefined();
    expect(r.json.verdict).toMatchObject({ check: 'tls.manager', class: 'input' });
    // The handshake itself completed and was judged.
    expect(c.phases!.find((p) => p.name === 'tls')).toMatchObject({ status: 'pass' });
    // deadline + 0.5 s, with generous slack for a loaded machine
    expect(r.wallMs).toBeLessThan(2_000 + 500 + 1_500);
  });

  it('plain HTTP on the TLS port: "does not answer in TLS", with OpenSSL\'s reason on one line', async () => {
    const port = await listen(
      createServer((c) => {
        c.on('error', () => undefined);
        c.once('data', () => c.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
      }),
    );
    const r = await doctor(port, certs, ['--only', 'tls.manager']);
    const c = check(r.json, 'tls.manager');
    expect(c).toMatchObject({ status: 'fail', class: 'tls' });
    expect(c.detailRef.key).toBe('doctor.tls.notTls');
    expect(c.detail).toContain('wrong version number');
    expect(c.detail).not.toMatch(/\n|deps\/openssl/);
    expect(c.remedy).toContain('4120');
  });

  it("a manager's own self-signed certificate (the on-premises default): a warning that says so, with the fingerprint", async () => {
    const own = makeCertificates({ names: [NAME], selfSigned: true });
    const port = await manager(own, { status: 200 });
    const r = await doctor(port, null, ['--only', 'tls.manager']);
    const c = check(r.json, 'tls.manager');
    expect(c).toMatchObject({ status: 'warn', class: 'tls' });
    expect(c.detailRef.key).toBe('doctor.tls.privateCa');
    expect(c.detail).toContain('self-signed');
    expect(c.phases!.find((p) => p.name === 'manager')).toMatchObject({ status: 'pass' });
  });

  it('issued by a CA this machine does not trust (a re-signing device or an own CA): a warning naming that CA, never "self-signed"', async () => {
    const resigned = makeCertificates({ names: [NAME], ips: [LOOPBACK], caName: 'Corp Gateway CA' });
    const port = await manager(resigned, { status: 200 });
    const r = await doctor(port, null, ['--only', 'tls.manager']);
    const c = check(r.json, 'tls.manager');
    expect(c).toMatchObject({ status: 'warn', class: 'tls' });
    expect(c.detailRef.key).toBe('doctor.tls.privateIssuer');
    expect(c.detail).toContain('CN=Corp Gateway CA');
    expect(c.detail).not.toContain('self-signed');
    expect(c.remedy).toMatch(/SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(r.exitCode).toBe(0);
  });

  it('a certificate for another name from a trusted CA: says whose name it carries, never "not from a public CA"', async () => {
    const other = makeCertificates({ names: [`other-${NAME}`] });
    const port = await manager(other, { status: 200 });
    const r = await doctor(port, other, ['--only', 'tls.manager']);
    const c = check(r.json, 'tls.manager');
    expect(c).toMatchObject({ status: 'warn', class: 'tls' });
    expect(c.detailRef.key).toBe('doctor.tls.wrongName');
    expect(c.detail).toContain(`DNS:other-${NAME}`);
    expect(c.remedy).toContain('/etc/hosts');
  });
});

describe("the agent's proxy: reached but not tunnelling is told apart from unreachable", () => {
  const proxy = (onConnect: (c: Socket) => void): Promise<number> =>
    listen(
      createServer((c) => {
        c.on('error', () => undefined);
        c.once('data', () => onConnect(c));
      }),
    );
  for (const [what, behave, key] of [
    ['stays silent after CONNECT', () => undefined, 'doctor.tcp.proxySilent'],
    ['hangs up on CONNECT', (c: Socket) => c.destroy(), 'doctor.tcp.proxyClosed'],
    ['answers in another protocol', (c: Socket) => c.end('SSH-2.0-OpenSSH_9.6\r\n'), 'doctor.tcp.proxyNotHttp'],
    [
      'cannot reach the manager itself (502)',
      (c: Socket) => c.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'),
      'doctor.tcp.proxyUpstream',
    ],
  ] as const)
    it(`a proxy that ${what}: fail, class proxy, never "did not accept a connection"`, async () => {
      const port = await proxy(behave);
      const r = await doctor(4120, null, [
        '--proxy',
        `${LOOPBACK}:${port}`,
        '--only',
        'proxy',
        '--only',
        'net.manager',
        '--timeout',
        '1000',
      ]);
      const p = check(r.json, 'proxy');
      expect(p).toMatchObject({ status: 'fail', class: 'proxy' });
      expect(p.detailRef.key).toBe(key);
      expect(p.detail).toContain(`${LOOPBACK}:${port}`);
      expect(p.detail).not.toContain('did not accept a connection');
      // Only a proxy that reached nothing upstream is told that it resolves the name without this hosts file.
      expect(p.remedy.includes("without this machine's hosts file")).toBe(key === 'doctor.tcp.proxyUpstream');
      expect(check(r.json, 'net.manager')).toMatchObject({ status: 'blocked', blockedBy: 'proxy' });
      expect(r.json.verdict).toMatchObject({ check: 'proxy', class: 'proxy' });
    });
});

describe('a proxy that answers CONNECT with 200 and then carries nothing', () => {
  for (const [what, after] of [
    ['stays silent', () => undefined],
    ['hangs up', (c: Socket) => setTimeout(() => c.destroy(), 20)],
  ] as const)
    it(`${what} in the tunnel while the manager answers directly: the proxy is blamed, not TLS`, async () => {
      const certs = makeCertificates({ names: [NAME], ips: [LOOPBACK] });
      const mgr = await manager(certs, { status: 200 });
      const port = await listen(
        createServer((c) => {
          c.on('error', () => undefined);
          c.once('data', () => {
            c.write('HTTP/1.1 200 Connection established\r\n\r\n');
            after(c);
          });
        }),
      );
      const r = await doctor(mgr, certs, [
        '--proxy',
        `${LOOPBACK}:${port}`,
        '--only',
        'tls.manager',
        '--timeout',
        '1000',
      ]);
      const c = check(r.json, 'tls.manager');
      expect(c).toMatchObject({ status: 'fail', class: 'proxy' });
      expect(c.detailRef.key).toBe('doctor.tls.tunnelBroken');
      expect(c.remedy).toContain(`${LOOPBACK}:${port}`);
      expect(r.json.verdict).toMatchObject({ check: 'tls.manager', class: 'proxy' });
    });
});

describe("the proxy's remedies fit the platform", () => {
  it("407 on CONNECT: the agent's credential command as Windows runs it (no sudo, no /opt), and as EL9 runs it", async () => {
    const port = await listen(
      createServer((c) => {
        c.on('error', () => undefined);
        c.once('data', () => c.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n'));
      }),
    );
    const windows = makeRoot({ windows: true, hosts: `127.0.0.1 localhost\r\n${LOOPBACK} ${NAME}\r\n` });
    const remedies: string[] = [];
    for (const sandbox of [windows, root()]) {
      const r = await execa(
        process.execPath,
        [
          CLI,
          'doctor',
          '--json',
          '--root',
          sandbox,
          '--manager',
          `dsm://${NAME}:4120/`,
          '--proxy',
          `${LOOPBACK}:${port}`,
          '--only',
          'proxy',
        ],
        { reject: false, env: { LANG: 'C' }, stdin: 'ignore' },
      );
      const p = check(JSON.parse(String(r.stdout)) as DoctorResult, 'proxy');
      expect(p.detailRef.key).toBe('doctor.tcp.proxyAuth');
      remedies.push(p.remedy);
    }
    expect(remedies[0]).toContain(
      "& 'C:\\Program Files\\Trend Micro\\Deep Security Agent\\dsa_control.cmd' -u USER:PASSWORD (in an administrator PowerShell)",
    );
    expect(remedies[0]).not.toMatch(/sudo|\/opt\//);
    expect(remedies[1]).toContain('sudo /opt/ds_agent/dsa_control -u USER:PASSWORD');
  });
});

describe("this machine's files the doctor reads: a named pipe or a device never holds the run", () => {
  it('/etc/hosts a named pipe, chrony.conf a device: each check says what the file is, and the process ends at once', async () => {
    const sandbox = makeRoot({ ...OS_RELEASE.el9 });
    await execa('mkfifo', [join(sandbox, 'etc/hosts')]);
    await execa('mknod', [join(sandbox, 'etc/chrony.conf'), 'c', '1', '5']); // /dev/zero's numbers
    const t0 = performance.now();
    const r = await execa(
      process.execPath,
      [CLI, 'doctor', '--json', '--root', sandbox, '--manager', `dsm://${NAME}:4120/`, '--deadline', '2000'],
      { reject: false, env: { LANG: 'C' }, stdin: 'ignore', timeout: 15_000 },
    );
    expect(r.timedOut).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2_000 + 500 + 1_500);
    const json = JSON.parse(String(r.stdout)) as DoctorResult;
    const dns = check(json, 'dns.manager');
    expect(dns.status).toBe('fail');
    expect(dns.detail).toContain(`${sandbox}/etc/hosts is a named pipe (FIFO), not a regular file`);
    expect(dns.remedy).toContain(`ls -l ${sandbox}/etc/hosts`);
    const time = check(json, 'time.skew');
    expect(time.status).toBe('fail');
    expect(time.detail).toContain(`${sandbox}/etc/chrony.conf is a device, not a regular file`);
    expect(json.verdict).toMatchObject({ check: 'dns.manager' });
    expect(r.exitCode).toBe(1);
  });
});
