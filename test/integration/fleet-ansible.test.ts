// The Ansible role (resources/ansible) with Debian's ansible-core, connection `local`, against `--root`
// sandboxes standing for two hosts, driving the single-file CLI it copies to each: the example playbook site.yml
// applies and reports changed, a second run reports changed=0, a host with a bad input fails with the CLI's reason
// while the other succeeds, and the vault's token and tenant ID never appear in Ansible's (very verbose) output.
// Two more hosts need a reboot (exit 4: the IPv6 step puts ipv6.disable=1 on the kernel command line): one may
// reboot — ansible.builtin.reboot really runs, over a connection that is `local` but does not call itself so (the
// reboot module refuses `local`), with a reboot command that does to the sandbox what a reboot does to a VM — the
// other may not and fails with "reboot needed".
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

const PORTAL = join(PROJECT, 'test/fixtures/inputs/VMSecurity_hosts_cln.txt');
const PLAYBOOK = join(PROJECT, 'resources/ansible/site.yml');
const TOKEN = randomUUID().toUpperCase();
const TENANT = randomUUID().toUpperCase();
const HOSTS_BEFORE = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n';
const CMDLINE = 'BOOT_IMAGE=(hd0,gpt2)/vmlinuz-5.14.0-427.13.1.el9_4.x86_64 ro crashkernel=auto rhgb quiet';

// The local connection under another name: ansible.builtin.reboot refuses to run over `local` (it would reboot
// the controller); here the "host" is a sandbox and the reboot command below only touches that sandbox.
const SANDBOX_CONNECTION = `from ansible.plugins.connection.local import Connection as LocalConnection

DOCUMENTATION = '''
    name: dsa_sandbox
    short_description: run on the controller, standing for a remote host (dsa-setup tests)
    description:
        - The local connection under another name, so that the reboot module acts on a sandbox host.
    author: dsa-setup
    extends_documentation_fragment:
        - connection_pipelining
'''


class Connection(LocalConnection):
    transport = 'dsa_sandbox'
`;

// A reboot of a sandbox host: the kernel command line and boot loader entries it was given take effect
// (prepared in .after-reboot/ as a VM would have them), and the boot id changes.
const FAKE_REBOOT = `#!/bin/sh
set -e
R="$1"
cmdline="$(sed -n 's/^GRUB_CMDLINE_LINUX="\\(.*\\)"$/\\1/p' "$R/etc/default/grub")"
echo "BOOT_IMAGE=(hd0,gpt2)/vmlinuz-5.14.0-427.13.1.el9_4.x86_64 $cmdline" > "$R/proc/cmdline"
cp "$R/.after-reboot/exec-replies.json" "$R/.sandbox/exec-replies.json"
date +%s%N > "$R/boot-id"
`;

/** A Rocky 9 sandbox whose IPv6 step needs a reboot: GRUB config, kernel command line and grubby's answer. */
function rebootRoot(hostname: string): string {
  // grubby as the sandbox answers it: --info=ALL with the kernel arguments, and --update-kernel (the step's change and
  // its undo) succeeding.
  const grubby = (args: string) => [
    { command: 'grubby', args: ['--info=ALL'], stdout: `index=0\nkernel="/boot/vmlinuz"\nargs="${args}"\n` },
    { command: 'grubby', args: ['--update-kernel=ALL'], stdout: '' },
  ];
  const root = makeRoot({
    ...OS_RELEASE.el9,
    hosts: HOSTS_BEFORE,
    kernel: { osrelease: '5.14.0-427.13.1.el9_4.x86_64', arch: 'x86_64', hostname },
    files: {
      'etc/default/grub': 'GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="crashkernel=auto rhgb quiet"\n',
      'proc/cmdline': CMDLINE + '\n',
      // Once grubby added the argument, --info=ALL lists it (the step reads the boot entries back).
      '.sandbox/exec-replies.json': JSON.stringify([
        {
          ...grubby('ro crashkernel=auto rhgb quiet ipv6.disable=1')[0],
          after: ['grubby', '--update-kernel=ALL', '--args'],
        },
        ...grubby('ro crashkernel=auto rhgb quiet'),
      ]),
      '.after-reboot/exec-replies.json': JSON.stringify(grubby('ro crashkernel=auto rhgb quiet ipv6.disable=1')),
      'boot-id': '1\n',
    },
  });
  return root;
}

let work: string;
let binary: string;
let rootA: string;
let rootB: string;
let rootC: string;
let rootD: string;
let commands: Set<string>;

interface Recap {
  ok: number;
  changed: number;
  failed: number;
}

/** The PLAY RECAP line of one host. */
function recap(output: string, host: string): Recap {
  const m = new RegExp(`^${host}\\s*:\\s*ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=\\d+\\s+failed=(\\d+)`, 'm').exec(
    output,
  );
  if (!m) throw new Error(`no PLAY RECAP line for ${host} in:\n${output.slice(-3000)}`);
  return { ok: Number(m[1]), changed: Number(m[2]), failed: Number(m[3]) };
}

/** The results Ansible printed for a host's failed tasks (`fatal: [HOST]: FAILED! => {…}`), parsed. */
function fatals(output: string, host: string): { msg: string }[] {
  const head = `fatal: [${host}]: FAILED! => `;
  const found: { msg: string }[] = [];
  for (let at = output.indexOf(head); at >= 0; at = output.indexOf(head, at + 1)) {
    const start = at + head.length;
    const end = output.indexOf('\n}\n', start);
    found.push(JSON.parse(output.slice(start, end + 2)) as { msg: string });
  }
  return found;
}

/** Runs the example playbook over the two sandboxes, as verbose as Ansible gets (-vvv). */
async function playbook(...extra: string[]): Promise<{ exitCode: number; output: string }> {
  const r = await execa(
    'ansible-playbook',
    [
      '-vvv',
      '-i',
      join(work, 'inventory.json'),
      PLAYBOOK,
      '--vault-password-file',
      join(work, 'vault-pass'),
      '-e',
      `@${join(work, 'vault.yml')}`,
      ...extra,
    ],
    {
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: 240_000,
      env: {
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
        ANSIBLE_REMOTE_TEMP: join(work, 'ansible-remote-tmp'),
        ANSIBLE_STDOUT_CALLBACK: 'default',
        ANSIBLE_CONNECTION_PLUGINS: join(work, 'connection_plugins'),
        LANG: 'C.UTF-8',
      },
    },
  );
  return { exitCode: r.exitCode ?? -1, output: String(r.all) };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dsa-fleet-'));
  binary = join(work, 'dsa-setup-linux-x64');
  execFileSync(process.execPath, [join(PROJECT, 'scripts/build-cli-binary.mjs'), '--out', binary], {
    cwd: PROJECT,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 280_000,
  });
  // activate and doctor join the role's run when this CLI has them (role variables switch them otherwise).
  const help = execFileSync(binary, ['--help'], { encoding: 'utf8', env: { LANG: 'C' } });
  commands = new Set([...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!));

  const sysctl = [{ command: 'sysctl', args: ['--system'] }];
  rootA = makeRoot({ ...OS_RELEASE.el9, hosts: HOSTS_BEFORE, kernel: { hostname: 'web01' }, replies: sysctl });
  rootB = makeRoot({ ...OS_RELEASE.el8, hosts: HOSTS_BEFORE, kernel: { hostname: 'db01' }, replies: sysctl });
  rootC = rebootRoot('app01');
  rootD = rebootRoot('app02');
  mkdirSync(join(work, 'connection_plugins'));
  writeFileSync(join(work, 'connection_plugins/dsa_sandbox.py'), SANDBOX_CONNECTION);
  writeFileSync(join(work, 'fake-reboot.sh'), FAKE_REBOOT, { mode: 0o755 });
  const bad = join(work, 'bad-hosts.txt');
  writeFileSync(bad, '# Compute Security hosts\r\nnot-an-address\tdsm01.vmsecurity.example.jp\r\n');

  // The secrets in an Ansible Vault file, as an administrator keeps them.
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
  expect(readFileSync(join(work, 'vault.yml'), 'utf8')).toMatch(/^\$ANSIBLE_VAULT;/);

  const host = (root: string, hostsFile: string, lang: string) => ({
    dsa_setup_root: root,
    dsa_setup_dir: join(root, 'opt/dsa-setup'),
    dsa_setup_hosts_file: hostsFile,
    dsa_setup_lang: lang,
  });
  const inventory = {
    all: {
      children: {
        dsa_targets: {
          hosts: {
            'host-a': host(rootA, PORTAL, 'en'),
            'host-b': host(rootB, bad, 'ja'),
            'host-c': {
              ...host(rootC, PORTAL, 'en'),
              ansible_connection: 'dsa_sandbox',
              dsa_setup_step_args: ['--disable-ipv6', 'protocol'],
              dsa_setup_allow_reboot: true,
              dsa_setup_reboot_command: `${join(work, 'fake-reboot.sh')} ${rootC}`,
              dsa_setup_boot_time_command: `cat ${join(rootC, 'boot-id')}`,
            },
            'host-d': {
              ...host(rootD, PORTAL, 'en'),
              dsa_setup_step_args: ['--disable-ipv6', 'protocol'],
              dsa_setup_allow_reboot: false,
            },
          },
          vars: {
            ansible_connection: 'local',
            ansible_become: false,
            ansible_python_interpreter: '/usr/bin/python3',
            dsa_setup_cli: binary,
            dsa_setup_manager: 'dsm://dsm01.vmsecurity.example.jp:4120/',
            // No agent in these sandboxes: activation has its own test below.
            dsa_setup_activate: false,
            dsa_setup_doctor: commands.has('doctor'),
            // In a sandbox only the hosts check can pass (no agent, no manager on the network).
            dsa_setup_doctor_args: ['--only', 'hosts.entries'],
            dsa_setup_bundle_dest: join(work, 'bundles'),
          },
        },
      },
    },
  };
  writeFileSync(join(work, 'inventory.json'), JSON.stringify(inventory, null, 2));
}, 300_000);

afterAll(() => {
  cleanupRoots();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Each playbook run takes tens of seconds (several hosts, a 120 MiB CLI copied to each, on a busy CI machine).
describe('Ansible role dsa_setup over four sandbox hosts', { timeout: 300_000 }, () => {
  let first: { exitCode: number; output: string };

  it('--check stops at the plan: reports the hosts that would change, changes none of them', async () => {
    const check = await playbook('--check');
    const a = recap(check.output, 'host-a');
    expect(a.failed, check.output.slice(-4000)).toBe(0);
    expect(a.changed).toBeGreaterThan(0);
    expect(check.output).toMatch(
      /TASK \[dsa_setup : Plan \(changes nothing\)\][^\n]*\n(?:(?!TASK \[).*\n)*?changed: \[host-a\]/,
    );
    for (const root of [rootA, rootC, rootD]) {
      expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(HOSTS_BEFORE);
      expect(existsSync(join(root, 'var/lib/dsa-setup/runs'))).toBe(false); // no apply ran
    }
    expect(readFileSync(join(rootC, 'boot-id'), 'utf8').trim()).toBe('1'); // nobody rebooted
    expect(readFileSync(join(rootC, 'etc/default/grub'), 'utf8')).not.toContain('ipv6.disable=1');
    expect(recap(check.output, 'host-b').failed).toBe(1); // a bad input is bad in check mode too
  });

  it('applies on the good host and reports changed; the bad input fails its host with the reason', async () => {
    first = await playbook();
    const a = recap(first.output, 'host-a');
    const b = recap(first.output, 'host-b');
    expect(a.failed, first.output.slice(-4000)).toBe(0);
    expect(a.changed).toBeGreaterThan(0);
    expect(b.failed).toBe(1);
    expect(first.exitCode).toBe(2); // ansible-playbook: a host failed

    // host-a: the manager's lines are in its hosts file, the CLI sits in its directory, no secret file is left.
    const hostsA = readFileSync(join(rootA, 'etc/hosts'), 'utf8');
    expect(hostsA.startsWith(HOSTS_BEFORE)).toBe(true);
    expect(hostsA).toContain('203.0.113.10\tdsm01.vmsecurity.example.jp dsm01\n');
    expect(statSync(join(rootA, 'opt/dsa-setup/dsa-setup')).mode & 0o777).toBe(0o755);
    expect(existsSync(join(rootA, 'opt/dsa-setup/inputs/activation.txt'))).toBe(false);

    // host-b: untouched, failed with the CLI's own reason (Japanese, as its inventory asks), file and line.
    expect(readFileSync(join(rootB, 'etc/hosts'), 'utf8')).toBe(HOSTS_BEFORE);
    const reasons = fatals(first.output, 'host-b').map((f) => f.msg);
    expect(reasons.length, first.output.slice(-4000)).toBeGreaterThan(0);
    const reason = reasons[reasons.length - 1]!; // the host's final failure carries the CLI's reason
    expect(reason).toContain('dsa-setup plan (exit 2, 入力または使い方の誤り)');
    expect(reason).toContain('bad-hosts.txt:2:1');
    expect(reason).toContain('「not-an-address」は IP アドレスではありません');
    expect(fatals(first.output, 'host-a')).toEqual([]);
  });

  it('exit 4: reboots the host that may reboot (then goes on), fails the one that may not', () => {
    const c = recap(first.output, 'host-c');
    expect(c.failed, first.output.slice(-4000)).toBe(0);
    expect(c.changed).toBeGreaterThan(0);
    expect(first.output).toMatch(
      /TASK \[dsa_setup : Reboot, as the plan requires \(exit 4\)\][^\n]*\n(?:(?!TASK \[).*\n)*?changed: \[host-c\] => \{\n(?:.*\n)*?\s*"rebooted": true/,
    );
    expect(readFileSync(join(rootC, 'boot-id'), 'utf8').trim()).not.toBe('1');
    expect(readFileSync(join(rootC, 'proc/cmdline'), 'utf8')).toContain(' ipv6.disable=1');
    // …and after the reboot the role went on to the doctor.
    expect(first.output).toMatch(
      /TASK \[dsa_setup : Run dsa-setup doctor\][^\n]*\n(?:(?!TASK \[).*\n)*?ok: \[host-c\]/,
    );

    const d = recap(first.output, 'host-d');
    expect(d.failed).toBe(1);
    const reason = fatals(first.output, 'host-d').pop()!.msg;
    expect(reason).toContain('dsa-setup apply (exit 4, reboot needed)');
    expect(readFileSync(join(rootD, 'boot-id'), 'utf8').trim()).toBe('1'); // not rebooted
    expect(readFileSync(join(rootD, 'proc/cmdline'), 'utf8')).toBe(CMDLINE + '\n');
    expect(readFileSync(join(rootD, 'etc/default/grub'), 'utf8')).toContain('ipv6.disable=1'); // applied, pending
  });

  it('hides the vault secrets: the token and tenant ID appear nowhere in the output', () => {
    expect(first.output).not.toContain(TOKEN);
    expect(first.output).not.toContain(TENANT);
    expect(first.output.toLowerCase()).not.toContain(TOKEN.toLowerCase());
    // When the CLI has activate or doctor, the task that carries the secrets ran on host-a, its output hidden.
    if (commands.has('activate') || commands.has('doctor'))
      expect(first.output).toMatch(
        /TASK \[dsa_setup : Write the activation command from the vault variables[^\n]*\n(?:(?!TASK \[).*\n)*?ok: \[host-a\] => \{\n\s*"censored"/,
      );
  });

  it('fetches the support bundle of the failed host only, and keeps the doctor.json of every checked host (when the CLI has doctor)', () => {
    if (!commands.has('doctor')) {
      expect(existsSync(join(work, 'bundles'))).toBe(false);
      return;
    }
    const bundleB = join(work, 'bundles/host-b/support-bundle.zip');
    expect(existsSync(bundleB), first.output.slice(-4000)).toBe(true);
    expect(statSync(bundleB).size).toBeGreaterThan(0);
    expect(readFileSync(bundleB).includes(Buffer.from(TOKEN))).toBe(false);
    expect(existsSync(join(work, 'bundles/host-a/support-bundle.zip'))).toBe(false);
    const doctorA = JSON.parse(readFileSync(join(work, 'bundles/host-a/doctor.json'), 'utf8')) as {
      checks: { id: string; status: string }[];
    };
    expect(doctorA.checks.map((c) => [c.id, c.status])).toEqual([['hosts.entries', 'pass']]);
  });

  it('ends on the controller with the fleet report of all hosts, and prints its path', () => {
    if (!commands.has('doctor')) return;
    const report = join(work, 'bundles/fleet-report.html');
    expect(first.output).toContain(`Fleet report (all hosts, grouped by root cause): ${report}`);
    const html = readFileSync(report, 'utf8');
    // host-a and host-c passed their doctor; host-b (refused input) and host-d (reboot needed) come from bundles.
    expect(first.output).toContain('"hosts: 4 ');
    for (const h of ['host-a/doctor.json', 'host-c/doctor.json', 'host-b/support-bundle.zip!doctor.json'])
      expect(html).toContain(h);
    expect(html).not.toContain(TOKEN);
    expect(html).not.toContain(TENANT);
  });

  it('a second run reports changed=0 on the good hosts and still fails the bad one', async () => {
    const hostsA = readFileSync(join(rootA, 'etc/hosts'));
    const bootC = readFileSync(join(rootC, 'boot-id'), 'utf8');
    const second = await playbook();
    const a = recap(second.output, 'host-a');
    expect(a.failed, second.output.slice(-4000)).toBe(0);
    expect(a.changed).toBe(0);
    expect(recap(second.output, 'host-b').failed).toBe(1);
    expect(readFileSync(join(rootA, 'etc/hosts')).equals(hostsA)).toBe(true);
    // The rebooted host is done: nothing to apply, no second reboot.
    const c = recap(second.output, 'host-c');
    expect(c.failed, second.output.slice(-4000)).toBe(0);
    expect(c.changed).toBe(0);
    expect(readFileSync(join(rootC, 'boot-id'), 'utf8')).toBe(bootC);
    expect(second.output).not.toContain(TOKEN);
    expect(second.output).not.toContain(TENANT);
  });
});
