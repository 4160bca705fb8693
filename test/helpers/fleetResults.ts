// Doctor results of many hosts for the fleet report's tests: the real doctor (the built CLI, `--json`) is run once
// per fault on loopback with `--root` sandboxes, then each result is copied with other host facts (host name, OS,
// kernel) until there are as many hosts as asked. Two results come as real support bundles (doctor --bundle).
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI } from './cli.js';
import { makeRoot, OS_RELEASE } from './sandbox.js';
import { startChronyd, type Chronyd } from './chronyd.js';
import { buildAgentRpm, prepareAgentRoot } from '../fixtures/agent/packages.js';
import { installStandIn, setStandIn, uniqueLoopback } from '../fixtures/agent/sandbox.js';
import { makeCertificates } from '../fixtures/manager/certs.js';
import { startStandInManager, type StandInManager } from '../fixtures/manager/standInManager.js';
import type { FailClass } from '../../main/core/doctor/types.js';

/** The faults the doctor is run against, and the class each one's root cause has. */
export const FAULTS = {
  dns: 'dns', // the manager's line is missing from the hosts file
  tcp: 'tcp', // nothing listens on the manager's port (refused)
  tls: 'tls', // the port answers, but not with TLS
  clock: 'clock', // this clock 10 minutes ahead of the NTP server (faketime)
  proxy: 'proxy', // a TLS-inspecting proxy's certificate (issuer names Zscaler)
  agent: 'agent', // no agent installed
  conflict: 'conflict', // the agent is activated with another manager
  input: 'input', // a kernel list that is not one
  clean: null, // a healthy manager: no failing check
} as const satisfies Record<string, FailClass | null>;
export type Fault = keyof typeof FAULTS;

/** How many hosts of each fault the generated fleet has (200 in all). */
export const FLEET_200: Record<Fault, number> = {
  dns: 40,
  tcp: 30,
  tls: 20,
  clock: 20,
  proxy: 20,
  agent: 30,
  conflict: 15,
  input: 15,
  clean: 10,
};

export type DoctorJson = Record<string, unknown> & {
  version: string;
  host: { hostname: string | null; os: string; kernel: string | null };
  checks: { id: string; status: string; class?: string }[];
  verdict?: { class: string } | null;
  generatedAt: string;
};

async function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A TCP server that answers every connection with plain text and closes it (no TLS). */
async function plainTextServer(host: string): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('error', () => {}); // the doctor resets the connection when the handshake fails
    s.end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
    s.setTimeout(1000, () => s.destroy());
  });
  server.unref();
  await new Promise<void>((r) => server.listen(0, host, r));
  return { server, port: (server.address() as { port: number }).port };
}

/** The real doctor's results (and bundles) for every fault, made in `dir`. */
export interface DoctorRuns {
  results: Record<Fault, DoctorJson>;
  /** Real support bundles: tcp as `.zip`, agent as `.tar.gz`. */
  bundles: { zip: string; tarGz: string };
  close(): Promise<void>;
}

/** Runs the built CLI's doctor once per fault (en and ja alternate) and returns the parsed results. */
export async function runDoctorFaults(dir: string): Promise<DoctorRuns> {
  const NAME = `dsm01.fleet${process.pid}.test`;
  const addr = uniqueLoopback();
  const proxyAddr = uniqueLoopback();
  const started: StandInManager[] = [];
  const servers: Server[] = [];
  let ntp: Chronyd | undefined;
  const close = async (): Promise<void> => {
    for (const m of started) await m.close();
    for (const s of servers) await new Promise((r) => s.close(r));
    ntp?.stop();
  };
  try {
    const healthy = await startStandInManager({ host: addr, names: [NAME] });
    started.push(healthy);
    const inspecting = await startStandInManager({
      host: proxyAddr,
      names: [NAME],
      certs: makeCertificates({ names: [NAME], ips: [proxyAddr], caName: 'Zscaler Intermediate Root CA' }),
    });
    started.push(inspecting);
    const plain = await plainTextServer(addr);
    servers.push(plain.server);
    const closedPort = await freeTcpPort(addr);

    ntp = await startChronyd(addr);
    const ntpPort = ntp.port;

    const provider = join(dir, 'VMSecurity_hosts_cln.txt');
    writeFileSync(provider, `# provider\r\n${addr}\t${NAME}\r\n`);
    const root = (hostsLines: string, hostname: string) =>
      makeRoot({
        ...OS_RELEASE.el8,
        hosts: `127.0.0.1\tlocalhost\n${hostsLines}`,
        kernel: { osrelease: '4.18.0-553.el8_10.x86_64', arch: 'x86_64', hostname },
      });
    const line = (a: string) => `${a}\t${NAME}\n`;
    const doctor = async (
      fault: Fault,
      args: string[],
      opts: { env?: Record<string, string>; faketime?: string; lang: 'en' | 'ja' },
    ): Promise<DoctorJson> => {
      const argv = [CLI, 'doctor', '--json', '--lang', opts.lang, '--timeout', '1500', ...args];
      const r = opts.faketime
        ? await execa('faketime', ['-f', opts.faketime, process.execPath, ...argv], {
            reject: false,
            env: { LANG: 'C', ...opts.env },
          })
        : await execa(process.execPath, argv, { reject: false, env: { LANG: 'C', ...opts.env } });
      try {
        return JSON.parse(String(r.stdout)) as DoctorJson;
      } catch {
        throw new Error(`doctor (${fault}) printed no JSON (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
      }
    };
    const manager = (port: number) => ['--manager', `dsm://${NAME}:${port}/`];
    const ca = { NODE_EXTRA_CA_CERTS: healthy.certs.caFile };

    // The installed agent activated with another manager (the stand-in agent, installed with rpm).
    const conflictRoot = root(line(addr), 'conflict01');
    prepareAgentRoot(conflictRoot);
    installStandIn(conflictRoot, buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395' }));
    setStandIn(
      conflictRoot,
      'state',
      'dsmUrl="dsm://dsm99.other-provider.example:4120/"\nagentState="Managed (Online)"\nlastContact="2026-11-30 10:00:00"\nagentCertHash="12:34:56"\n',
    );
    const missingAgentRoot = root('', 'agent01');
    prepareAgentRoot(missingAgentRoot);
    const kernelList = join(dir, 'kernel-list.txt');
    writeFileSync(kernelList, 'RedHat_EL8\n4.18.0-553.el8_10.x86_64\nthis is not a kernel version\n');
    const bundleZip = join(dir, 'tcp-bundle.zip');
    const bundleTarGz = join(dir, 'agent-bundle.tar.gz');
    const tcpRoot = root(line(addr), 'tcp01');

    const results = {
      dns: await doctor('dns', ['--root', root('', 'dns01'), '--hosts-file', provider, ...manager(healthy.port)], {
        lang: 'en',
      }),
      tcp: await doctor(
        'tcp',
        ['--root', tcpRoot, '--hosts-file', provider, ...manager(closedPort), '--bundle', bundleZip],
        { lang: 'ja' },
      ),
      tls: await doctor(
        'tls',
        ['--root', root(line(addr), 'tls01'), '--hosts-file', provider, ...manager(plain.port)],
        {
          lang: 'en',
        },
      ),
      clock: await doctor('clock', ['--root', root('', 'clock01'), '--ntp-server', `${addr}:${ntpPort}`], {
        lang: 'ja',
        faketime: '+10m',
      }),
      proxy: await doctor('proxy', ['--root', root(line(proxyAddr), 'proxy01'), ...manager(inspecting.port)], {
        lang: 'en',
        env: { NODE_EXTRA_CA_CERTS: inspecting.certs.caFile },
      }),
      agent: await doctor('agent', ['--root', missingAgentRoot, '--bundle', bundleTarGz], { lang: 'ja' }),
      conflict: await doctor('conflict', ['--root', conflictRoot, ...manager(healthy.port)], { lang: 'en', env: ca }),
      input: await doctor('input', ['--root', root('', 'input01'), '--kernel-list', kernelList], { lang: 'ja' }),
      clean: await doctor(
        'clean',
        ['--root', root(line(addr), 'clean01'), '--hosts-file', provider, ...manager(healthy.port)],
        { lang: 'en', env: ca },
      ),
    } satisfies Record<Fault, DoctorJson>;
    return { results, bundles: { zip: bundleZip, tarGz: bundleTarGz }, close };
  } catch (e) {
    await close();
    throw e;
  }
}

const OSES = [
  { os: 'Red Hat Enterprise Linux 8.10 (Ootpa)', kernel: (i: number) => `4.18.0-${513 + (i % 40)}.el8_10.x86_64` },
  { os: 'Rocky Linux 9.4 (Blue Onyx)', kernel: (i: number) => `5.14.0-${362 + (i % 65)}.el9_4.x86_64` },
  { os: 'Ubuntu 22.04.4 LTS', kernel: (i: number) => `5.15.0-${90 + (i % 30)}-generic` },
  { os: 'SUSE Linux Enterprise Server 15 SP5', kernel: (i: number) => `5.14.21-150500.${55 + (i % 10)}.12-default` },
  { os: 'CentOS Linux 7 (Core)', kernel: (i: number) => `3.10.0-${1160 + (i % 20)}.el7.x86_64` },
];

/** A copy of a result with other host facts: host name `NAME`, an OS and kernel from a list, a later time. */
export function withHostFacts(r: DoctorJson, name: string, i: number): DoctorJson {
  const copy = structuredClone(r);
  const o = OSES[i % OSES.length]!;
  copy.host = { ...copy.host, hostname: name, os: o.os, kernel: o.kernel(i) };
  copy.generatedAt = new Date(Date.parse(r.generatedAt) + i * 1000).toISOString();
  return copy;
}

/** Writes `count` hosts per fault as DIR/<host>/doctor.json (hosts named `<fault>-NNN`); returns how many were written. */
export function writeFleet(dir: string, runs: DoctorRuns, counts: Record<Fault, number>): string[] {
  const names: string[] = [];
  let i = 0;
  for (const fault of Object.keys(counts) as Fault[]) {
    for (let n = 0; n < counts[fault]; n++, i++) {
      const name = `${fault}-${String(n + 1).padStart(3, '0')}`;
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(
        join(dir, name, 'doctor.json'),
        JSON.stringify(withHostFacts(runs.results[fault], name, i), null, 2),
      );
      names.push(name);
    }
  }
  return names;
}

/** Makes every directory under `dir` searchable and every file readable by others (for a run as `nobody`). */
export function openUp(dir: string): void {
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  chmodSync(dir, 0o755);
}
