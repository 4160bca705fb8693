// inspect, status and the doctor read each fact of a machine through one function (docs/architecture.md, "One
// reader per fact"): run all three through the built CLI on the same root and compare every fact two of them report.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { buildAgentRpm, prepareAgentRoot } from '../fixtures/agent/packages.js';
import { installStandIn, setStandIn } from '../fixtures/agent/sandbox.js';
import { statusValue } from '../../main/core/statusValues.js';
import { windowsPrepReplies } from '../helpers/windowsReplies.js';
import type { SystemReport } from '../../main/core/prep/inspectPrep.js';
import type { AgentStatus } from '../../main/core/agent/agentStatus.js';
import type { DoctorCheck } from '../../main/core/doctor/types.js';

afterAll(cleanupRoots);

const HOSTS_FILE = join(import.meta.dirname, '../fixtures/inputs/VMSecurity_hosts_cln.txt');

type Inspect = SystemReport & { openings: { items: unknown[] } | null };
type Status = AgentStatus & { protecting: boolean };
interface Doctor {
  host: { hostname: string | null; os: string; kernel: string | null; arch: string | null };
  checks: DoctorCheck[];
  openings: { items: unknown[] } | null;
}

/** One fact as a surface reports it; `undefined` when the surface does not report it for this machine. */
type Facts = Record<string, unknown>;

function inspectFacts(i: Inspect): Facts {
  return {
    os: i.os.name,
    osRelease: `${i.os.name} (${i.os.id} ${i.os.versionId})`,
    kernel: i.kernel,
    arch: i.arch,
    hostname: i.hostname,
    agentInstalled: i.agent.installed,
    agentVersion: i.agent.installed ? (i.agent.version ?? null) : undefined,
    ipv6Runtime: i.prep.ipv6 ? statusValue(i.prep.ipv6.runtime) : undefined,
    ipv6Configured: i.prep.ipv6 ? statusValue(i.prep.ipv6.configured) : undefined,
    ipv6Module: i.prep.ipv6 ? statusValue(i.prep.ipv6.module) : undefined,
    ipv6RebootPending: i.prep.ipv6?.rebootPending,
    antivirusRealTimeOn: i.prep.antivirus ? i.prep.antivirus.realTimeOn : undefined,
    openings: i.openings?.items,
  };
}

function statusFacts(s: Status): Facts {
  return {
    agentInstalled: s.state.installed,
    agentVersion: s.state.installed ? (s.state.version ?? null) : undefined,
    agentService: s.state.service,
    agentActivated: s.state.activated,
    managerUrl: s.state.activated ? (s.state.dsmUrl ?? null) : undefined,
  };
}

/** What the doctor's checks say about each fact: their status and the values in their detail's parameters. */
function doctorFacts(d: Doctor): Facts {
  const check = (id: string): DoctorCheck | undefined => d.checks.find((c) => c.id === id);
  const params = (c: DoctorCheck | undefined): Record<string, unknown> =>
    (c?.detailRef.params ?? {}) as Record<string, unknown>;
  const key = (c: DoctorCheck | undefined): string => c?.detailRef.key ?? '';
  const f: Facts = { os: d.host.os, kernel: d.host.kernel, arch: d.host.arch, hostname: d.host.hostname };
  const os = check('os.supported');
  if (os && (os.status === 'pass' || os.status === 'fail')) f.osRelease = params(os).os;
  const installed = check('agent.installed');
  if (installed?.status === 'pass') {
    f.agentInstalled = true;
    f.agentVersion = params(installed).version === '?' ? null : params(installed).version;
  } else if (installed?.status === 'fail' && key(installed) === 'doctor.agent.notInstalled') f.agentInstalled = false;
  else if (key(installed) === 'doctor.agent.noPackageDb') f.agentInstalled = null;
  const service = check('agent.service');
  const serviceOf: Record<string, string> = {
    'doctor.agent.serviceRunning': 'running',
    'doctor.agent.serviceStopped': 'stopped',
    'doctor.agent.serviceAbsent': 'absent',
    'doctor.agent.serviceUnknown': 'unknown',
  };
  f.agentService = serviceOf[key(service)];
  const act = check('agent.activated');
  if (key(act) === 'doctor.agent.notActivated') f.agentActivated = false;
  else if (key(act) === 'doctor.agent.queryUnavailable') f.agentActivated = null;
  else if (['doctor.agent.activated', 'doctor.agent.noContact', 'doctor.agent.otherManager'].includes(key(act))) {
    f.agentActivated = true;
    f.managerUrl = params(act).url;
  }
  const ipv6 = check('ipv6.state');
  if (ipv6 && ipv6.status !== 'blocked' && key(ipv6) !== 'doctor.prep.ipv6Windows') {
    f.ipv6Runtime = params(ipv6).runtime;
    f.ipv6Configured = params(ipv6).configured;
    f.ipv6Module = params(ipv6).module;
    f.ipv6RebootPending = key(ipv6) === 'doctor.prep.ipv6RebootPending';
  }
  const av = check('av.conflict');
  if (key(av) === 'doctor.prep.avConflict') f.antivirusRealTimeOn = true;
  else if (key(av) === 'doctor.prep.avOk') f.antivirusRealTimeOn = false;
  else if (key(av) === 'doctor.prep.avUnknown') f.antivirusRealTimeOn = null;
  f.openings = d.openings?.items;
  return f;
}

/** Runs inspect, status and the doctor on one root and returns the facts each reports. */
async function surfaces(root: string, extra: string[] = []): Promise<{ inspect: Facts; status: Facts; doctor: Facts }> {
  const [i, s, d] = await Promise.all([
    runCliJson<Inspect>(['inspect', '--root', root, ...extra]),
    runCliJson<Status>(['status', '--root', root, '--timeout', '20']),
    runCliJson<Doctor>(['doctor', '--root', root, '--timeout', '2000', ...extra]),
  ]);
  expect(i.exitCode, i.stderr).toBe(0);
  expect([0, 1], s.stderr).toContain(s.exitCode);
  expect([0, 1], d.stderr).toContain(d.exitCode);
  return { inspect: inspectFacts(i.json), status: statusFacts(s.json), doctor: doctorFacts(d.json) };
}

/**
 * Every fact two or more surfaces report, with the one value they all give; a fact on which two surfaces
 * disagree fails the test with both values.
 */
function agreed(f: { inspect: Facts; status: Facts; doctor: Facts }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = new Set([...Object.keys(f.inspect), ...Object.keys(f.status), ...Object.keys(f.doctor)]);
  for (const name of names) {
    const seen = (['inspect', 'status', 'doctor'] as const)
      .map((surface) => [surface, f[surface][name]] as const)
      .filter(([, v]) => v !== undefined);
    if (seen.length < 2) continue;
    for (const [surface, v] of seen.slice(1))
      expect({ fact: name, [surface]: v }).toEqual({ fact: name, [surface]: seen[0]![1] });
    out[name] = seen[0]![1];
  }
  return out;
}

const KERNEL = { arch: 'x86_64', hostname: 'vm01' };

/** The running kernel's three disable_ipv6 values under the root's /proc. */
function ipv6Sysctls(value: 0 | 1): Record<string, string> {
  return Object.fromEntries(
    ['all', 'default', 'lo'].map((i) => [`proc/sys/net/ipv6/conf/${i}/disable_ipv6`, `${value}\n`]),
  );
}
let agentRpm: string;
let suseRpm: string;
beforeAll(() => {
  agentRpm = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395' });
  suseRpm = buildAgentRpm({ platform: 'SuSE_15', version: '20.0.0', build: '2395' });
});

describe('inspect, status and the doctor report the same value for every fact they share', () => {
  it('RHEL 6 with the Cloudn manual’s IPv6 method (module loaded with disable=1), no agent', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el6,
      kernel: { ...KERNEL, osrelease: '2.6.32-754.35.1.el6.x86_64' },
      files: {
        'etc/modprobe.d/disable-ipv6.conf': 'options ipv6 disable=1\n',
        'proc/modules': 'ipv6 336282 0 - Live 0xffffffffa0181000\n',
        'proc/cmdline': 'ro root=/dev/mapper/vg-root rhgb quiet\n',
        'sys/module/ipv6/parameters/disable': '1\n',
      },
    });
    prepareAgentRoot(root);
    const facts = agreed(await surfaces(root));
    expect(facts).toMatchObject({
      os: 'CentOS 6.10',
      kernel: '2.6.32-754.35.1.el6.x86_64',
      agentInstalled: false,
      ipv6Runtime: statusValue('off'),
      ipv6Module: statusValue('loaded'),
    });
    expect(Object.keys(facts).sort()).toEqual(
      [
        'os',
        'osRelease',
        'kernel',
        'arch',
        'hostname',
        'agentInstalled',
        'ipv6Runtime',
        'ipv6Configured',
        'ipv6Module',
        'ipv6RebootPending',
      ].sort(),
    );
  });

  it('RHEL 8 with the agent installed, running and activated, and the portal hosts file', async () => {
    const hostsLines = fixture('inputs/VMSecurity_hosts_cln.txt').replace(/^\uFEFF/, '');
    const root = makeRoot({
      ...OS_RELEASE.el8,
      kernel: { ...KERNEL, osrelease: '4.18.0-553.el8_10.x86_64' },
      hosts: `127.0.0.1 localhost\n${hostsLines}`,
      files: {
        ...ipv6Sysctls(0),
        'proc/modules': 'xfs 1568768 2 - Live 0xffffffffc0451000\n',
        'sys/module/ipv6/parameters/disable': '0\n',
      },
    });
    prepareAgentRoot(root);
    installStandIn(root, agentRpm);
    setStandIn(
      root,
      'state',
      `dsmUrl=https://dsm01.vmsecurity.example.jp:4120/\nagentCertHash=4F:2A:91:0C:77:E3:5B:18:AD:62:9E:C4:01:3D:88:F0:25:B7:6A:19\nagentState=green\nlastSession=${Math.floor(Date.now() / 1000)}\n`,
    );
    const facts = agreed(await surfaces(root, ['--hosts-file', HOSTS_FILE]));
    expect(facts).toMatchObject({
      agentInstalled: true,
      agentVersion: '20.0.0-2395.el8',
      agentService: 'running',
      agentActivated: true,
      managerUrl: 'https://dsm01.vmsecurity.example.jp:4120/',
      ipv6Runtime: statusValue('on'),
      ipv6Module: statusValue('builtin'),
    });
    expect(facts.openings).toEqual(expect.arrayContaining([expect.objectContaining({ port: 4120 })]));
  });

  it('Ubuntu 22.04 with the agent package installed but its service not registered', async () => {
    const root = makeRoot({
      ...OS_RELEASE.ubuntu2204,
      kernel: { ...KERNEL, osrelease: '5.15.0-105-generic' },
      files: {
        'var/lib/dpkg/status':
          'Package: ds-agent\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: 20.0.1-19250\nDescription: Trend Micro Deep Security Agent\n\n',
        ...ipv6Sysctls(1),
        'etc/sysctl.d/60-no-ipv6.conf': 'net.ipv6.conf.all.disable_ipv6 = 1\n',
      },
    });
    const facts = agreed(await surfaces(root));
    expect(facts).toMatchObject({
      os: 'Ubuntu 22.04.4 LTS',
      agentInstalled: true,
      agentVersion: '20.0.1-19250',
      agentService: 'absent',
      ipv6Runtime: statusValue('off'),
      ipv6Configured: statusValue('off'),
    });
  });

  it('SLES 15 SP5 with the agent installed but stopped, and IPv6 switched off for the next boot only', async () => {
    const root = makeRoot({
      ...OS_RELEASE.sles15,
      kernel: { ...KERNEL, osrelease: '5.14.21-150500.55.39-default' },
      files: {
        ...ipv6Sysctls(0),
        'etc/sysctl.d/90-dsa-setup-disable-ipv6.conf': 'net.ipv6.conf.all.disable_ipv6 = 1\n',
      },
      replies: [
        { command: 'firewall-cmd', args: ['--state'], stdout: 'running\n' },
        { command: 'firewall-cmd', args: ['--list-rich-rules'], stdout: '' },
      ],
    });
    prepareAgentRoot(root);
    installStandIn(root, suseRpm, { start: false });
    const facts = agreed(await surfaces(root));
    expect(facts).toMatchObject({
      os: 'SUSE Linux Enterprise Server 15 SP5',
      osRelease: 'SUSE Linux Enterprise Server 15 SP5 (sles 15.5)',
      agentInstalled: true,
      agentVersion: '20.0.0-2395.sles15',
      agentService: 'stopped',
      ipv6Runtime: statusValue('on'),
      ipv6Configured: statusValue('off'),
      ipv6RebootPending: true,
    });
  });

  it('Windows Server 2022 (recorded outputs): agent running and activated, Defender’s real-time protection on', async () => {
    const fx = (name: string): string => fixture(`windows/${name}`);
    const root = makeRoot({
      windows: true,
      replies: [
        {
          command: 'reg',
          args: ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'],
          stdout: fixture('windows-inspect/reg-query-currentversion.txt'),
        },
        // reg query /s /f … /d prints only the matching value under each key (no DisplayVersion), then the count.
        {
          command: 'reg',
          args: ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall', '/s'],
          stdout:
            '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{5E8D2C1A-7B3F-4D0E-9A61-2C4B8F0D3E17}\r\n    DisplayName    REG_SZ    Trend Micro Deep Security Agent\r\n\r\nEnd of search: 1 match(es) found.\r\n',
        },
        // …so the version is asked of that key (the `reg query KEY /v NAME` layout).
        {
          command: 'reg',
          args: [
            'query',
            'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{5E8D2C1A-7B3F-4D0E-9A61-2C4B8F0D3E17}',
            '/v',
            'DisplayVersion',
          ],
          stdout:
            '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{5E8D2C1A-7B3F-4D0E-9A61-2C4B8F0D3E17}\r\n    DisplayVersion    REG_SZ    20.0.1.8438\r\n\r\n',
        },
        {
          command: 'sc',
          args: ['query', 'ds_agent'],
          stdout: fx('sc-query-windefend-running.en.txt').replace('WinDefend', 'ds_agent'),
        },
        {
          command: 'C:\\Program Files\\Trend Micro\\Deep Security Agent\\dsa_query.cmd',
          args: ['-c', 'GetAgentStatus'],
          stdout: fixture('agent/dsa_query/status-activated.txt'),
        },
        ...windowsPrepReplies(),
      ],
    });
    const facts = agreed(await surfaces(root));
    expect(facts).toMatchObject({
      os: 'Windows Server 2022 Standard',
      agentInstalled: true,
      agentVersion: '20.0.1.8438',
      agentService: 'running',
      agentActivated: true,
      managerUrl: 'https://agents-004.workload.us-1.cloudone.trendmicro.com:443/',
      antivirusRealTimeOn: true,
    });
  });

  it('Windows whose Defender status cannot be read: the doctor does not call it OK when inspect says unknown', async () => {
    const root = makeRoot({
      windows: true,
      replies: [
        // Get-MpComputerStatus fails (the Defender module is not there): nothing tells whether real-time is on.
        {
          command: 'powershell.exe',
          exitCode: 1,
          stderr: "Get-MpComputerStatus : The term 'Get-MpComputerStatus' is not recognized\r\n",
        },
        ...windowsPrepReplies(),
      ],
    });
    const facts = agreed(await surfaces(root));
    expect(facts.antivirusRealTimeOn).toBeNull();
  });
});
