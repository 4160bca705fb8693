// The whole roll-out through the Ansible role, on two `--root` sandboxes standing for two VMs: the role copies the
// single-file CLI, the hosts lines and a (stand-in) agent rpm; plan/apply adds the hosts block and installs the
// package for real (rpm --root), the stand-in ds_agent starts; `activate` reads the vault's tenant ID and token from
// a 0600 file and the stand-in dsa_control sends them over TLS to a stand-in manager on loopback; `doctor --json`
// checks the result. A third host's manager refuses the token: that host fails with the reason and its support
// bundle comes back. A second run changes nothing (no new activation), and no secret reaches Ansible's output.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { buildAgentRpm, prepareAgentRoot } from '../fixtures/agent/packages.js';
import { startStandInManager, type StandInManager } from '../fixtures/manager/standInManager.js';

const PLAYBOOK = join(PROJECT, 'resources/ansible/site.yml');
const MANAGER_NAME = 'dsm01.fleet.example.jp';
const TOKEN = randomUUID().toUpperCase();
const TENANT = randomUUID().toUpperCase();
const HOSTS = ['web01', 'web02'] as const;
// Checks that can pass in a sandbox (no real network beyond the loopback manager, no real clock source).
const CHECKS = ['hosts.entries', 'agent.installed', 'agent.service', 'agent.activated'];

let work: string;
let manager: StandInManager;
let refusing: StandInManager; // web03's manager: refuses the token
const roots: Record<string, string> = {};

/** The PLAY RECAP counts of one host. */
function recap(output: string, host: string): { changed: number; failed: number } {
  const m = new RegExp(`^${host}\\s*:\\s*ok=\\d+\\s+changed=(\\d+)\\s+unreachable=\\d+\\s+failed=(\\d+)`, 'm').exec(
    output,
  );
  if (!m) throw new Error(`no PLAY RECAP line for ${host} in:\n${output.slice(-3000)}`);
  return { changed: Number(m[1]), failed: Number(m[2]) };
}

async function playbook(): Promise<{ exitCode: number; output: string }> {
  const r = await execa(
    'ansible-playbook',
    [
      '-vvv',
      '--diff',
      '-i',
      join(work, 'inventory.json'),
      PLAYBOOK,
      '--vault-password-file',
      join(work, 'vault-pass'),
      '-e',
      `@${join(work, 'vault.yml')}`,
    ],
    {
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: 300_000,
      env: {
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
        ANSIBLE_REMOTE_TEMP: join(work, 'ansible-remote-tmp'),
        ANSIBLE_STDOUT_CALLBACK: 'default',
        LANG: 'C.UTF-8',
      },
    },
  );
  return { exitCode: r.exitCode ?? -1, output: String(r.all) };
}

/** The activation requests the stand-in manager received (their JSON bodies). */
function activations(): { hostname: string; tenantID: string; token: string }[] {
  return manager.requests
    .filter((r) => r.path === '/agent/activate')
    .map((r) => JSON.parse(r.body) as { hostname: string; tenantID: string; token: string });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dsa-fleet-act-'));
  const binary = join(work, 'dsa-setup-linux-x64');
  execFileSync(process.execPath, [join(PROJECT, 'scripts/build-cli-binary.mjs'), '--out', binary], {
    cwd: PROJECT,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 280_000,
  });
  const rpm = buildAgentRpm({ platform: 'RedHat_EL9', version: '20.0.1', build: '12345', outDir: work });

  // A loopback address of its own, so suites running at the same time do not meet.
  const address = `127.0.${40 + Math.floor(Math.random() * 200)}.${2 + Math.floor(Math.random() * 250)}`;
  manager = await startStandInManager({ host: address, names: [MANAGER_NAME] });
  const portal = join(work, 'VMSecurity_hosts_cln.txt');
  writeFileSync(portal, `# Compute Security\r\n${address}\t${MANAGER_NAME}\r\n`);
  const refusingAddress = address.replace(/\.(\d+)$/, (_, n: string) => `.${(Number(n) % 250) + 3}`);
  refusing = await startStandInManager({ host: refusingAddress, certs: manager.certs, mode: 'badToken' });
  mkdirSync(join(work, 'web03'));
  const portal3 = join(work, 'web03/VMSecurity_hosts_cln.txt');
  writeFileSync(portal3, `# Compute Security\r\n${refusingAddress}\t${MANAGER_NAME}\r\n`);

  for (const h of [...HOSTS, 'web03']) {
    const root = makeRoot({
      ...OS_RELEASE.el9,
      hosts: '127.0.0.1\tlocalhost\n',
      kernel: { osrelease: '5.14.0-427.13.1.el9_4.x86_64', arch: 'x86_64', hostname: h },
    });
    prepareAgentRoot(root, { caPem: manager.certs.caPem });
    roots[h] = root;
  }

  writeFileSync(join(work, 'vault-pass'), `${randomUUID()}\n`, { mode: 0o600 });
  writeFileSync(join(work, 'vault.yml'), `dsa_setup_token: "${TOKEN}"\ndsa_setup_tenant_id: "${TENANT}"\n`);
  execFileSync(
    'ansible-vault',
    ['encrypt', '--vault-password-file', join(work, 'vault-pass'), join(work, 'vault.yml')],
    {
      stdio: 'ignore',
      env: { ...process.env, ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp') },
    },
  );

  const inventory = {
    all: {
      children: {
        dsa_targets: {
          hosts: {
            ...Object.fromEntries(
              HOSTS.map((h) => [h, { dsa_setup_root: roots[h], dsa_setup_dir: join(roots[h]!, 'opt/dsa-setup') }]),
            ),
            web03: {
              dsa_setup_root: roots.web03,
              dsa_setup_dir: join(roots.web03!, 'opt/dsa-setup'),
              dsa_setup_hosts_file: portal3,
              dsa_setup_manager: `dsm://${MANAGER_NAME}:${refusing.port}/`,
            },
          },
          vars: {
            ansible_connection: 'local',
            ansible_become: false,
            ansible_python_interpreter: '/usr/bin/python3',
            dsa_setup_cli: binary,
            dsa_setup_hosts_file: portal,
            dsa_setup_installer: rpm,
            dsa_setup_manager: `dsm://${MANAGER_NAME}:${manager.port}/`,
            dsa_setup_policy_id: 3,
            dsa_setup_activate_args: ['--wait', '5'],
            dsa_setup_doctor_args: CHECKS.flatMap((c) => ['--only', c]),
            dsa_setup_bundle_dest: join(work, 'bundles'),
          },
        },
      },
    },
  };
  writeFileSync(join(work, 'inventory.json'), JSON.stringify(inventory, null, 2));
}, 300_000);

afterAll(async () => {
  await manager?.close();
  await refusing?.close();
  cleanupRoots();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Each playbook run takes tens of seconds (several hosts, a 120 MiB CLI copied to each, on a busy CI machine).
describe('Ansible role dsa_setup: install, activate with vault secrets, doctor', { timeout: 300_000 }, () => {
  let first: { exitCode: number; output: string };

  it('installs, activates each host with the manager and reports changed', async () => {
    first = await playbook();
    for (const h of HOSTS) {
      const r = recap(first.output, h);
      expect(r.failed, first.output.slice(-5000)).toBe(0);
      expect(r.changed).toBeGreaterThan(0);
      const root = roots[h]!;
      expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toContain(`\t${MANAGER_NAME}\n`);
      const pkg = execFileSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-q', 'ds_agent'], {
        encoding: 'utf8',
      });
      expect(pkg.trim()).toBe('ds_agent-20.0.1-12345.el9.x86_64');
      expect(existsSync(join(root, 'opt/dsa-setup/inputs/activation.txt'))).toBe(false); // the secret file is gone
    }
    // The vault's secrets did reach the manager, once per host, with each host's own name…
    const acts = activations();
    expect(acts.map((a) => a.hostname).sort()).toEqual([...HOSTS]);
    for (const a of acts) expect(a).toMatchObject({ tenantID: TENANT, token: TOKEN });
  });

  it('…and never Ansible’s output, not even at -vvv with --diff', () => {
    expect(first.output).not.toContain(TOKEN);
    expect(first.output).not.toContain(TENANT);
    // The doctor's command line (shown, as it carries no secret) names the activation file, not its content.
    expect(first.output).toMatch(/"--activation-file",\s*"[^"]+\/opt\/dsa-setup\/inputs\/activation\.txt"/);
  });

  it('the doctor agrees: hosts lines, agent installed, running and activated', () => {
    for (const h of HOSTS) {
      const root = roots[h]!;
      const status = execFileSync(join(root, 'opt/dsa-setup/dsa-setup'), ['status', '--json', '--root', root], {
        encoding: 'utf8',
      });
      expect(JSON.parse(status)).toMatchObject({ state: { installed: true, service: 'running', activated: true } });
    }
    expect(first.output).not.toMatch(/^fatal: \[web0[12]\]/m);
    // No bundle for hosts that did not fail: only their doctor.json, for the fleet report.
    for (const h of ['web01', 'web02']) {
      expect(existsSync(join(work, `bundles/${h}/support-bundle.zip`))).toBe(false);
      const doctor = JSON.parse(readFileSync(join(work, `bundles/${h}/doctor.json`), 'utf8')) as {
        summary: { fail: number };
      };
      expect(doctor.summary.fail).toBe(0);
      expect(readFileSync(join(work, `bundles/${h}/doctor.json`), 'utf8')).not.toContain(TOKEN);
    }
  });

  it('a manager that refuses the token fails that host with the reason, and its support bundle comes back', () => {
    expect(recap(first.output, 'web03').failed).toBe(1);
    expect(first.exitCode).toBe(2);
    const fatal = /^fatal: \[web03\]: FAILED! => (\{\n[\s\S]*?\n\})\n/m.exec(
      first.output.split('TASK [dsa_setup : Fail the host with the reason]')[1] ?? '',
    );
    expect(fatal, first.output.slice(-5000)).not.toBeNull();
    const reason = (JSON.parse(fatal![1]!) as { msg: string }).msg;
    expect(reason).toContain('dsa-setup activate (exit 1');
    expect(reason).toMatch(/activation: \w+: .*(token|tenant)/i);
    expect(refusing.requests.filter((r) => r.path === '/agent/activate')).toHaveLength(1);
    // The bundle: fetched, a zip, and without the secrets.
    const bundle = join(work, 'bundles/web03/support-bundle.zip');
    expect(existsSync(bundle)).toBe(true);
    const listing = execFileSync(
      'python3',
      [
        '-c',
        'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist(): sys.stdout.buffer.write(n.encode() + b"\\n" + z.read(n) + b"\\n")',
        bundle,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    ).toString('utf8');
    expect(listing.length).toBeGreaterThan(100);
    expect(listing).not.toContain(TOKEN);
    expect(listing).not.toContain(TENANT);
  });

  it('a second run changes nothing and does not activate again', async () => {
    const before = activations().length;
    const second = await playbook();
    expect(recap(second.output, 'web03').failed).toBe(1); // still refused
    for (const h of HOSTS) {
      const r = recap(second.output, h);
      expect(r.failed, second.output.slice(-5000)).toBe(0);
      expect(r.changed).toBe(0);
    }
    expect(activations().length).toBe(before);
    expect(second.output).not.toContain(TOKEN);
    expect(second.output).not.toContain(TENANT);
  });
});
