import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { translator } from '../../main/core/i18n.js';
import { cleanupRoots, makeRoot } from '../helpers/sandbox.js';
import { sandboxExecLog } from '../../main/core/system.js';
import { buildAgentDeb, buildAgentRpm, buildAgentZip, corruptCopy } from '../fixtures/agent/packages.js';
import { makeAgentRoot, rpmInstalled, runEvents, runsInOrder, setStandIn } from '../fixtures/agent/sandbox.js';

let out: string;
let el8: string;
let el8Next: string;
let el8Arm: string;
let ubuntu: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'dsa-agent-pkgs-'));
  el8 = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395', outDir: out });
  el8Next = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2400', outDir: out });
  el8Arm = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395', arch: 'aarch64', outDir: out });
  ubuntu = buildAgentDeb({ platform: 'Ubuntu_22.04', version: '20.0.1', build: '19250', outDir: out });
});
afterAll(() => cleanupRoots());

type ApplyJson = {
  ok: boolean;
  runId: string | null;
  steps: { id: string; status: string; error?: { message: { key: string } } }[];
};

describe('install step with real rpm and dpkg in a sandbox root', () => {
  it('installs the test agent rpm, starts ds_agent, journals rpm output, and a second apply is a no-op', async () => {
    const root = makeAgentRoot();
    const r = await runCliJson<ApplyJson>(['--root', root, 'apply', '--installer', el8, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.steps[0]).toMatchObject({ id: 'install', status: 'applied', verified: true });
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');
    expect(existsSync(join(root, 'opt/ds_agent/dsa_control'))).toBe(true);
    const events = runEvents(root).at(-1)!.events;
    const rpmCall = events.find((e) => e.type === 'command' && e.command === 'rpm') as {
      args: string[];
      stdout: string;
    };
    expect(rpmCall.args).toEqual(['--root', root, '--dbpath', '/var/lib/rpm', '-ivh', el8]);
    expect(rpmCall.stdout).toContain('ds_agent-20.0.0-2395.el8');
    const status = await runCliJson<{ state: { service: string; installed: boolean; version: string } }>([
      '--root',
      root,
      'status',
    ]);
    expect(status.json.state).toMatchObject({ installed: true, version: '20.0.0-2395.el8', service: 'running' });

    const again = await runCliJson<ApplyJson>(['--root', root, 'apply', '--installer', el8, '--yes']);
    expect(again.exitCode).toBe(0);
    expect(again.json.runId).toBeNull();
    expect(again.json.steps[0]!.status).toBe('unchanged');
    expect(runEvents(root)).toHaveLength(1);
    const plan = await runCli(['--root', root, 'plan', '--installer', el8]);
    expect(plan.stdout).toContain('Agent 20.0.0-2395.el8 is already installed');
  });

  it('upgrades with rpm -Uvh, and revert of the upgrade run does not uninstall', async () => {
    const root = makeAgentRoot();
    expect((await runCli(['--root', root, 'apply', '--installer', el8, '--yes'])).exitCode).toBe(0);
    const plan = await runCli(['--root', root, 'plan', '--installer', el8Next]);
    expect(plan.stdout).toContain('-Uvh');
    expect(plan.stdout).toContain('upgrade the agent from 20.0.0-2395.el8 to 20.0.0-2400.el8');
    const r = await runCli(['--root', root, 'apply', '--installer', el8Next, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(rpmInstalled(root)).toBe('20.0.0-2400.el8');
    const upgradeRun = runEvents(root).at(-1)!;
    const cmd = upgradeRun.events.find((e) => e.type === 'command' && e.command === 'rpm') as {
      args: string[];
      revert?: unknown;
    };
    expect(cmd.args).toContain('-Uvh');
    expect(cmd.revert).toBeUndefined();
    // An older package than the installed one is refused, nothing changes.
    const older = await runCli(['--root', root, 'apply', '--installer', el8, '--yes']);
    expect(older.exitCode).toBe(2);
    expect(older.stderr).toContain('A newer agent (20.0.0-2400.el8) is already installed');
    expect(rpmInstalled(root)).toBe('20.0.0-2400.el8');
  });

  it('refuses a package for another platform and names the one to download', async () => {
    const root = makeAgentRoot();
    const r = await runCli(['--root', root, 'apply', '--installer', ubuntu, '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'is for Ubuntu_22.04, but this system (Red Hat Enterprise Linux 8.10 (Ootpa)) needs RedHat_EL8',
    );
    expect(r.stderr).toContain('Download Agent-Core-RedHat_EL8-20.0.1-19250.x86_64.rpm instead');
    expect(rpmInstalled(root)).toBeNull();
    expect(runEvents(root)).toHaveLength(0);
  });

  it("trusts the package's metadata over its file name", async () => {
    const root = makeAgentRoot();
    const el7 = buildAgentRpm({ platform: 'RedHat_EL7', version: '20.0.0', build: '2395' });
    const renamed = join(mkdtempSync(join(tmpdir(), 'dsa-renamed-')), 'Agent-Core-RedHat_EL8-20.0.0-2395.x86_64.rpm');
    copyFileSync(el7, renamed);
    const r = await runCli(['--root', root, 'plan', '--installer', renamed]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is for RedHat_EL7');
  });

  it('refuses a package for another architecture (real aarch64 rpm)', async () => {
    const root = makeAgentRoot();
    const r = await runCli(['--root', root, 'apply', '--installer', el8Arm, '--yes', '--lang', 'ja']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('aarch64 用にビルドされていますが、このシステムは x86_64 です');
    expect(r.stderr).toContain('Agent-Core-RedHat_EL8-20.0.0-2395.x86_64.rpm');
    expect(rpmInstalled(root)).toBeNull();
  });

  it('reports a corrupt package file and installs nothing', async () => {
    const root = makeAgentRoot();
    const r = await runCliJson<{ ok: boolean; error: { code: string } }>([
      '--root',
      root,
      'plan',
      '--installer',
      corruptCopy(el8),
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.json.error.code).toBe('agent.installer.corrupt');
    expect(r.stderr).toContain('cannot be read');
    expect(rpmInstalled(root)).toBeNull();
  });

  it('revert uninstalls exactly what the run installed (the journaled undo, replayed for real)', async () => {
    const root = makeAgentRoot();
    expect((await runCli(['--root', root, 'apply', '--installer', el8, '--yes'])).exitCode).toBe(0);
    const run = runEvents(root).at(-1)!;
    const install = run.events.find((e) => e.type === 'command' && e.command === 'rpm') as {
      revert: { command: string; args: string[] };
    };
    expect(install.revert).toEqual({
      command: 'rpm',
      args: ['--root', root, '--dbpath', '/var/lib/rpm', '-e', 'ds_agent'],
      real: true,
    });
    const rv = await runCli(['--root', root, 'revert', '--yes']);
    expect(rv.exitCode, rv.stderr).toBe(0);
    // rpm takes the root itself, so revert runs the undo for real even in a sandbox: the package is gone.
    expect(sandboxExecLog(root).filter((c) => c.command === 'rpm')).toEqual([]);
    expect(rpmInstalled(root)).toBeNull();
    expect(existsSync(join(root, 'opt/ds_agent/dsa_control'))).toBe(false);
  });

  it('reverting the install of an activated agent asks for --deactivate, then runs dsa_control -r before rpm -e', async () => {
    const root = makeAgentRoot();
    expect((await runCli(['--root', root, 'apply', '--installer', el8, '--yes'])).exitCode).toBe(0);
    setStandIn(
      root,
      'state',
      'dsmUrl=https://dsm01.example.jp:4120/\nagentCertHash=ABCDEF\nhostname=vm01\nagentState=green\n',
    );
    const refused = await runCli(['--root', root, 'revert', '--yes']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('the agent is activated now (https://dsm01.example.jp:4120/)');
    expect(refused.stderr).toContain('--deactivate');
    expect(rpmInstalled(root)).not.toBeNull();
    const rv = await runCliJson<{ commands: { command: string; args: string[] }[]; deactivated: boolean }>([
      '--root',
      root,
      'revert',
      '--yes',
      '--deactivate',
    ]);
    expect(rv.exitCode, rv.stderr).toBe(0);
    expect(rv.json.deactivated).toBe(true);
    // Deactivated first, then the package removed.
    expect(rv.json.commands.map((c) => [c.command.split('/').pop(), c.args.includes('-e') ? '-e' : c.args[0]])).toEqual(
      [
        ['dsa_control', '-r'],
        ['rpm', '-e'],
      ],
    );
    expect(rpmInstalled(root)).toBeNull();
  });

  it('installs the deb with real dpkg (--root/--admindir) on Ubuntu 22.04', async () => {
    const root = makeAgentRoot({ os: 'ubuntu2204' });
    // The plan says, in the language asked, that a deb's signature is not something dpkg checks.
    const plan = await runCli(['--root', root, '--lang', 'ja', 'plan', '--installer', ubuntu]);
    expect(plan.stdout).toContain(translator('ja')('agent.installer.signatureNotCheckedDeb'));
    // Where the platform was read from, in words (never the raw token, never an unrendered object).
    expect(plan.stdout).toMatch(/読み取り元: (パッケージのメタデータ \(metadata\)|ファイル名 \(filename\))/);
    expect(plan.stdout).not.toContain('[object Object]');
    const r = await runCliJson<ApplyJson>(['--root', root, 'apply', '--installer', ubuntu, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    const q = execFileSync('dpkg-query', [
      `--admindir=${root}/var/lib/dpkg`,
      '-W',
      '-f',
      '${Status}|${Version}',
      'ds-agent',
    ]).toString();
    expect(q).toBe('install ok installed|20.0.1-19250');
    const cmd = runEvents(root)
      .at(-1)!
      .events.find((e) => e.type === 'command' && e.command === 'dpkg') as {
      args: string[];
      revert: { args: string[] };
    };
    expect(cmd.args.slice(-2)).toEqual(['-i', ubuntu]);
    expect(cmd.revert.args.slice(-2)).toEqual(['--purge', 'ds-agent']);
  });

  it("takes the portal's ZIP and installs its Core package", async () => {
    const root = makeAgentRoot();
    const zip = await buildAgentZip(el8);
    expect(zip).toMatch(/Agent-RedHat_EL8-20\.0\.0-2395\.x86_64\.zip$/);
    const r = await runCli(['--root', root, 'apply', '--installer', zip, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('!Agent-Core-RedHat_EL8-20.0.0-2395.x86_64.rpm');
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');
  });

  it('checks the kernel list: unsupported stops, unknown warns with a remedy and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsa-kernels-'));
    const list = join(dir, 'kernels.csv');
    writeFileSync(
      list,
      'Platform,Kernel\r\nRedHat_EL8,4.18.0-80.el8.x86_64\r\nRedHat_EL8,4.18.0-553.el8_10.x86_64\r\n',
    );
    const supported = makeAgentRoot({ kernel: '4.18.0-553.el8_10.x86_64' });
    const ok = await runCli(['--root', supported, 'plan', '--installer', el8, '--kernel-list', list]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Kernel 4.18.0-553.el8_10.x86_64 is in the supported list for RedHat_EL8');

    const older = makeAgentRoot({ kernel: '4.18.0-50.el8.x86_64' });
    const bad = await runCli(['--root', older, 'apply', '--installer', el8, '--kernel-list', list, '--yes']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('Kernel 4.18.0-50.el8.x86_64 is not supported on RedHat_EL8');
    expect(rpmInstalled(older)).toBeNull();

    const newer = makeAgentRoot({ kernel: '4.18.0-600.el8_10.x86_64' });
    const warn = await runCli(['--root', newer, 'plan', '--installer', el8, '--kernel-list', list]);
    expect(warn.exitCode).toBe(0);
    expect(warn.stdout).toContain('the list may be older than this kernel');
  });

  it('waits a bounded time for the service and fails when it never runs', async () => {
    const root = makeAgentRoot();
    setStandIn(root, 'start-delay', '9999');
    const r = await runCli(['--root', root, 'apply', '--installer', el8, '--service-wait', '2', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('The ds_agent service is not running after 2 s (state: stopped)');
    // The package stays installed and revertable.
    expect(rpmInstalled(root)).toBe('20.0.0-2395.el8');
  });

  /** A Windows Server 2022 x64 as `reg query` shows its version and architecture. */
  const WINDOWS_2022_REPLIES = [
    {
      command: 'reg',
      args: ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'],
      stdout: '    ProductName    REG_SZ    Windows Server 2022 Datacenter\r\n    CurrentBuild    REG_SZ    20348\r\n',
    },
    {
      command: 'reg',
      args: ['query', 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment'],
      stdout: '    PROCESSOR_ARCHITECTURE    REG_SZ    AMD64\r\n',
    },
  ];

  it('a Windows registry that refuses the Uninstall search: apply fails naming it and runs no msiexec (nothing for revert to uninstall)', async () => {
    const root = makeRoot({
      windows: true,
      files: {
        '.sandbox/exec-replies.json': JSON.stringify([
          ...WINDOWS_2022_REPLIES,
          {
            command: 'reg',
            args: ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall'],
            exitCode: 1,
            stderr: 'ERROR: Access is denied.\r\n',
          },
          { command: 'msiexec', args: ['/i'] },
        ]),
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'dsa-msi-'));
    const msi = join(dir, 'Agent-Core-Windows-20.0.0-5995.x86_64.msi');
    writeFileSync(msi, 'not really an msi');
    const r = await runCli(['--root', root, 'apply', '--installer', msi, '--service-wait', '0', '--yes']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(translator('en')('agent.install.registryUnreadableRemedy').slice(0, 40));
    expect(sandboxExecLog(root).some((c) => c.command === 'msiexec')).toBe(false);
  });

  it('builds the exact msiexec call on a Windows root (recorded, not run)', async () => {
    const root = makeRoot({
      windows: true,
      files: {
        '.sandbox/exec-replies.json': JSON.stringify([
          ...WINDOWS_2022_REPLIES,
          {
            command: 'reg',
            args: ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall'],
            exitCode: 1,
            // reg's search with no match (its real last line; an empty answer is "could not tell").
            stdout: '\r\nEnd of search: 0 match(es) found.\r\n',
          },
          { command: 'msiexec', args: ['/i'] },
          { command: 'sc', args: ['start', 'ds_agent'] },
          {
            command: 'sc',
            args: ['query', 'ds_agent'],
            exitCode: 1060,
            stdout: '[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n',
          },
          // msiexec /qn prints nothing and exits 0 on success.
          { command: 'msiexec', args: ['/i'] },
          // sc start answers as it does for a service that is starting (STATE 2 START_PENDING).
          {
            command: 'sc',
            args: ['start', 'ds_agent'],
            stdout:
              '\r\nSERVICE_NAME: ds_agent \r\n        TYPE               : 10  WIN32_OWN_PROCESS  \r\n        STATE              : 2  START_PENDING \r\n                                (NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)\r\n        WIN32_EXIT_CODE    : 0  (0x0)\r\n        SERVICE_EXIT_CODE  : 0  (0x0)\r\n        CHECKPOINT         : 0x0\r\n        WAIT_HINT          : 0x7d0\r\n        PID                : 4242\r\n        FLAGS              : \r\n',
          },
        ]),
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'dsa-msi-'));
    const msi = join(dir, 'Agent-Core-Windows-20.0.0-5995.x86_64.msi');
    writeFileSync(msi, 'not really an msi');
    // Stands in for the verbose log msiexec writes (UTF-16 with BOM, as msiexec does); the sandbox runs no msiexec.
    const msiLogText =
      '=== Verbose logging started: 2026/11/23  10:00:00  Build type: SHIP UNICODE 5.00.10011.00 ===\r\n' +
      'MSI (s) (A0:B4) [10:00:01:000]: Product: Trend Micro Deep Security Agent -- インストールが完了しました。\r\n';
    mkdirSync(join(root, 'ProgramData/dsa-setup'), { recursive: true });
    writeFileSync(
      join(root, 'ProgramData/dsa-setup/agent-install.log'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(msiLogText, 'utf16le')]),
    );
    const r = await runCli(['--root', root, 'apply', '--installer', msi, '--service-wait', '0', '--yes']);
    const calls = sandboxExecLog(root);
    expect(calls).toContainEqual({
      command: 'msiexec',
      args: ['/i', msi, '/qn', 'ADDLOCAL=ALL', '/l*v', 'C:\\ProgramData\\dsa-setup\\agent-install.log'],
    });
    expect(calls).toContainEqual({ command: 'sc', args: ['start', 'ds_agent'] });
    // sc query still answers 1060 (the canned reply): the service never appears, which the step reports.
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('(state: not registered (absent))');
    // The installer's own log is kept in the run's journal, readable as UTF-8, even though the step failed.
    const runs = join(root, 'ProgramData/dsa-setup/runs');
    const run = runsInOrder(runs).at(-1)!.runId;
    expect(readFileSync(join(runs, run, 'logs/msiexec-install.log'), 'utf8')).toBe(msiLogText);
    const events = readFileSync(join(runs, run, 'events.jsonl'), 'utf8');
    expect(events).toContain('"type":"log.kept"');
    expect(events).toContain('"file":"logs/msiexec-install.log"');
  });
});

describe('download from the manager', () => {
  it('downloads the package for this system with Agent-Version-Control: on, then checks it', async () => {
    const { startStandInManager } = await import('../fixtures/manager/standInManager.js');
    const { uniqueLoopback } = await import('../fixtures/agent/sandbox.js');
    const host = uniqueLoopback();
    const m = await startStandInManager({ host, packages: { 'RedHat_EL8/x86_64': el8, 'RedHat_EL8/aarch64': el8Arm } });
    try {
      const root = makeAgentRoot();
      const dest = mkdtempSync(join(tmpdir(), 'dsa-dl-'));
      writeFileSync(join(dest, 'ca.pem'), m.certs.caPem);
      const tenant = '5A1B2C3D-0000-4444-8888-ABCDEFABCDEF';
      const r = await runCliJson<{ file: string; ok: boolean; bytes: number }>([
        '--root',
        root,
        'download',
        '--manager-url',
        `https://${host}:${m.port}/`,
        '--tenant-id',
        tenant,
        '--ca-file',
        join(dest, 'ca.pem'),
        '--out',
        dest,
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.json.ok).toBe(true);
      expect(r.json.file).toBe(join(dest, 'Agent-Core-RedHat_EL8-20.0.0-2395.x86_64.rpm'));
      expect(r.stderr).toMatch(/Downloading the agent for RedHat_EL8 x86_64[\s\S]*MiB/);
      expect(r.stdout + r.stderr).not.toContain(tenant);
      const req = m.requests.at(-1)!;
      expect(req.path).toBe(`/software/agent/RedHat_EL8/x86_64/agent.rpm?tenantID=${tenant}`);
      expect(req.headers['agent-version-control']).toBe('on');
      // Without the manager's CA the download is refused (TLS is verified).
      const noCa = await runCli([
        '--root',
        root,
        'download',
        '--manager-url',
        `https://${host}:${m.port}/`,
        '--out',
        dest,
      ]);
      expect(noCa.exitCode).toBe(1);
      expect(noCa.stderr).toContain('The download from');
    } finally {
      await m.close();
    }
  });

  it('follows a redirect to the package, and a download cut short leaves no file behind', async () => {
    const { startStandInManager } = await import('../fixtures/manager/standInManager.js');
    const { uniqueLoopback } = await import('../fixtures/agent/sandbox.js');
    const download = async (opts: {
      redirects?: Record<string, string>;
      truncatePackages?: boolean;
      packages?: Record<string, string>;
    }) => {
      const host = uniqueLoopback();
      const m = await startStandInManager({ host, ...opts, packages: { 'RedHat_EL8/x86_64': el8, ...opts.packages } });
      const dest = mkdtempSync(join(tmpdir(), 'dsa-dl-'));
      writeFileSync(join(dest, 'ca.pem'), m.certs.caPem);
      try {
        const r = await runCli([
          '--root',
          makeAgentRoot(),
          'download',
          '--manager-url',
          `https://${host}:${m.port}/`,
          '--ca-file',
          join(dest, 'ca.pem'),
          '--out',
          dest,
          '--json',
        ]);
        return { r, files: readdirSync(dest).filter((f) => f !== 'ca.pem'), paths: m.requests.map((q) => q.path) };
      } finally {
        await m.close();
      }
    };
    const redirected = await download({
      redirects: { '/software/agent/RedHat_EL8/x86_64/agent.rpm': '/software/agent/RedHat_EL8/mirror/agent.rpm' },
      packages: { 'RedHat_EL8/mirror': el8 },
    });
    // The manager moved the package: the download followed the 302 and saved the package under its own name.
    expect(redirected.r.exitCode, redirected.r.stderr).toBe(0);
    expect(redirected.paths).toEqual([
      '/software/agent/RedHat_EL8/x86_64/agent.rpm',
      '/software/agent/RedHat_EL8/mirror/agent.rpm',
    ]);
    expect(redirected.files).toEqual(['Agent-Core-RedHat_EL8-20.0.0-2395.x86_64.rpm']);

    const cut = await download({ truncatePackages: true });
    expect(cut.r.exitCode).toBe(1);
    // Neither the package's name nor a partial temp file is left in the folder.
    expect(cut.files).toEqual([]);
  });
});
