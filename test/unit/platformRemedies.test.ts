import { afterAll, describe, expect, it } from 'vitest';
import { translator } from '../../main/core/i18n.js';
import { renderMessage } from '../../main/core/message.js';
import { createSystemContext } from '../../main/core/system.js';
import { platformOf } from '../../main/core/platformText.js';
import { keepRulesHint } from '../../main/core/prep/firewallStep.js';
import { clockRemedy } from '../../main/core/doctor/checks/time.js';
import { agentServiceRemedy, notActivatedRemedy } from '../../main/core/doctor/checks/agent.js';
import { activationOutcome, activationRemedy } from '../../main/core/agent/activationFailure.js';
import type { CheckContext } from '../../main/core/doctor/types.js';
import { agentChecks } from '../../main/core/doctor/checks/agent.js';
import { buildPlan } from '../../main/core/engine/plan.js';
import { timeSyncStep } from '../../main/core/prep/timeSyncStep.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

afterAll(cleanupRoots);
const en = translator('en');
const URL = 'dsm://dsm01.example.jp:4120/';

/** The remedies a root gets for its clock, its agent service and activation, as the admin reads them. */
async function remedies(root: string, timeServices: string[]) {
  const sys = createSystemContext({ root });
  const kind = await platformOf(sys);
  const text = (m: Parameters<typeof renderMessage>[1]): string => renderMessage(en, m);
  return {
    kind,
    time: text(await clockRemedy({ sys } as unknown as CheckContext, 'ntp.example.jp', timeServices)),
    service: text(agentServiceRemedy(kind)),
    activation: text(notActivatedRemedy(kind, URL)),
    activationNoManager: text(notActivatedRemedy(kind, null)),
    activateFailed: text(
      activationRemedy(activationOutcome('agentNotRunning'), { platform: kind, flavour: 'on-premises', manager: 'x' }),
    ),
  };
}

describe('remedies that work as written on the platform of the root', () => {
  it('RHEL 6: ntpd with service and chkconfig, the agent started with service, dsa_control by its path with sudo', async () => {
    const r = await remedies(makeRoot({ ...OS_RELEASE.el6 }), ['ntpd']);
    expect(r.kind).toBe('el6');
    expect(r.time).toContain('service ntpd stop; ntpdate -u ntp.example.jp');
    expect(r.time).toContain('chkconfig ntpd on');
    expect(r.time).not.toMatch(/chronyc|timedatectl|systemctl/);
    expect(r.service).toContain('sudo service ds_agent start');
    expect(r.activateFailed).toContain('sudo service ds_agent start');
    expect(r.activation).toContain(`sudo /opt/ds_agent/dsa_control -a ${URL}`);
  });

  it('RHEL 8: chrony and systemctl', async () => {
    const r = await remedies(makeRoot({ ...OS_RELEASE.el8 }), ['chronyd']);
    expect(r.kind).toBe('el');
    expect(r.time).toContain('"server ntp.example.jp iburst" to /etc/chrony.conf, systemctl restart chronyd');
    expect(r.service).toContain('sudo systemctl start ds_agent');
    expect(r.service).not.toContain('/etc/init.d');
    expect(r.activation).toContain(`sudo /opt/ds_agent/dsa_control -a ${URL}`);
  });

  it('Ubuntu 22.04: systemd-timesyncd, systemctl', async () => {
    const r = await remedies(makeRoot({ ...OS_RELEASE.ubuntu2204 }), ['systemd-timesyncd']);
    expect(r.kind).toBe('debian');
    expect(r.time).toContain('NTP=ntp.example.jp in /etc/systemd/timesyncd.conf');
    expect(r.service).toContain('sudo systemctl start ds_agent');
  });

  it('Windows: w32tm, Start-Service and dsa_control.cmd by its full path in an administrator PowerShell, no sudo', async () => {
    const r = await remedies(makeRoot({ windows: true }), []);
    expect(r.kind).toBe('windows');
    expect(r.time).toContain('w32tm /config /manualpeerlist:ntp.example.jp /syncfromflags:manual /update');
    expect(r.service).toContain('Start-Service ds_agent (in an administrator PowerShell)');
    expect(r.activation).toContain(
      `& 'C:\\Program Files\\Trend Micro\\Deep Security Agent\\dsa_control.cmd' -a ${URL} (in an administrator PowerShell)`,
    );
    for (const s of Object.values(r)) expect(s).not.toMatch(/\bsudo\b|systemctl|\bsc start\b/);
  });

  it('never "dsa_control -a dsm://:PORT/" with the host missing: without a manager it names the activation file', async () => {
    const r = await remedies(makeRoot({ ...OS_RELEASE.el8 }), ['chronyd']);
    expect(r.activationNoManager).toContain('the dsa_control -a command of the activation file');
    expect(r.activationNoManager).not.toContain('dsm://');
  });

  it('SLES 15: chrony with chronyd, systemctl, dsa_control by its path with sudo; zypper for a busy package database', async () => {
    const root = makeRoot({ ...OS_RELEASE.sles15 });
    const r = await remedies(root, ['chronyd']);
    expect(r.kind).toBe('suse');
    expect(r.time).toContain('"server ntp.example.jp iburst" to /etc/chrony.conf, systemctl restart chronyd');
    expect(r.time).toContain('chronyc makestep');
    expect(r.service).toContain('sudo systemctl start ds_agent');
    expect(r.activateFailed).toContain('sudo systemctl start ds_agent');
    expect(r.activation).toContain(`sudo /opt/ds_agent/dsa_control -a ${URL}`);
    for (const text of Object.values(r))
      expect(text).not.toMatch(/\bservice \w+ (start|stop)|chkconfig|ntpdate|yum|apt/);
    const hung = await agentChecks[0]!.run({
      sys: createSystemContext({ root }),
      inputs: { lang: 'en' },
      stoppedCommands: () => [{ command: 'rpm -q ds_agent', ms: 15_000 }],
    } as unknown as CheckContext);
    const remedy = renderMessage(en, hung.remedy!);
    expect(remedy).toContain("ps -ef | grep -E 'rpm|zypper'");
    expect(remedy).toContain('rpm --rebuilddb');
    expect(remedy).not.toMatch(/yum|dnf|apt/);
  });

  it('SLES 12: ntpd under systemd (chrony is the default only from SLES 15), in the remedy and in the plan alike', async () => {
    const root = makeRoot({ ...OS_RELEASE.sles12 });
    const r = await remedies(root, ['ntpd']);
    expect(r.kind).toBe('suse');
    expect(r.time).toContain(
      'add "server ntp.example.jp iburst" to /etc/ntp.conf; systemctl stop ntpd; ntpd -gq; systemctl enable ntpd; systemctl start ntpd',
    );
    expect(r.time).not.toMatch(/chronyc|ntpdate|\bservice ntpd|chkconfig/);
    // The plan doctor --fix makes runs the same service's commands.
    const body = await timeSyncStep.plan(createSystemContext({ root }), { server: 'ntp.example.jp' });
    expect(
      body.changes.map((c) => (c.kind === 'command' ? [c.command, ...c.args].join(' ') : `write ${c.path}`)),
    ).toEqual([
      'systemctl is-enabled ntpd',
      'write /etc/ntp.conf',
      'systemctl stop ntpd',
      'ntpd -gq',
      'systemctl start ntpd',
    ]);
  });

  it('SLES 15 firewall: firewalld rich rules, runtime and permanent', async () => {
    const root = makeRoot({
      ...OS_RELEASE.sles15,
      replies: [
        { command: 'firewall-cmd', args: ['--state'], stdout: 'running\n' },
        { command: 'firewall-cmd', args: ['--list-rich-rules'], stdout: '' },
      ],
    });
    const plan = await buildPlan(createSystemContext({ root }), [
      { stepId: 'firewall', input: { rules: [{ direction: 'in', address: '203.0.113.10', port: 4118 }] } },
    ]);
    const step = plan.steps[0]!;
    const rich = 'rule family="ipv4" source address="203.0.113.10" port port="4118" protocol="tcp" accept';
    expect(step.changes.map((c) => (c.kind === 'command' ? [c.command, ...c.args] : []))).toEqual([
      ['firewall-cmd', `--add-rich-rule=${rich}`],
      ['firewall-cmd', '--permanent', `--add-rich-rule=${rich}`],
    ]);
    expect(step.notes.map((n) => renderMessage(en, n)).join('\n')).not.toContain('reboot');
  });

  it('SLES 12 firewall: SuSEfirewall2 — the rule added now, and how to keep it in /etc/sysconfig/SuSEfirewall2', async () => {
    const root = makeRoot({
      ...OS_RELEASE.sles12,
      files: { 'etc/sysconfig/SuSEfirewall2': 'FW_SERVICES_EXT_TCP="22"\nFW_SERVICES_ACCEPT_EXT=""\n' },
      replies: [
        // No firewalld and no ufw on SLES 12: the sandbox answers them as absent programs do (exit 127).
        {
          command: 'iptables-save',
          args: ['-t', 'filter'],
          stdout:
            '# Generated by iptables-save v1.4.21 on Mon Nov 30 10:00:00 2026\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n',
        },
      ],
    });
    const plan = await buildPlan(createSystemContext({ root }), [
      {
        stepId: 'firewall',
        input: {
          rules: [
            { direction: 'out', address: '203.0.113.10', port: 4120 },
            { direction: 'in', address: '203.0.113.10', port: 4118 },
          ],
        },
      },
    ]);
    const step = plan.steps[0]!;
    expect(step.changes.map((c) => (c.kind === 'command' ? [c.command, ...c.args.slice(0, 2)] : []))).toEqual([
      ['iptables', '-I', 'INPUT'],
    ]);
    const notes = step.notes.map((n) => renderMessage(en, n)).join('\n');
    expect(notes).toContain(
      'SuSEfirewall2 filters traffic (iptables rules it builds from /etc/sysconfig/SuSEfirewall2)',
    );
    expect(notes).toContain(
      'add "203.0.113.10,tcp,4118" to FW_SERVICES_ACCEPT_EXT in /etc/sysconfig/SuSEfirewall2 and run `systemctl restart SuSEfirewall2`',
    );
    expect(notes).not.toMatch(/service iptables save|netfilter-persistent/);
  });

  it('iptables rules added at run time: kept with the tool of each distribution, never another one', async () => {
    const save = (kind: Parameters<typeof keepRulesHint>[1], tool: 'iptables' | 'nftables'): string =>
      renderMessage(en, keepRulesHint(tool, kind));
    expect(save('el6', 'iptables')).toContain('`service iptables save`');
    expect(save('debian', 'iptables')).toContain('`netfilter-persistent save`');
    expect(save('el', 'nftables')).toContain('/etc/sysconfig/nftables.conf');
    expect(save('debian', 'nftables')).toContain('/etc/nftables.conf');
    expect(save('suse', 'iptables')).toBe('to keep them, add them to the ruleset this machine loads at boot');
  });
});
