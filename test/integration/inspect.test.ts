import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import type { Inspection } from '../../main/core/platform/inspect.js';

afterAll(cleanupRoots);
const KERNEL = { osrelease: '4.18.0-553.el8_10.x86_64', arch: 'x86_64', hostname: 'web01' };

describe('inspect on sandbox roots', () => {
  const cases: [string, (typeof OS_RELEASE)[keyof typeof OS_RELEASE], Partial<Inspection['os']>][] = [
    [
      'EL6 from /etc/redhat-release (no os-release)',
      OS_RELEASE.el6,
      { family: 'rhel', id: 'centos', versionId: '6.10', major: 6 },
    ],
    ['CentOS 7', OS_RELEASE.el7, { family: 'rhel', id: 'centos', versionId: '7', major: 7 }],
    ['RHEL 8', OS_RELEASE.el8, { family: 'rhel', id: 'rhel', versionId: '8.10', major: 8 }],
    ['Rocky 9', OS_RELEASE.el9, { family: 'rhel', id: 'rocky', versionId: '9.4', major: 9 }],
    ['Ubuntu 22.04', OS_RELEASE.ubuntu2204, { family: 'debian', id: 'ubuntu', versionId: '22.04', major: 22 }],
    ['SLES 15', OS_RELEASE.sles15, { family: 'suse', id: 'sles', versionId: '15.5', major: 15 }],
  ];
  for (const [name, release, expected] of cases) {
    it(name, async () => {
      const root = makeRoot({ ...release, kernel: KERNEL });
      const r = await runCliJson<Inspection>(['inspect', '--root', root]);
      expect(r.exitCode).toBe(0);
      expect(r.json.os).toMatchObject(expected);
      expect(r.json.kernel).toBe(KERNEL.osrelease);
      expect(r.json.arch).toBe('x86_64');
      expect(r.json.hostname).toBe('web01');
      expect(r.json.live).toBe(false);
      expect(r.json.addresses).toBeNull();
    });
  }

  it('prints the four order-form values ready to copy, in Japanese too', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, kernel: KERNEL });
    const r = await runCli(['--lang', 'ja', 'inspect', '--root', root]);
    expect(r.stdout).toContain('申込書用');
    expect(r.stdout).toContain('ホスト名 (uname -n): web01');
    expect(r.stdout).toContain(
      'OS / カーネルバージョン (uname -r): Red Hat Enterprise Linux 8.10 (Ootpa) / 4.18.0-553.el8_10.x86_64',
    );
    expect(r.stdout).toContain('OS 種別: Linux');
  });

  it('reads Windows edition and build from the registry (recorded reg query output)', async () => {
    const root = makeRoot({ windows: true });
    const out = readFileSync(
      join(import.meta.dirname, '../fixtures/windows-inspect/reg-query-currentversion.txt'),
      'utf8',
    );
    mkdirSync(join(root, '.sandbox'), { recursive: true });
    writeFileSync(
      join(root, '.sandbox/exec-replies.json'),
      JSON.stringify([
        { command: 'reg', args: ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'], stdout: out },
      ]),
    );
    const r = await runCliJson<Inspection>(['inspect', '--root', root]);
    expect(r.json.os).toMatchObject({
      family: 'windows',
      name: 'Windows Server 2022 Standard',
      versionId: '2022',
      build: '20348.2467',
      edition: 'ServerStandard',
    });
    expect(r.json.orderForm.osType).toBe('Windows');
    expect(r.json.orderForm.osVersion).toBe('Windows Server 2022 Standard (20348.2467)');
  });

  it('finds the agent in a real rpm database under the root', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, kernel: KERNEL });
    await execa('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--initdb']);
    expect((await runCliJson<Inspection>(['inspect', '--root', root])).json.agent).toEqual({
      installed: false,
      via: 'rpm',
    });
  });

  it('finds the agent in a real dpkg database under the root', async () => {
    const root = makeRoot({
      ...OS_RELEASE.ubuntu2204,
      files: {
        'var/lib/dpkg/status':
          'Package: ds-agent\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: 20.0.1-19250\nDescription: Trend Micro Deep Security Agent\n\n',
      },
    });
    const r = await runCliJson<Inspection>(['inspect', '--root', root]);
    expect(r.json.agent).toEqual({ installed: true, version: '20.0.1-19250', via: 'dpkg' });
    expect((await runCli(['inspect', '--root', root])).stdout).toContain('installed, version 20.0.1-19250');
  });

  it('on the running system shows live facts (interfaces, kernel) and only JSON on stdout', async () => {
    const r = await runCliJson<Inspection>(['inspect']);
    expect(r.json.live).toBe(true);
    expect(r.json.addresses?.some((a) => a.scope === 'loopback')).toBe(true);
    expect(r.json.kernel).toBe((await execa('uname', ['-r'])).stdout.trim());
    expect(r.json.hostname).toBe((await execa('uname', ['-n'])).stdout.trim());
  });
});

describe('CLI contract', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version,
    );
  });
  it('an unknown command or option is a usage error (exit 2)', async () => {
    expect((await runCli(['frobnicate'])).exitCode).toBe(2);
    expect((await runCli(['inspect', '--no-such-option'])).exitCode).toBe(2);
    expect((await runCli(['--lang', 'fr', 'inspect'])).exitCode).toBe(2);
  });
  it('plan with no step selected explains what to give (exit 2)', async () => {
    const r = await runCli(['plan', '--root', makeRoot(OS_RELEASE.el8)]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--hosts-file');
  });
  it('help is in Japanese with LANG=ja_JP.UTF-8', async () => {
    const r = await runCli(['--help'], { env: { LANG: 'ja_JP.UTF-8' } });
    expect(r.stdout).toContain('Deep Security Agent の準備');
  });
  it('revert with no run explains there is nothing to revert', async () => {
    const r = await runCli(['revert', '--root', makeRoot(OS_RELEASE.el8), '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('nothing to revert');
  });
});

describe('inspect and plan print the security group / ACL openings', () => {
  const FIX = join(import.meta.dirname, '../fixtures/inputs');
  const hostsFile = join(FIX, 'VMSecurity_hosts_cln.txt');

  it('on premises (the portal hosts file): the table in text and the items in --json, inspect and plan alike', async () => {
    const root = makeRoot({ ...OS_RELEASE.el8, kernel: KERNEL, hosts: '127.0.0.1 localhost\n' });
    const text = await runCli(['inspect', '--root', root, '--hosts-file', hostsFile]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('Openings the security group / ACL must allow');
    expect(text.stdout).toMatch(
      /outbound \(this VM → remote\) +203\.0\.113\.10\/32 +TCP 4120 +dsm01\.vmsecurity\.example\.jp/,
    );
    expect(text.stdout).toMatch(/inbound \(remote → this VM\) +203\.0\.113\.10\/32 +TCP 4118/);
    const json = await runCliJson<{ openings: { flavour: string; items: { remote: string[]; port: number }[] } }>([
      'inspect',
      '--root',
      root,
      '--hosts-file',
      hostsFile,
    ]);
    expect(json.json.openings.flavour).toBe('on-premises');
    // Without an activation file every portal line may be the manager: 6 outbound, 3 inbound 4118.
    expect(json.json.openings.items).toHaveLength(9);
    const plan = await runCliJson<{ steps: unknown[]; openings: { items: unknown[] } }>([
      'plan',
      '--root',
      root,
      '--hosts-file',
      hostsFile,
    ]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.json.openings.items).toEqual(json.json.openings.items);
    const planText = await runCli(['plan', '--root', root, '--hosts-file', hostsFile, '--lang', 'ja']);
    expect(planText.stdout).toContain('セキュリティグループ / ACL で許可する通信');
  });

  it('Cloud One (a deployment script): one row, 443 out to the manager resolved through the root’s hosts file', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el8,
      kernel: KERNEL,
      hosts: '127.0.0.1 localhost\n198.51.100.9 agents.workload.jp-1.cloudone.trendmicro.com\n',
    });
    const script = join(FIX, 'AgentDeploymentScript.sh');
    const json = await runCliJson<{
      openings: { flavour: string; items: { direction: string; remote: string[]; port: number }[] };
    }>(['inspect', '--root', root, '--activation-file', script]);
    expect(json.exitCode, json.stderr).toBe(0);
    expect(json.json.openings.flavour).toBe('cloud-one');
    expect(json.json.openings.items.map((o) => [o.direction, o.remote, o.port])).toEqual([
      ['out', ['198.51.100.9/32'], 443],
    ]);
    const text = await runCli(['inspect', '--root', root, '--activation-file', script]);
    expect(text.stdout).toMatch(/outbound \(this VM → remote\) +198\.51\.100\.9\/32 +TCP 443 +agents\.workload/);
    expect(text.stdout).toContain('the Cloud One documentation');
    expect(text.stdout).not.toMatch(/TCP 4118/);
  });
});
