import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecResult, Executor } from '../../main/core/exec.js';
import { createSystemContext } from '../../main/core/system.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import {
  addGrubKernelArg,
  detectIpv6,
  grubCmdline,
  modprobeDisablesIpv6,
  parseSysctlConf,
  SYSCTL_DROPIN,
  sysctlDropinText,
} from '../../main/core/prep/ipv6.js';
import { grubCfgHasArg, ipv6Step, parseChkconfigList, parseGrubbyInfo } from '../../main/core/prep/ipv6Step.js';
import { detectFirewall, parseIptablesSave, parseNftRuleset, parseUfwStatus } from '../../main/core/prep/firewall.js';
import { firewalldCommands, iptablesCommand, parseNftHandle, ufwCommand } from '../../main/core/prep/firewallStep.js';
import { firewallRules, parseAllowTargets, resolveAllowTargets } from '../../main/core/prep/requests.js';
import { stepRequests } from '../../main/core/steps/requests.js';
import { buildPlan } from '../../main/core/engine/plan.js';
import { applyPlan } from '../../main/core/engine/apply.js';
import { revertRun } from '../../main/core/engine/revert.js';
import { DsaError } from '../../main/core/errors.js';
import { translator } from '../../main/core/i18n.js';
import { inspectPrep } from '../../main/core/prep/inspectPrep.js';

afterAll(cleanupRoots);

describe('IPv6 configuration parsers', () => {
  it('modprobe.d: options / blacklist / install /bin/true disable the module; comments do not', () => {
    expect(modprobeDisablesIpv6('options ipv6 disable=1\n')).toBe(true);
    expect(modprobeDisablesIpv6('options ipv6 autoconf=0 disable=1\n')).toBe(true);
    expect(modprobeDisablesIpv6('install ipv6 /bin/true\n')).toBe(true);
    expect(modprobeDisablesIpv6('# options ipv6 disable=1\noptions ipv6 disable=0\n')).toBe(false);
  });

  it('sysctl.conf: keys with dots or slashes, spaces, comments, CRLF', () => {
    expect(
      parseSysctlConf(
        '/etc/sysctl.conf',
        '; c\r\n# c\r\nnet.ipv6.conf.all.disable_ipv6=1\r\nnet/ipv6/conf/lo/disable_ipv6 = 0\r\nvm.x = 1\r\n',
      ),
    ).toEqual([
      { path: '/etc/sysctl.conf', line: 3, key: 'net.ipv6.conf.all.disable_ipv6', value: '1' },
      { path: '/etc/sysctl.conf', line: 4, key: 'net.ipv6.conf.lo.disable_ipv6', value: '0' },
    ]);
  });

  it('GRUB_CMDLINE_LINUX: appends the argument keeping quoting, CRLF and every other line', () => {
    expect(addGrubKernelArg('GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="rhgb quiet"\n')).toBe(
      'GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="rhgb quiet ipv6.disable=1"\n',
    );
    expect(addGrubKernelArg("GRUB_CMDLINE_LINUX=''\r\nX=1\r\n")).toBe("GRUB_CMDLINE_LINUX='ipv6.disable=1'\r\nX=1\r\n");
    expect(addGrubKernelArg('GRUB_TIMEOUT=5')).toBe('GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="ipv6.disable=1"\n');
    const done = 'GRUB_CMDLINE_LINUX="quiet ipv6.disable=1"\n';
    expect(addGrubKernelArg(done)).toBe(done);
    expect(grubCmdline(done)).toBe('quiet ipv6.disable=1');
  });

  it('chkconfig --list, grubby --info=ALL, grub.cfg', () => {
    expect(parseChkconfigList('ip6tables      \t0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off\n')).toEqual({
      levels: ['2', '3', '4', '5'],
      known: true,
    });
    expect(parseGrubbyInfo('index=0\nkernel="/boot/vmlinuz"\nargs="ro quiet"\nindex=1\nargs="ro"\n')).toEqual([
      'ro quiet',
      'ro',
    ]);
    expect(grubCfgHasArg('menuentry x {\n\tlinux /vmlinuz root=/dev/sda1 ro quiet ipv6.disable=1\n}\n')).toBe(true);
    expect(grubCfgHasArg('\tlinux /vmlinuz ro ipv6.disable=1\n\tlinux /vmlinuz.old ro\n')).toBe(false);
  });

  it('detects runtime, module, kernel command line and configuration from the target tree', async () => {
    const on = makeRoot({
      ...OS_RELEASE.el9,
      files: {
        'proc/cmdline': 'BOOT_IMAGE=/vmlinuz root=/dev/mapper/rl-root ro\n',
        'proc/sys/net/ipv6/conf/all/disable_ipv6': '0\n',
        'proc/sys/net/ipv6/conf/default/disable_ipv6': '0\n',
        'proc/sys/net/ipv6/conf/lo/disable_ipv6': '0\n',
        'proc/modules': 'ipv6 577536 40 - Live 0x0000000000000000\n',
        'sys/module/ipv6/initstate': 'live\n',
        'etc/modprobe.d/disable-ipv6.conf': 'options ipv6 disable=1\n',
      },
    });
    const s = await detectIpv6(createSystemContext({ root: on }));
    expect(s).toMatchObject({
      runtime: 'on',
      configured: 'off',
      module: 'loaded',
      cmdlineDisabled: false,
      rebootPending: true,
      modprobeFiles: ['/etc/modprobe.d/disable-ipv6.conf'],
    });
    const off = makeRoot({
      ...OS_RELEASE.el9,
      files: {
        'proc/cmdline': 'ro ipv6.disable=1 quiet\n',
        'proc/sys/kernel/osrelease': '5.14\n',
        'sys/module/ipv6/x': '',
      },
    });
    expect(await detectIpv6(createSystemContext({ root: off }))).toMatchObject({
      runtime: 'off',
      cmdlineDisabled: true,
      module: 'builtin',
      reasons: [{ key: 'prep.ipv6.why.cmdline', params: {} }],
    });
  });
});

describe('IPv6 addressing plan: files read after the drop-in', () => {
  it('names /etc/sysctl.conf (read last) but not an earlier distribution file', async () => {
    const root = makeRoot({
      ...OS_RELEASE.ubuntu2204,
      files: {
        'usr/lib/sysctl.d/10-ipv6-default.conf': 'net.ipv6.conf.all.disable_ipv6 = 0\n',
        'etc/sysctl.conf': '# local\nnet.ipv6.conf.default.disable_ipv6 = 0\n',
      },
    });
    const plan = await buildPlan(createSystemContext({ root }), [{ stepId: 'ipv6', input: { method: 'addressing' } }]);
    expect(plan.steps[0]!.notes.filter((n) => n.key === 'prep.ipv6.note.overridden')).toEqual([
      {
        key: 'prep.ipv6.note.overridden',
        params: { file: '/etc/sysctl.conf', line: 2, key: 'net.ipv6.conf.default.disable_ipv6' },
      },
    ]);
  });
});

describe('IPv6 on RHEL 7+: where the plan departs from the Cloudn manual, and a read-back that says what it saw', () => {
  const en = translator('en');
  it("RHEL 8 says the manual's modprobe method is for RHEL 6 and what it does instead; Ubuntu has no such note", async () => {
    const el8 = makeRoot({ ...OS_RELEASE.el8, files: { 'proc/sys/net/ipv6/conf/all/disable_ipv6': '0\n' } });
    for (const method of ['addressing', 'protocol'] as const) {
      const plan = await buildPlan(createSystemContext({ root: el8 }), [{ stepId: 'ipv6', input: { method } }]);
      const note = plan.steps[0]!.notes.find((n) => n.key.startsWith('prep.ipv6.note.manualRhel6'));
      expect(note, method).toBeDefined();
      const text = en(note!.key, note!.params);
      expect(text).toContain('is for RHEL 6: on Red Hat Enterprise Linux 8.10 (Ootpa) IPv6 is built into the kernel');
      expect(text).toContain(method === 'protocol' ? 'equal to the manual' : 'The "protocol" method');
    }
    const ubuntu = makeRoot({ ...OS_RELEASE.ubuntu2204 });
    const plan = await buildPlan(createSystemContext({ root: ubuntu }), [
      { stepId: 'ipv6', input: { method: 'addressing' } },
    ]);
    expect(plan.steps[0]!.notes.some((n) => n.key.startsWith('prep.ipv6.note.manualRhel6'))).toBe(false);
  });

  it('the drop-in as written but IPv6 still on in the running kernel: "written; takes effect after sysctl --system"', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el8,
      files: {
        'proc/sys/net/ipv6/conf/all/disable_ipv6': '0\n',
        [SYSCTL_DROPIN.slice(1)]: sysctlDropinText(),
      },
    });
    const v = await ipv6Step.verify(createSystemContext({ root }), { method: 'addressing' });
    expect(v.ok).toBe(false);
    expect(v.detail.key).toBe('prep.ipv6.writtenNotRunning');
    const text = en(v.detail.key, v.detail.params);
    expect(text).toContain('is written as planned');
    expect(text).toContain('after `sysctl --system`');
    expect(text).not.toContain('not as written');
  });
});

describe('IPv6 addressing when another sysctl file names a key this kernel lacks', () => {
  it('sysctl --system exits 1 for that other file yet sets ours: read back off, applied (not blamed on our step)', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el8,
      files: {
        'proc/sys/net/ipv6/conf/all/disable_ipv6': '0\n',
        'proc/sys/net/ipv6/conf/default/disable_ipv6': '0\n',
        'proc/sys/net/ipv6/conf/lo/disable_ipv6': '0\n',
        // Kubernetes hosts: set before br_netfilter is loaded, this key does not exist yet.
        'etc/sysctl.d/99-kubernetes-cri.conf': 'net.bridge.bridge-nf-call-iptables = 1\n',
      },
    });
    const exec: Executor = {
      run: async (c, a) => {
        if (c === 'sysctl' && a[0] === '--system') {
          // What procps-ng does: every line it can apply is applied, and the run still exits 1.
          for (const k of ['all', 'default', 'lo'])
            writeFileSync(join(root, `proc/sys/net/ipv6/conf/${k}/disable_ipv6`), '1\n');
          return {
            ...ok(c, a, '* Applying /etc/sysctl.d/90-dsa-setup-disable-ipv6.conf ...\n', 1),
            stderr: 'sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory\n',
          };
        }
        return { ...ok(c, a), exitCode: null, notFound: true };
      },
      runReal: async (c, a) => ok(c, a),
    };
    const sys = createSystemContext({ root, exec });
    const plan = await buildPlan(sys, [{ stepId: 'ipv6', input: { method: 'addressing' } }]);
    const out = await applyPlan(sys, plan);
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: true });
    expect(out.ok).toBe(true);
  });
});

describe('IPv6 on EL6 with an existing modprobe file', () => {
  it('appends the option to it and revert restores its exact bytes', async () => {
    const original = '# local settings\r\nalias net-pf-10 off';
    const root = makeRoot({ ...OS_RELEASE.el6, files: { 'etc/modprobe.d/disable-ipv6.conf': original } });
    const sys = createSystemContext({ root });
    const plan = await buildPlan(sys, [{ stepId: 'ipv6', input: { method: 'addressing' } }]);
    expect(plan.steps[0]!.changes[0]).toMatchObject({ action: 'modify', diff: ['+ options ipv6 disable=1'] });
    const out = await applyPlan(sys, plan);
    expect(out).toMatchObject({ ok: true, rebootRequired: true });
    const file = join(root, 'etc/modprobe.d/disable-ipv6.conf');
    expect(readFileSync(file, 'utf8')).toBe(`${original}\noptions ipv6 disable=1\n`);
    await revertRun(sys, out.runId!);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });
});

const NFT_JSON = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', json_schema_version: 1 } },
    { table: { family: 'inet', name: 'f', handle: 1 } },
    {
      chain: {
        family: 'inet',
        table: 'f',
        name: 'o',
        handle: 1,
        type: 'filter',
        hook: 'output',
        prio: 0,
        policy: 'accept',
      },
    },
    {
      chain: {
        family: 'inet',
        table: 'f',
        name: 'i',
        handle: 2,
        type: 'filter',
        hook: 'input',
        prio: 0,
        policy: 'accept',
      },
    },
    {
      rule: {
        family: 'inet',
        table: 'f',
        chain: 'o',
        handle: 3,
        comment: 'dsa-setup/out/tcp/127.0.0.1/4120',
        expr: [
          { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 4120 } },
          { accept: null },
        ],
      },
    },
    { rule: { family: 'inet', table: 'f', chain: 'o', handle: 4, expr: [{ drop: null }] } },
  ],
});

const UFW_STATUS = `Status: active
Logging: on (low)
Default: deny (incoming), deny (outgoing), disabled (routed)
New profiles: skip

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW IN    Anywhere
203.0.113.10 4120/tcp      ALLOW OUT   Anywhere                   # dsa-setup/out/tcp/203.0.113.10/4120
`;

const IPTABLES_SAVE = `# Generated by iptables-save v1.8.9 on Mon Nov 23 10:00:00 2026
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT DROP [0:0]
-A OUTPUT -o lo -j ACCEPT
-A OUTPUT -d 203.0.113.10/32 -p tcp -m tcp --dport 4120 -m comment --comment "dsa-setup/out/tcp/203.0.113.10/4120" -j ACCEPT
COMMIT
`;

describe('firewall parsers', () => {
  it('nft -j list ruleset: a chain with a drop rule filters; our rules by comment and handle', () => {
    expect(parseNftRuleset(NFT_JSON)).toEqual({
      chains: [{ family: 'inet', table: 'f', name: 'o', hook: 'output', policy: 'accept' }],
      tagged: [{ tag: 'dsa-setup/out/tcp/127.0.0.1/4120', where: 'inet f o', handle: 3 }],
      accepts: [{ where: 'inet f o', port: 4120, field: null, address: null }],
    });
    expect(parseNftHandle('insert rule inet f o ip daddr 1.2.3.4 tcp dport 4120 accept # handle 7\n')).toBe(7);
  });

  it('ufw status verbose and iptables-save', () => {
    expect(parseUfwStatus(UFW_STATUS)).toEqual({
      active: true,
      denyIncoming: true,
      denyOutgoing: true,
      tagged: [{ tag: 'dsa-setup/out/tcp/203.0.113.10/4120', where: 'ufw' }],
    });
    expect(parseUfwStatus('Status: inactive\n').active).toBe(false);
    expect(parseIptablesSave(IPTABLES_SAVE)).toEqual({
      inbound: false,
      outbound: true,
      tagged: [{ tag: 'dsa-setup/out/tcp/203.0.113.10/4120', where: 'OUTPUT' }],
      accepts: [{ where: 'OUTPUT', port: 4120, field: 'daddr', address: '203.0.113.10' }],
    });
  });

  it("an opening the ruleset already accepts (the admin's own rule) is not added again, and inspect calls it allowed", async () => {
    const ruleset = JSON.stringify({
      nftables: [
        { table: { family: 'inet', name: 'filter', handle: 1 } },
        { chain: { family: 'inet', table: 'filter', name: 'output', type: 'filter', hook: 'output', policy: 'drop' } },
        {
          rule: {
            family: 'inet',
            table: 'filter',
            chain: 'output',
            handle: 5,
            expr: [
              { match: { op: 'in', left: { ct: { key: 'state' } }, right: ['established', 'related'] } },
              { accept: null },
            ],
          },
        },
        {
          rule: {
            family: 'inet',
            table: 'filter',
            chain: 'output',
            handle: 6,
            expr: [
              {
                match: {
                  op: '==',
                  left: { payload: { protocol: 'tcp', field: 'dport' } },
                  right: { set: [443, 4122] },
                },
              },
              { counter: { packets: 0, bytes: 0 } },
              { accept: null },
            ],
          },
        },
      ],
    });
    const exec: Executor = {
      run: async (c, a) => (c === 'nft' ? ok(c, a, ruleset) : { ...ok(c, a), exitCode: null, notFound: true }),
      runReal: async (c, a) => ok(c, a),
    };
    const sys = createSystemContext({ root: makeRoot(OS_RELEASE.el9), exec });
    const plan = await buildPlan(sys, [
      {
        stepId: 'firewall',
        input: {
          rules: [4120, 4122].map((port) => ({ direction: 'out', address: '203.0.113.10', port })),
        },
      },
    ]);
    const step = plan.steps[0]!;
    expect(step.changes.map((c) => (c.kind === 'command' ? c.args.slice(-4) : []))).toEqual([
      ['4120', 'accept', 'comment', '"dsa-setup/out/tcp/203.0.113.10/4120"'],
    ]);
    expect(step.notes).toContainEqual({
      key: 'prep.fw.note.alreadyAllowed',
      params: { address: '203.0.113.10', port: 4122, where: 'inet filter output' },
    });
    const ports = (await inspectPrep(sys)).firewall.ports;
    expect(ports.filter((p) => p.direction === 'out')).toEqual([
      { direction: 'out', port: 4120, allowed: false },
      { direction: 'out', port: 4122, allowed: true },
      { direction: 'out', port: 443, allowed: true },
    ]);
  });

  it('exact command arrays (and undo) for firewalld, ufw, iptables/ip6tables', () => {
    const rich = 'rule family="ipv4" source address="203.0.113.10" port port="4118" protocol="tcp" accept';
    expect(firewalldCommands({ direction: 'in', address: '203.0.113.10', port: 4118 })).toMatchObject([
      {
        command: 'firewall-cmd',
        args: [`--add-rich-rule=${rich}`],
        revert: { command: 'firewall-cmd', args: [`--remove-rich-rule=${rich}`] },
      },
      {
        command: 'firewall-cmd',
        args: ['--permanent', `--add-rich-rule=${rich}`],
        revert: { command: 'firewall-cmd', args: ['--permanent', `--remove-rich-rule=${rich}`] },
      },
    ]);
    expect(ufwCommand({ direction: 'out', address: '203.0.113.10', port: 4122 })).toMatchObject({
      command: 'ufw',
      args: [
        'allow',
        'out',
        'proto',
        'tcp',
        'to',
        '203.0.113.10',
        'port',
        '4122',
        'comment',
        'dsa-setup/out/tcp/203.0.113.10/4122',
      ],
      revert: {
        command: 'ufw',
        args: ['delete', 'allow', 'out', 'proto', 'tcp', 'to', '203.0.113.10', 'port', '4122'],
      },
    });
    expect(iptablesCommand({ direction: 'out', address: '2001:db8::5', port: 443 })).toMatchObject({
      command: 'ip6tables',
      args: [
        '-I',
        'OUTPUT',
        '-p',
        'tcp',
        '-d',
        '2001:db8::5',
        '--dport',
        '443',
        '-m',
        'comment',
        '--comment',
        'dsa-setup/out/tcp/2001:db8::5/443',
        '-j',
        'ACCEPT',
      ],
      revert: {
        command: 'ip6tables',
        args: [
          '-D',
          'OUTPUT',
          '-p',
          'tcp',
          '-d',
          '2001:db8::5',
          '--dport',
          '443',
          '-m',
          'comment',
          '--comment',
          'dsa-setup/out/tcp/2001:db8::5/443',
          '-j',
          'ACCEPT',
        ],
      },
    });
  });
});

const ok = (command: string, args: readonly string[], stdout = '', exitCode = 0): ExecResult => ({
  command,
  args: [...args],
  exitCode,
  stdout,
  stderr: '',
  timedOut: false,
  notFound: false,
  ms: 0,
});

/**
 * A stand-in firewall tool with two states: its status output before the openings and after them. A command
 * that adds flips it to "after", its undo back to "before" — what the real tool's state does.
 */
function flipFirewall(
  tool: string,
  before: Record<string, string>,
  after: Record<string, string>,
  isUndo: (a: readonly string[]) => boolean,
) {
  const calls: string[][] = [];
  let state = before;
  const exec: Executor = {
    run: async (c, a) => {
      calls.push([c, ...a]);
      const key = [c, ...a].join(' ');
      if (key in state) return ok(c, a, state[key]);
      if (c === tool) {
        state = isUndo(a) ? before : after;
        return ok(c, a);
      }
      return { ...ok(c, a), exitCode: null, notFound: true };
    },
    runReal: async (c, a) => ok(c, a),
  };
  return { exec, calls: () => calls.filter((x) => x[0] === tool && !(x.join(' ') in before)) };
}

describe('firewall step apply → verify → revert with the tool answering before/after', () => {
  const rules = [
    { direction: 'out' as const, address: '203.0.113.10', port: 4120 },
    { direction: 'in' as const, address: '203.0.113.10', port: 4118 },
  ];

  it('ufw (deny incoming and outgoing): both openings; revert deletes exactly those', async () => {
    const before = { 'ufw status verbose': UFW_STATUS.replace(/^203.*$/m, '') };
    const after = {
      'ufw status verbose':
        UFW_STATUS +
        '203.0.113.10 4118/tcp      ALLOW IN    203.0.113.10                # dsa-setup/in/tcp/203.0.113.10/4118\n',
    };
    const f = flipFirewall('ufw', before, after, (a) => a[0] === 'delete');
    const sys = createSystemContext({ root: makeRoot(OS_RELEASE.ubuntu2204), exec: f.exec });
    const plan = await buildPlan(sys, [{ stepId: 'firewall', input: { rules } }]);
    const out = await applyPlan(sys, plan);
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: true });
    expect(f.calls()).toEqual([
      [
        'ufw',
        'allow',
        'out',
        'proto',
        'tcp',
        'to',
        '203.0.113.10',
        'port',
        '4120',
        'comment',
        'dsa-setup/out/tcp/203.0.113.10/4120',
      ],
      [
        'ufw',
        'allow',
        'in',
        'proto',
        'tcp',
        'from',
        '203.0.113.10',
        'to',
        'any',
        'port',
        '4118',
        'comment',
        'dsa-setup/in/tcp/203.0.113.10/4118',
      ],
    ]);
    await revertRun(sys, out.runId!);
    expect(f.calls().slice(2)).toEqual([
      ['ufw', 'delete', 'allow', 'in', 'proto', 'tcp', 'from', '203.0.113.10', 'to', 'any', 'port', '4118'],
      ['ufw', 'delete', 'allow', 'out', 'proto', 'tcp', 'to', '203.0.113.10', 'port', '4120'],
    ]);
  });

  it('firewalld: inbound 4118 as a rich rule, runtime and permanent; outbound left as firewalld does not filter it', async () => {
    const rich = 'rule family="ipv4" source address="203.0.113.10" port port="4118" protocol="tcp" accept';
    const before = {
      'firewall-cmd --state': 'running\n',
      'firewall-cmd --list-rich-rules': '',
      'firewall-cmd --permanent --list-rich-rules': '',
    };
    const after = {
      ...before,
      'firewall-cmd --list-rich-rules': rich + '\n',
      'firewall-cmd --permanent --list-rich-rules': rich + '\n',
    };
    const f = flipFirewall('firewall-cmd', before, after, (a) => a.some((x) => x.startsWith('--remove')));
    const sys = createSystemContext({ root: makeRoot(OS_RELEASE.el9), exec: f.exec });
    const s = await detectFirewall(sys);
    expect(s).toMatchObject({ active: true, tool: 'firewalld', filtersOutbound: false });
    const plan = await buildPlan(sys, [{ stepId: 'firewall', input: { rules } }]);
    expect(plan.steps[0]!.notes.map((n) => n.key)).toContain('prep.fw.note.notFiltered.out');
    const out = await applyPlan(sys, plan);
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: true });
    expect(f.calls()).toEqual([
      ['firewall-cmd', `--add-rich-rule=${rich}`],
      ['firewall-cmd', '--permanent', `--add-rich-rule=${rich}`],
    ]);
    await revertRun(sys, out.runId!);
    expect(f.calls().slice(2)).toEqual([
      ['firewall-cmd', '--permanent', `--remove-rich-rule=${rich}`],
      ['firewall-cmd', `--remove-rich-rule=${rich}`],
    ]);
  });

  it('revert reads the rule list back: a ufw delete that exits 0 and leaves the rule is NOT reverted, naming it', async () => {
    const after = {
      'ufw status verbose':
        UFW_STATUS +
        '203.0.113.10 4118/tcp      ALLOW IN    203.0.113.10                # dsa-setup/in/tcp/203.0.113.10/4118\n',
    };
    const before = { 'ufw status verbose': UFW_STATUS.replace(/^203.*$/m, '') };
    // Adding flips the tool's state; deleting (exit 0) changes nothing, as a ufw whose rule got another form would.
    const f = flipFirewall('ufw', before, after, () => false);
    const sys = createSystemContext({ root: makeRoot(OS_RELEASE.ubuntu2204), exec: f.exec });
    const plan = await buildPlan(sys, [{ stepId: 'firewall', input: { rules } }]);
    const out = await applyPlan(sys, plan);
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: true });
    const t = translator('en');
    const e = await revertRun(sys, out.runId!).then(
      () => null,
      (x: unknown) => x as DsaError,
    );
    expect(e?.code).toBe('revert.incomplete');
    const text = t(e!.info.message.key, e!.info.message.params);
    expect(text).toContain('NOT fully reverted');
    expect(text).toContain('ufw delete allow in proto tcp from 203.0.113.10 to any port 4118 (ufw status verbose:');
    // The line the rule list still shows, not the whole list.
    expect(text).toContain(
      '(ufw status verbose: 203.0.113.10 4118/tcp ALLOW IN 203.0.113.10 # dsa-setup/in/tcp/203.0.113.10/4118)',
    );
  });

  it('firewalld stopped but enabled at boot: the opening goes into its permanent configuration (firewall-offline-cmd), never "nothing to open"', async () => {
    const rich = 'rule family="ipv4" source address="203.0.113.10" port port="4118" protocol="tcp" accept';
    // firewall-cmd --state prints "not running" (exit 252, NOT_RUNNING) when the daemon is stopped.
    const before = {
      'firewall-cmd --state': 'not running\n',
      'systemctl is-enabled firewalld': 'enabled\n',
      'firewall-offline-cmd --list-rich-rules': '',
    };
    const after = { ...before, 'firewall-offline-cmd --list-rich-rules': rich + '\n' };
    const f = flipFirewall('firewall-offline-cmd', before, after, (a) => a.some((x) => x.startsWith('--remove')));
    const sys = createSystemContext({ root: makeRoot(OS_RELEASE.el9), exec: f.exec });
    const plan = await buildPlan(sys, [{ stepId: 'firewall', input: { rules } }]);
    expect(plan.steps[0]).toMatchObject({ upToDate: false });
    const t = translator('en');
    expect(plan.steps[0]!.notes.map((n) => t(n.key, n.params))).toContain(
      'firewalld is stopped now but starts at boot (enabled): the openings go into its permanent configuration with firewall-offline-cmd and take effect when firewalld starts (`systemctl start firewalld`, or the next boot)',
    );
    const out = await applyPlan(sys, plan);
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: true });
    expect(f.calls()).toEqual([['firewall-offline-cmd', `--add-rich-rule=${rich}`]]);
    await revertRun(sys, out.runId!);
    expect(f.calls().slice(1)).toEqual([['firewall-offline-cmd', `--remove-rich-rule=${rich}`]]);
  });

  it('firewalld stopped and disabled: no host firewall filters, nothing to open', async () => {
    const exec: Executor = {
      run: async (c, a) => {
        const key = [c, ...a].join(' ');
        if (key === 'firewall-cmd --state') return ok(c, a, 'not running\n', 252);
        if (key === 'systemctl is-enabled firewalld') return ok(c, a, 'disabled\n', 1);
        return { ...ok(c, a), exitCode: null, notFound: true };
      },
      runReal: async (c, a) => ok(c, a),
    };
    const sys = createSystemContext({ root: makeRoot(OS_RELEASE.el8), exec });
    const plan = await buildPlan(sys, [{ stepId: 'firewall', input: { rules } }]);
    expect(plan.steps[0]).toMatchObject({ upToDate: true, changes: [] });
  });

  it('no host firewall: nothing to open, the plan says so (the Cloudn manual: only where one is enabled)', async () => {
    const exec: Executor = {
      run: async (c, a) => ({ ...ok(c, a), exitCode: null, notFound: true }),
      runReal: async (c, a) => ok(c, a),
    };
    const sys = createSystemContext({ root: makeRoot(OS_RELEASE.el8), exec });
    const plan = await buildPlan(sys, [{ stepId: 'firewall', input: { rules } }]);
    expect(plan.steps[0]).toMatchObject({ upToDate: true, changes: [] });
    expect(plan.steps[0]!.notes.map((n) => n.key)).toEqual(['prep.fw.why.none', 'prep.fw.note.inactive']);
  });
});

describe('firewall targets from the inputs', () => {
  const entries = [{ address: '203.0.113.10', names: ['dsm.example.jp'], line: 1 }];

  it('outbound 4120/4122 per manager address, --firewall-allow extras (443 for SaaS), inbound 4118 when the manager initiates', async () => {
    const allow = parseAllowTargets(['198.51.100.7:443', '[2001:db8::7]:443']);
    if (!allow.ok) throw new Error('allow targets did not parse');
    const extra = await resolveAllowTargets(allow.value, async () => []);
    expect(firewallRules(entries, { managerInitiated: true }, extra)).toEqual([
      { direction: 'out', address: '203.0.113.10', port: 4120 },
      { direction: 'out', address: '203.0.113.10', port: 4122 },
      { direction: 'out', address: '198.51.100.7', port: 443 },
      { direction: 'out', address: '2001:db8::7', port: 443 },
      { direction: 'in', address: '203.0.113.10', port: 4118 },
    ]);
  });

  it('--firewall-allow takes host names, resolved when planning and shown next to the address in the plan', async () => {
    const allow = parseAllowTargets(['relay01.example.jp:4122']);
    if (!allow.ok) throw new Error('allow targets did not parse');
    const rules = await resolveAllowTargets(allow.value, async (h) =>
      h === 'relay01.example.jp' ? ['192.0.2.44'] : [],
    );
    expect(rules).toEqual([{ direction: 'out', address: '192.0.2.44', port: 4122, host: 'relay01.example.jp' }]);
    await expect(
      resolveAllowTargets([{ host: 'nowhere.example.jp', port: 443 }], async () => []),
    ).rejects.toMatchObject({
      code: 'prep.fw.unresolved',
      exitCode: 2,
    });
  });

  it('--open-firewall with a Cloud One activation file opens 443 to its manager (the name resolved through the root’s hosts file)', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el8,
      hosts: '127.0.0.1 localhost\n198.51.100.9 agents.workload.jp-1.cloudone.trendmicro.com\n',
    });
    const file = join(root, 'AgentDeploymentScript.sh');
    writeFileSync(
      file,
      'ACTIVATIONURL=\'dsm://agents.workload.jp-1.cloudone.trendmicro.com:443/\'\n/opt/ds_agent/dsa_control -a $ACTIVATIONURL "tenantID:5A1C3E2B-7D4F-4C2A-9B1E-0F3D2C1B4A59" "token:8F2E4D6C-1A3B-4C5D-9E7F-0A1B2C3D4E5F"\n',
    );
    const reqs = await stepRequests({ openFirewall: true, activationFile: file }, createSystemContext({ root }));
    expect(reqs.find((r) => r.stepId === 'firewall')?.input).toEqual({
      rules: [
        {
          direction: 'out',
          address: '198.51.100.9',
          port: 443,
          host: 'agents.workload.jp-1.cloudone.trendmicro.com',
        },
      ],
    });
  });

  it('bad --firewall-allow values and no targets are exit-2 errors naming the value', async () => {
    const r = parseAllowTargets(['bad_name!:443', '10.0.0.1:70000', '2001:db8::1:443', '10.0.0.1:4120']);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => [i.line, i.message.params.value])).toEqual([
        [1, 'bad_name!:443'],
        [2, '10.0.0.1:70000'],
        [3, '2001:db8::1:443'],
      ]);
    try {
      await stepRequests({ openFirewall: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DsaError);
      expect((e as DsaError).exitCode).toBe(2);
      expect((e as DsaError).code).toBe('prep.fw.noTargets');
    }
  });
});

describe('messages built from parts exist in both languages', () => {
  it('every prep.* key the steps compose at run time translates in en and ja', () => {
    const keys = [
      ...['module', 'addressing', 'protocol'].map((m) => `prep.ipv6.method.${m}`),
      ...['on', 'off', 'unknown'].map((s) => `prep.inspect.ipv6.${s}`),
      ...['realtime', 'scan'].map((w) => `prep.av.reason.scep.${w}`),
      ...['out', 'in'].flatMap((d) => [`prep.fw.note.notFiltered.${d}`, `prep.fw.reason.${d}`]),
    ];
    for (const lang of ['en', 'ja'] as const) {
      const t = translator(lang);
      for (const k of keys) expect(t(k, { tool: 'x', address: 'a', port: 1, prev: 0 }), `${lang} ${k}`).not.toBe(k);
    }
  });
});
