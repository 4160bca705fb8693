import { afterAll, describe, expect, it } from 'vitest';
import { createSystemContext, type SandboxReply } from '../../main/core/system.js';
import { buildPlan } from '../../main/core/engine/plan.js';
import { applyPlan } from '../../main/core/engine/apply.js';
import { translator } from '../../main/core/i18n.js';
import { revertRun } from '../../main/core/engine/revert.js';
import { DsaError } from '../../main/core/errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxExecLog } from '../../main/core/system.js';
import { renderMessage } from '../../main/core/message.js';
import { timeSyncStep } from '../../main/core/prep/timeSyncStep.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

// `w32tm /query /configuration` as Windows Server prints it (shape confirmed with Microsoft's "Windows Time
// service tools and settings" and published outputs: `NtpServer: time.windows.com,0x9 (Local)`, `Type: NTP (Local)`).
const W32TM_CONFIGURATION = [
  '[Configuration]',
  '',
  'EventLogFlags: 2 (Local)',
  'AnnounceFlags: 10 (Local)',
  '',
  '[TimeProviders]',
  '',
  'NtpClient (Local)',
  'DllName: C:\\Windows\\system32\\w32time.dll (Local)',
  'Enabled: 1 (Local)',
  'InputProvider: 1 (Local)',
  'CrossSiteSyncFlags: 2 (Local)',
  'SpecialPollInterval: 604800 (Local)',
  'NtpServer: time.windows.com,0x9 (Local)',
  'Type: NTP (Local)',
  '',
].join('\r\n');

afterAll(() => cleanupRoots());

const commands = (p: Awaited<ReturnType<typeof timeSyncStep.plan>>): string[] =>
  p.changes.map((c) =>
    c.kind === 'command' ? [c.command, ...c.args].join(' ') : `${c.action} ${c.path} ${c.diff.join(' | ')}`,
  );

describe("time-sync step: the platform's own tool, with the real server and port", () => {
  it('EL7+ chrony: server HOST port N iburst in /etc/chrony.conf, restart, makestep', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, files: { 'etc/chrony.conf': 'pool 2.rhel.pool.ntp.org iburst\n' } });
    const p = await timeSyncStep.plan(createSystemContext({ root }), { server: 'ntp.corp.example:11123' });
    expect(commands(p)).toEqual([
      'systemctl is-enabled chronyd',
      'modify /etc/chrony.conf + # dsa-setup: time-sync | + server ntp.corp.example port 11123 iburst',
      'systemctl restart chronyd',
      'chronyc makestep',
    ]);
  });

  it('Ubuntu: chrony in /etc/chrony/chrony.conf, service chrony; port 123 is not written', async () => {
    const root = makeRoot({ ...OS_RELEASE.ubuntu2204 });
    const p = await timeSyncStep.plan(createSystemContext({ root }), { server: '10.0.0.5' });
    expect(commands(p)).toEqual([
      'systemctl is-enabled chrony',
      'create /etc/chrony/chrony.conf + # dsa-setup: time-sync | + server 10.0.0.5 iburst',
      'systemctl restart chrony',
      'chronyc makestep',
    ]);
  });

  it('EL6: ntpd with ntpdate -u; a port other than 123 is noted (ntpd cannot use it)', async () => {
    const root = makeRoot({ ...OS_RELEASE.el6, files: { 'etc/ntp.conf': 'driftfile /var/lib/ntp/drift\n' } });
    const p = await timeSyncStep.plan(createSystemContext({ root }), { server: 'ntp.corp.example:11123' });
    expect(commands(p)).toEqual([
      'chkconfig --list ntpd',
      'modify /etc/ntp.conf + # dsa-setup: time-sync | + server ntp.corp.example iburst',
      'service ntpd stop',
      'ntpdate -u ntp.corp.example',
      'service ntpd start',
    ]);
    expect(p.notes.map((n) => n.key)).toEqual(['prep.time.note.portIgnored']);
  });

  it('Windows: w32tm /config with the manual peer list and its undo, then /resync', async () => {
    const root = makeRoot({
      windows: true,
      files: {
        '.sandbox/exec-replies.json': JSON.stringify([
          { command: 'w32tm', args: ['/query'], stdout: W32TM_CONFIGURATION },
        ]),
      },
    });
    const p = await timeSyncStep.plan(createSystemContext({ root }), { server: 'ntp.corp.example' });
    expect(commands(p)).toEqual([
      'w32tm /config /manualpeerlist:ntp.corp.example /syncfromflags:manual /update',
      'w32tm /resync',
    ]);
  });

  it('a server that is not a host name is refused before anything is written (no configuration injection)', () => {
    expect(timeSyncStep.input.safeParse({ server: 'x\nallow all' }).success).toBe(false);
    expect(timeSyncStep.input.safeParse({ server: 'ntp.corp.example:11123' }).success).toBe(true);
  });
});

describe('time-sync step: applied only when the time service runs with the server', () => {
  const CONF = 'pool 2.rhel.pool.ntp.org iburst\n';
  /** An EL9 root whose systemctl and chronyc answer as given (`is-active` last: what the read-back sees). */
  const el9 = (replies: SandboxReply[]): string =>
    makeRoot({ ...OS_RELEASE.el9, files: { 'etc/chrony.conf': CONF }, replies });
  const t = translator('en');

  it('chronyd disabled (is-enabled exits 1 "disabled") is no failure: it is restarted, read back running, applied', async () => {
    const sys = createSystemContext({
      root: el9([
        { command: 'systemctl', args: ['is-enabled'], stdout: 'disabled\n', exitCode: 1 },
        { command: 'systemctl', args: ['restart'] },
        { command: 'chronyc', args: ['makestep'], stdout: '200 OK\n' },
        { command: 'systemctl', args: ['is-active'], stdout: 'active\n' },
      ]),
    });
    const plan = await buildPlan(sys, [{ stepId: 'time-sync', input: { server: '10.0.0.5' } }]);
    const out = await applyPlan(sys, plan);
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: true });
  });

  it('chronyd not running after the restart: not confirmed, saying which service, its state and what to do', async () => {
    const sys = createSystemContext({
      root: el9([
        { command: 'systemctl', args: ['is-enabled'], stdout: 'enabled\n' },
        { command: 'systemctl', args: ['restart'] },
        { command: 'chronyc', args: ['makestep'], stdout: '200 OK\n' },
        { command: 'systemctl', args: ['is-active'], stdout: 'failed\n', exitCode: 3 },
      ]),
    });
    const plan = await buildPlan(sys, [{ stepId: 'time-sync', input: { server: '10.0.0.5' } }]);
    const out = await applyPlan(sys, plan);
    expect(out.ok).toBe(false);
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: false });
    expect(renderMessage(t, out.steps[0]!.detail!)).toBe(
      '/etc/chrony.conf names 10.0.0.5, but the time service chronyd is not running (state: failed): start it (`systemctl start chronyd`) and see why it stopped (`journalctl -u chronyd`).',
    );
  });
});

describe('time-sync revert: the service as it was before, read back', () => {
  const CONF = 'pool 2.rhel.pool.ntp.org iburst\n';
  const stoppedBefore = (stopWorks: boolean): SandboxReply[] => [
    ...(stopWorks
      ? [{ command: 'systemctl', args: ['is-active'], after: ['systemctl', 'stop'], stdout: 'inactive\n', exitCode: 3 }]
      : []),
    { command: 'systemctl', args: ['is-active'], after: ['systemctl', 'restart'], stdout: 'active\n' },
    { command: 'systemctl', args: ['is-active'], stdout: 'inactive\n', exitCode: 3 },
    { command: 'systemctl', args: ['is-enabled'], stdout: 'disabled\n', exitCode: 1 },
    { command: 'systemctl', args: ['restart'] },
    { command: 'systemctl', args: ['stop'] },
    { command: 'chronyc', args: ['makestep'], stdout: '200 OK\n' },
  ];

  it('chronyd was stopped: the step starts it, revert stops it again (not a restart that leaves it running)', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, files: { 'etc/chrony.conf': CONF }, replies: stoppedBefore(true) });
    const sys = createSystemContext({ root });
    const out = await applyPlan(sys, await buildPlan(sys, [{ stepId: 'time-sync', input: { server: '10.0.0.5' } }]));
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: true });
    await revertRun(sys, out.runId!);
    expect(readFileSync(join(root, 'etc/chrony.conf'), 'utf8')).toBe(CONF);
    const calls = sandboxExecLog(root).map((c) => [c.command, ...c.args].join(' '));
    expect(calls.slice(-2)).toEqual(['systemctl stop chronyd', 'systemctl is-active chronyd']);
    expect(calls).not.toContain('systemctl try-restart chronyd');
  });

  it('a stop that exits 0 and leaves chronyd running is NOT reverted, naming the command and the state read', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, files: { 'etc/chrony.conf': CONF }, replies: stoppedBefore(false) });
    const sys = createSystemContext({ root });
    const out = await applyPlan(sys, await buildPlan(sys, [{ stepId: 'time-sync', input: { server: '10.0.0.5' } }]));
    const e = await revertRun(sys, out.runId!).then(
      () => null,
      (x: unknown) => x as DsaError,
    );
    expect(e?.code).toBe('revert.incomplete');
    expect(renderMessage(translator('en'), e!.info.message)).toContain(
      'could not restore or undo systemctl stop chronyd (systemctl is-active chronyd: active)',
    );
    // The configuration file is restored all the same.
    expect(readFileSync(join(root, 'etc/chrony.conf'), 'utf8')).toBe(CONF);
  });

  it('Windows: the previous peer list must read back from w32tm /query /configuration', async () => {
    const root = makeRoot({
      windows: true,
      files: {
        '.sandbox/exec-replies.json': JSON.stringify([
          { command: 'w32tm', args: ['/query'], stdout: W32TM_CONFIGURATION },
          { command: 'w32tm', args: ['/config'] },
          { command: 'w32tm', args: ['/resync'] },
        ]),
      },
    });
    const sys = createSystemContext({ root });
    const plan = await buildPlan(sys, [{ stepId: 'time-sync', input: { server: 'ntp.corp.example' } }]);
    const undo = plan.steps[0]!.changes.find((c) => c.kind === 'command' && c.undo)!;
    expect(undo.kind === 'command' && undo.undo).toEqual({
      command: 'w32tm',
      args: ['/config', '/manualpeerlist:time.windows.com,0x9', '/syncfromflags:manual', '/update'],
      check: { command: 'w32tm', args: ['/query', '/configuration'], present: 'NtpServer: time.windows.com,0x9' },
    });
  });
});
