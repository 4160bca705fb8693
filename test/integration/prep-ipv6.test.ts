import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { sandboxExecLog, type SandboxReply } from '../../main/core/system.js';

afterAll(cleanupRoots);

/** Every file of the target tree (not the sandbox log, not the journals) with its bytes. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      const rel = relative(root, p);
      if (rel === '.sandbox' || rel.startsWith('var/lib/dsa-setup')) continue;
      if (e.isDirectory()) walk(p);
      else out.set(rel, readFileSync(p).toString('base64'));
    }
  };
  walk(root);
  return out;
}

/** The commands that change something (detection queries left out). */
function mutating(root: string): string[] {
  return sandboxExecLog(root)
    .filter(
      (c) =>
        !['firewall-cmd', 'ufw', 'iptables-save', 'nft'].includes(c.command) &&
        !(c.command === 'chkconfig' && c.args[0] === '--list') &&
        !(c.command === 'grubby' && c.args[0] === '--info=ALL'),
    )
    .map((c) => [c.command, ...c.args].join(' '));
}

/** What the tools that change the IPv6 configuration answer on a real machine when they succeed (silent, exit 0). */
const TOOLS_SUCCEED: SandboxReply[] = [
  { command: 'sysctl', args: ['--system'], stdout: '* Applying /etc/sysctl.d/90-dsa-setup-disable-ipv6.conf ...\n' },
  { command: 'sysctl', args: ['-w'] },
  // The running values as `sysctl -n` prints them once revert set them back (IPv6 on everywhere).
  { command: 'sysctl', args: ['-n'], stdout: '0\n0\n0\n' },
  { command: 'grubby', args: ['--update-kernel=ALL'] },
  { command: 'chkconfig', args: ['ip6tables', 'off'] },
  { command: 'chkconfig', args: ['--level', '2345', 'ip6tables', 'on'] },
  {
    command: 'update-grub',
    stderr: "Sourcing file `/etc/default/grub'\nGenerating grub configuration file ...\ndone\n",
  },
  { command: 'grub2-mkconfig', args: ['-o'], stderr: 'Generating grub configuration file ...\ndone\n' },
];

/** The sandbox's canned replies: these first, then the tools that change something succeeding. */
function setReplies(root: string, replies: SandboxReply[] = []): void {
  mkdirSync(join(root, '.sandbox'), { recursive: true });
  writeFileSync(join(root, '.sandbox/exec-replies.json'), JSON.stringify([...replies, ...TOOLS_SUCCEED]));
}

interface PlanJson {
  rebootRequired: boolean;
  steps: {
    id: string;
    upToDate: boolean;
    rebootRequired: boolean;
    notes: { key: string }[];
    changes: (
      | { kind: 'file'; path: string; action: string; diff: string[] }
      | { kind: 'command'; command: string; args: string[] }
    )[];
  }[];
}

const SYSCTL_CONF = '# distribution defaults\r\nkernel.sysrq = 16\r\n';
const DROPIN = 'etc/sysctl.d/90-dsa-setup-disable-ipv6.conf';
const ADDRESSING_READ_BACK =
  'sysctl -n net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.lo.disable_ipv6';
const ADDRESSING_REVERT =
  'sysctl -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.lo.disable_ipv6=0';

describe('IPv6 off, "disable addressing" (sysctl.d drop-in + sysctl --system) on EL7/8/9, Ubuntu 22.04, SLES 15', () => {
  for (const os of ['el7', 'el8', 'el9', 'ubuntu2204', 'sles15'] as const) {
    it(os, async () => {
      const root = makeRoot({
        ...OS_RELEASE[os],
        files: { 'etc/sysctl.conf': SYSCTL_CONF, 'etc/sysctl.d/10-x.conf': 'vm.swappiness = 10\n' },
      });
      setReplies(root);
      const before = snapshot(root);

      const plan = await runCliJson<PlanJson>(['plan', '--root', root, '--disable-ipv6']);
      expect(plan.exitCode).toBe(0);
      const step = plan.json.steps[0]!;
      expect(step.id).toBe('ipv6');
      expect(step.upToDate).toBe(false);
      expect(step.rebootRequired).toBe(false);
      expect(step.notes[0]!.key).toBe('prep.ipv6.method.addressing');
      expect(step.changes).toEqual([
        expect.objectContaining({
          kind: 'file',
          path: '/etc/sysctl.d/90-dsa-setup-disable-ipv6.conf',
          action: 'create',
        }),
        expect.objectContaining({ kind: 'command', command: 'sysctl', args: ['--system'] }),
      ]);
      expect(snapshot(root)).toEqual(before); // plan changes nothing
      expect(mutating(root)).toEqual([]);

      const apply = await runCliJson<{ ok: boolean; rebootRequired: boolean }>([
        'apply',
        '--root',
        root,
        '--disable-ipv6',
        '--yes',
      ]);
      expect(apply.exitCode, apply.stderr).toBe(0);
      expect(apply.json.rebootRequired).toBe(false);
      expect(readFileSync(join(root, DROPIN), 'utf8')).toMatch(
        /^net\.ipv6\.conf\.all\.disable_ipv6 = 1\nnet\.ipv6\.conf\.default\.disable_ipv6 = 1\nnet\.ipv6\.conf\.lo\.disable_ipv6 = 1\n$/m,
      );
      expect(readFileSync(join(root, 'etc/sysctl.conf'), 'utf8')).toBe(SYSCTL_CONF);
      expect(mutating(root)).toEqual(['sysctl --system']);

      const again = await runCliJson<{ runId: string | null }>(['apply', '--root', root, '--disable-ipv6', '--yes']);
      expect(again.exitCode).toBe(0);
      expect(again.json.runId).toBeNull();
      expect(mutating(root)).toEqual(['sysctl --system']); // nothing ran the second time

      const inspect = await runCliJson<{ prep: { ipv6: { configured: string; runtime: string } } }>([
        'inspect',
        '--root',
        root,
      ]);
      expect(inspect.json.prep.ipv6).toMatchObject({ configured: 'off', runtime: 'unknown' });

      const revert = await runCli(['revert', '--root', root, '--yes']);
      expect(revert.exitCode, revert.stderr).toBe(0);
      expect(snapshot(root)).toEqual(before);
      expect(mutating(root)).toEqual(['sysctl --system', ADDRESSING_REVERT, ADDRESSING_READ_BACK]);
    });
  }

  it('puts the runtime values back on revert, and says when a later file overrides the drop-in', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el9,
      files: {
        'etc/sysctl.d/99-local.conf': 'net.ipv6.conf.all.disable_ipv6 = 0\n',
        'proc/sys/net/ipv6/conf/all/disable_ipv6': '0\n',
        'proc/sys/net/ipv6/conf/default/disable_ipv6': '1\n',
        'proc/sys/net/ipv6/conf/lo/disable_ipv6': '0\n',
      },
    });
    setReplies(root, [{ command: 'sysctl', args: ['-n'], stdout: '0\n1\n0\n' }]);
    const plan = await runCliJson<PlanJson>(['plan', '--root', root, '--disable-ipv6', 'addressing']);
    const notes = plan.json.steps[0]!.notes.map((n) => n.key);
    expect(notes).toContain('prep.ipv6.note.overridden');
    const apply = await runCli(['apply', '--root', root, '--disable-ipv6', '--yes']);
    // The runtime (this root's /proc) still says 0, as a later file would make it: not verified.
    expect(apply.exitCode).toBe(1);
    // It says what it saw: the drop-in is as written, a later file sets the value back.
    expect(apply.stdout).toContain('is written as planned, but');
    expect(apply.stdout).not.toContain('not as written');
    const revert = await runCli(['revert', '--root', root, '--yes']);
    expect(revert.exitCode, revert.stderr).toBe(0);
    expect(mutating(root)).toEqual([
      'sysctl --system',
      'sysctl -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=0',
      'sysctl -n net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.lo.disable_ipv6',
    ]);
  });
});

describe('IPv6 off on EL6: the method of the Cloudn manual (modprobe.d option + chkconfig ip6tables off)', () => {
  it('plans, applies (reboot: exit 4), is idempotent, reverts byte-identical', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el6,
      files: { 'etc/modprobe.d/anaconda.conf': 'options floppy allowed_drive_mask=0\n' },
    });
    setReplies(root, [
      {
        command: 'chkconfig',
        args: ['--list', 'ip6tables'],
        stdout: 'ip6tables      \t0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off\n',
      },
    ]);
    const before = snapshot(root);
    const plan = await runCliJson<PlanJson>(['plan', '--root', root, '--disable-ipv6', 'protocol', '--lang', 'ja']);
    const step = plan.json.steps[0]!;
    expect(step.notes.map((n) => n.key)).toEqual(
      expect.arrayContaining(['prep.ipv6.method.module', 'prep.ipv6.note.el6Method']),
    );
    expect(step.rebootRequired).toBe(true);
    expect(step.changes).toEqual([
      expect.objectContaining({
        kind: 'file',
        path: '/etc/modprobe.d/disable-ipv6.conf',
        diff: ['+ options ipv6 disable=1'],
      }),
      expect.objectContaining({ kind: 'command', command: 'chkconfig', args: ['ip6tables', 'off'] }),
    ]);
    const text = await runCli(['plan', '--root', root, '--disable-ipv6', '--lang', 'ja']);
    expect(text.stdout).toContain('Cloudn のマニュアルにある RHEL 6 の方法');
    expect(text.stdout).toContain('再起動');

    const apply = await runCliJson<{ ok: boolean; rebootRequired: boolean }>([
      'apply',
      '--root',
      root,
      '--disable-ipv6',
      '--yes',
    ]);
    expect(apply.exitCode, apply.stderr).toBe(4);
    expect(apply.json).toMatchObject({ ok: true, rebootRequired: true });
    expect(readFileSync(join(root, 'etc/modprobe.d/disable-ipv6.conf'), 'utf8')).toBe('options ipv6 disable=1\n');
    expect(mutating(root)).toEqual(['chkconfig ip6tables off']);

    // What chkconfig did on a real EL6: the service is now off in every runlevel (on again once revert ran).
    setReplies(root, [
      {
        command: 'chkconfig',
        args: ['--list', 'ip6tables'],
        after: ['chkconfig', '--level', '2345', 'ip6tables', 'on'],
        stdout: 'ip6tables      \t0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off\n',
      },
      {
        command: 'chkconfig',
        args: ['--list', 'ip6tables'],
        stdout: 'ip6tables      \t0:off\t1:off\t2:off\t3:off\t4:off\t5:off\t6:off\n',
      },
    ]);
    const again = await runCliJson<{ runId: string | null }>(['apply', '--root', root, '--disable-ipv6', '--yes']);
    expect(again.exitCode).toBe(0);
    expect(again.json.runId).toBeNull();
    expect(mutating(root)).toEqual(['chkconfig ip6tables off']);

    const inspect = await runCliJson<{ prep: { ipv6: { configured: string; modprobeFiles: string[] } } }>([
      'inspect',
      '--root',
      root,
    ]);
    expect(inspect.json.prep.ipv6).toMatchObject({
      configured: 'off',
      modprobeFiles: ['/etc/modprobe.d/disable-ipv6.conf'],
    });

    // Turning the module back on takes effect after a reboot: revert says so (exit 4).
    const revert = await runCli(['revert', '--root', root, '--yes']);
    expect(revert.exitCode, revert.stderr).toBe(4);
    expect(revert.stdout).toContain('takes effect only after a reboot');
    const after = snapshot(root);
    after.delete('.sandbox/exec-replies.json');
    expect(after).toEqual(before);
    expect(existsSync(join(root, 'etc/modprobe.d/disable-ipv6.conf'))).toBe(false);
    expect(mutating(root)).toEqual(['chkconfig ip6tables off', 'chkconfig --level 2345 ip6tables on']);
  });
});

const GRUB_EL =
  'GRUB_TIMEOUT=5\nGRUB_DEFAULT=saved\nGRUB_CMDLINE_LINUX="crashkernel=auto resume=/dev/mapper/rhel-swap rhgb quiet"\nGRUB_ENABLE_BLSCFG=true\n';
const GRUB_UBUNTU =
  'GRUB_DEFAULT=0\nGRUB_TIMEOUT_STYLE=hidden\nGRUB_CMDLINE_LINUX_DEFAULT="quiet splash"\nGRUB_CMDLINE_LINUX=""\n';
const GRUBBY_INFO = (args: string): string =>
  `index=0\nkernel="/boot/vmlinuz-5.14.0-427.el9.x86_64"\nargs="${args}"\nroot="/dev/mapper/rl-root"\ntitle="Rocky Linux (5.14.0-427.el9.x86_64) 9.4"\nindex=1\nkernel="/boot/vmlinuz-0-rescue"\nargs="${args}"\n`;

/** grubby's boot entries without the argument, then, once `grubby --update-kernel=ALL --args` ran, with it. */
const GRUBBY_ADDS: SandboxReply[] = [
  {
    command: 'grubby',
    args: ['--info=ALL'],
    after: ['grubby', '--update-kernel=ALL', '--args'],
    stdout: GRUBBY_INFO('ro crashkernel=auto rhgb quiet ipv6.disable=1'),
  },
  { command: 'grubby', args: ['--info=ALL'], stdout: GRUBBY_INFO('ro crashkernel=auto rhgb quiet') },
];

/** A grub.cfg as update-grub writes it on Ubuntu 22.04 (kernel, recovery and memtest86+ entries). */
const GRUB_CFG = (extra: string): string =>
  [
    '### BEGIN /etc/grub.d/10_linux ###',
    "menuentry 'Ubuntu' --class ubuntu --class gnu-linux --class gnu --class os $menuentry_id_option 'gnulinux-simple-x' {",
    `\tlinux\t/boot/vmlinuz-5.15.0-91-generic root=UUID=0b1c ro ${extra} quiet splash $vt_handoff`,
    '\tinitrd\t/boot/initrd.img-5.15.0-91-generic',
    '}',
    "\tmenuentry 'Ubuntu, with Linux 5.15.0-91-generic (recovery mode)' --class ubuntu $menuentry_id_option 'x' {",
    `\t\tlinux\t/boot/vmlinuz-5.15.0-91-generic root=UUID=0b1c ro recovery nomodeset dis_ucode_ldr ${extra}`,
    '\t}',
    '### BEGIN /etc/grub.d/20_memtest86+ ###',
    "menuentry 'Memory test (memtest86+.bin)' {",
    '\tlinux16\t/boot/memtest86+.bin',
    '}',
    '',
  ].join('\n');

describe('IPv6 off, "disable the protocol": the boot configuration is read back, not the tool\'s exit code', () => {
  it('EL9: grubby exits 0 but lists the kernels without ipv6.disable=1: not applied (exit 1), naming them', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, files: { 'etc/default/grub': GRUB_EL } });
    setReplies(root, [
      { command: 'grubby', args: ['--info=ALL'], stdout: GRUBBY_INFO('ro crashkernel=auto rhgb quiet') },
    ]);
    const apply = await runCli(['apply', '--root', root, '--disable-ipv6', 'protocol', '--yes']);
    expect(apply.exitCode, apply.stderr).toBe(1);
    expect(apply.stdout).toContain('still lists 2 of 2 boot entries without ipv6.disable=1');
    expect(apply.stdout).toContain('/boot/vmlinuz-5.14.0-427.el9.x86_64, /boot/vmlinuz-0-rescue');
    // grubby that lists nothing (exit 1, as when it finds no boot loader): unknown, never applied.
    const root2 = makeRoot({ ...OS_RELEASE.el8, files: { 'etc/default/grub': GRUB_EL } });
    setReplies(root2, [
      {
        command: 'grubby',
        args: ['--info=ALL'],
        exitCode: 1,
        stderr: 'grubby fatal error: unable to find a suitable template\n',
      },
    ]);
    const ja = await runCli(['apply', '--root', root2, '--disable-ipv6', 'protocol', '--yes', '--lang', 'ja']);
    expect(ja.exitCode, ja.stderr).toBe(1);
    expect(ja.stdout).toContain('grubby がブートエントリを何も表示しませんでした(終了コード 1:grubby fatal error');
  });

  for (const [os, regen, cfg] of [
    ['ubuntu2204', 'update-grub', 'boot/grub/grub.cfg'],
    ['sles15', 'grub2-mkconfig', 'boot/grub2/grub.cfg'],
  ] as const) {
    it(`${os}: ${regen} exits 0 but grub.cfg lacks the argument (or is not there): not applied (exit 1)`, async () => {
      const root = makeRoot({ ...OS_RELEASE[os], files: { 'etc/default/grub': GRUB_UBUNTU, [cfg]: GRUB_CFG('') } });
      setReplies(root, [
        { command: 'grub-mkconfig', args: ['--version'], stdout: 'grub-mkconfig (GRUB) 2.06-2ubuntu7.2\n' },
        { command: 'grub2-mkconfig', args: ['--version'], stdout: 'grub2-mkconfig (GRUB2) 2.06\n' },
      ]);
      const apply = await runCli(['apply', '--root', root, '--disable-ipv6', 'protocol', '--yes']);
      expect(apply.exitCode, apply.stderr).toBe(1);
      // The memtest86+ entry never carries kernel arguments: 2 kernel entries, not 3.
      expect(apply.stdout).toContain(`/${cfg} still boots 2 of its 2 kernel entries without ipv6.disable=1`);
      const bare = makeRoot({ ...OS_RELEASE[os], files: { 'etc/default/grub': GRUB_UBUNTU } });
      setReplies(bare, [
        { command: 'grub-mkconfig', args: ['--version'], stdout: 'grub-mkconfig (GRUB) 2.06-2ubuntu7.2\n' },
        { command: 'grub2-mkconfig', args: ['--version'], stdout: 'grub2-mkconfig (GRUB2) 2.06\n' },
      ]);
      const none = await runCli(['apply', '--root', bare, '--disable-ipv6', 'protocol', '--yes']);
      expect(none.exitCode, none.stderr).toBe(1);
      expect(none.stdout).toContain(`/${cfg} lists no Linux kernel after`);
    });
  }
});

describe('IPv6 off, "disable the protocol" (kernel argument ipv6.disable=1)', () => {
  for (const os of ['el7', 'el8', 'el9'] as const) {
    it(`${os}: grubby --update-kernel=ALL --args and GRUB_CMDLINE_LINUX`, async () => {
      const root = makeRoot({ ...OS_RELEASE[os], files: { 'etc/default/grub': GRUB_EL } });
      setReplies(root, GRUBBY_ADDS);
      const before = snapshot(root);
      const plan = await runCliJson<PlanJson>(['plan', '--root', root, '--disable-ipv6', 'protocol']);
      const step = plan.json.steps[0]!;
      expect(step.notes[0]!.key).toBe('prep.ipv6.method.protocol');
      expect(plan.json.rebootRequired).toBe(true);
      expect(step.changes).toEqual([
        expect.objectContaining({
          kind: 'file',
          path: '/etc/default/grub',
          action: 'modify',
          diff: [
            '- GRUB_CMDLINE_LINUX="crashkernel=auto resume=/dev/mapper/rhel-swap rhgb quiet"',
            '+ GRUB_CMDLINE_LINUX="crashkernel=auto resume=/dev/mapper/rhel-swap rhgb quiet ipv6.disable=1"',
          ],
        }),
        expect.objectContaining({
          kind: 'command',
          command: 'grubby',
          args: ['--update-kernel=ALL', '--args', 'ipv6.disable=1'],
        }),
      ]);
      const apply = await runCli(['apply', '--root', root, '--disable-ipv6', 'protocol', '--yes']);
      expect(apply.exitCode, apply.stderr).toBe(4);
      expect(apply.stdout).toMatch(/reboot/i);
      expect(mutating(root)).toEqual(['grubby --update-kernel=ALL --args ipv6.disable=1']);
      setReplies(root, [
        // What grubby lists once revert removed the argument again (revert reads it back).
        {
          command: 'grubby',
          args: ['--info=ALL'],
          after: ['grubby', '--update-kernel=ALL', '--remove-args'],
          stdout: GRUBBY_INFO('ro crashkernel=auto rhgb quiet'),
        },
        {
          command: 'grubby',
          args: ['--info=ALL'],
          stdout: GRUBBY_INFO('ro crashkernel=auto rhgb quiet ipv6.disable=1'),
        },
      ]);
      const again = await runCliJson<{ runId: string | null }>([
        'apply',
        '--root',
        root,
        '--disable-ipv6',
        'protocol',
        '--yes',
      ]);
      expect(again.exitCode).toBe(0);
      expect(again.json.runId).toBeNull();

      // inspect before the reboot (the kernel still runs with IPv6), then after it (booted with ipv6.disable=1).
      mkdirSync(join(root, 'proc/sys/net/ipv6/conf/all'), { recursive: true });
      writeFileSync(join(root, 'proc/cmdline'), 'BOOT_IMAGE=/vmlinuz ro crashkernel=auto rhgb quiet\n');
      writeFileSync(join(root, 'proc/sys/net/ipv6/conf/all/disable_ipv6'), '0\n');
      const pending = await runCliJson<{ prep: { ipv6: Record<string, unknown> } }>(['inspect', '--root', root]);
      expect(pending.json.prep.ipv6).toMatchObject({ runtime: 'on', configured: 'off', rebootPending: true });
      expect((await runCli(['inspect', '--root', root])).stdout).toMatch(/IPv6\s+on — off after the next reboot/);
      writeFileSync(join(root, 'proc/cmdline'), 'BOOT_IMAGE=/vmlinuz ro crashkernel=auto rhgb quiet ipv6.disable=1\n');
      rmSync(join(root, 'proc/sys/net'), { recursive: true });
      const rebooted = await runCliJson<{ prep: { ipv6: Record<string, unknown> } }>(['inspect', '--root', root]);
      expect(rebooted.json.prep.ipv6).toMatchObject({ runtime: 'off', cmdlineDisabled: true, rebootPending: false });
      rmSync(join(root, 'proc'), { recursive: true });

      const revert = await runCli(['revert', '--root', root, '--yes']);
      expect(revert.exitCode, revert.stderr).toBe(0);
      const after = snapshot(root);
      after.delete('.sandbox/exec-replies.json');
      before.delete('.sandbox/exec-replies.json');
      expect(after).toEqual(before);
      expect(mutating(root)).toEqual([
        'grubby --update-kernel=ALL --args ipv6.disable=1',
        'grubby --update-kernel=ALL --remove-args ipv6.disable=1',
      ]);
    });
  }

  for (const [os, regen, probe, version] of [
    ['ubuntu2204', 'update-grub', 'grub-mkconfig --version', 'grub-mkconfig (GRUB) 2.06-2ubuntu7.2\n'],
    ['sles15', 'grub2-mkconfig -o /boot/grub2/grub.cfg', 'grub2-mkconfig --version', 'grub2-mkconfig (GRUB2) 2.06\n'],
  ] as const) {
    it(`${os}: GRUB_CMDLINE_LINUX + ${regen}; revert regenerates from the restored file`, async () => {
      const root = makeRoot({ ...OS_RELEASE[os], files: { 'etc/default/grub': GRUB_UBUNTU } });
      const [tool, ...args] = probe.split(' ');
      const cfg = os === 'ubuntu2204' ? 'boot/grub/grub.cfg' : 'boot/grub2/grub.cfg';
      const [regenTool, ...regenArgs] = regen.split(' ');
      // The regeneration writes grub.cfg from /etc/default/grub, as the real tool does.
      setReplies(root, [
        { command: tool!, args, stdout: version },
        { command: regenTool!, args: regenArgs, writes: { [cfg]: GRUB_CFG('ipv6.disable=1') } },
      ]);
      const mode = statSync(join(root, 'etc/default/grub')).mode;
      const before = snapshot(root);
      const apply = await runCli(['apply', '--root', root, '--disable-ipv6', 'protocol', '--yes']);
      expect(apply.exitCode, apply.stderr).toBe(4);
      expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toContain('GRUB_CMDLINE_LINUX="ipv6.disable=1"\n');
      expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toContain(
        'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"\n',
      );
      expect(mutating(root)).toEqual([probe, regen]);
      const again = await runCliJson<{ runId: string | null }>([
        'apply',
        '--root',
        root,
        '--disable-ipv6',
        'protocol',
        '--yes',
      ]);
      expect(again.json.runId).toBeNull();
      const revert = await runCli(['revert', '--root', root, '--yes']);
      expect(revert.exitCode, revert.stderr).toBe(0);
      const after = snapshot(root);
      after.delete(cfg); // regenerated by the (canned) tool on revert as well
      expect(after).toEqual(before);
      expect(statSync(join(root, 'etc/default/grub')).mode).toBe(mode);
      expect(mutating(root)).toEqual([probe, regen, regen]);
    });
  }
});

describe('IPv6 revert reads the undo back: "reverted" only when the old state is there again', () => {
  it('sysctl -w exits 0 but the running values still say off: NOT fully reverted (exit 1), naming what it read', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, files: { 'etc/sysctl.conf': SYSCTL_CONF } });
    // As when another agent (a tuned profile, a container's read-only /proc/sys) keeps the values.
    setReplies(root, [{ command: 'sysctl', args: ['-n'], stdout: '1\n1\n1\n' }]);
    const apply = await runCli(['apply', '--root', root, '--disable-ipv6', '--yes']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const revert = await runCli(['revert', '--root', root, '--yes']);
    expect(revert.exitCode, revert.stdout).toBe(1);
    const out = revert.stdout + revert.stderr;
    expect(out).toContain('NOT fully reverted');
    expect(out).toContain(`${ADDRESSING_REVERT} (${ADDRESSING_READ_BACK}: 1 | 1 | 1)`);
    expect(out).not.toMatch(/\breverted run\b|^reverted/im);
  });

  it('EL6: chkconfig exits 0 but ip6tables stays off in runlevels 3 and 5: NOT fully reverted, the file restored', async () => {
    const root = makeRoot({ ...OS_RELEASE.el6 });
    setReplies(root, [
      // On in 3 and 5 only before; off everywhere after apply, and still so after revert's chkconfig.
      {
        command: 'chkconfig',
        args: ['--list', 'ip6tables'],
        after: ['chkconfig', 'ip6tables', 'off'],
        stdout: 'ip6tables      \t0:off\t1:off\t2:off\t3:off\t4:off\t5:off\t6:off\n',
      },
      {
        command: 'chkconfig',
        args: ['--list', 'ip6tables'],
        stdout: 'ip6tables      \t0:off\t1:off\t2:off\t3:on\t4:off\t5:on\t6:off\n',
      },
      { command: 'chkconfig', args: ['--level', '35', 'ip6tables', 'on'] },
    ]);
    const apply = await runCli(['apply', '--root', root, '--disable-ipv6', '--yes']);
    expect(apply.exitCode, apply.stderr).toBe(4);
    const revert = await runCli(['revert', '--root', root, '--yes']);
    expect(revert.exitCode, revert.stdout).toBe(1);
    expect(revert.stdout + revert.stderr).toContain(
      'chkconfig --level 35 ip6tables on (chkconfig --list ip6tables: ip6tables 0:off 1:off 2:off 3:off 4:off 5:off 6:off)',
    );
    expect(existsSync(join(root, 'etc/modprobe.d/disable-ipv6.conf'))).toBe(false);
  });

  it('grubby --remove-args exits 0 but --info=ALL still lists ipv6.disable=1: NOT fully reverted (exit 1)', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, files: { 'etc/default/grub': GRUB_EL } });
    setReplies(root, GRUBBY_ADDS);
    const apply = await runCli(['apply', '--root', root, '--disable-ipv6', 'protocol', '--yes']);
    expect(apply.exitCode, apply.stderr).toBe(4);
    const revert = await runCli(['revert', '--root', root, '--yes', '--lang', 'ja']);
    expect(revert.exitCode, revert.stdout).toBe(1);
    const out = revert.stdout + revert.stderr;
    expect(out).toContain('grubby --update-kernel=ALL --remove-args ipv6.disable=1 (grubby --info=ALL:');
    // /etc/default/grub is restored all the same (read back byte for byte).
    expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toBe(GRUB_EL);
  });
});
