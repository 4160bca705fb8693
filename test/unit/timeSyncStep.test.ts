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
import { parseW32tmSource } from '../../main/core/platform/w32tm.js';
import { configuredNtpServer, runningTimeService } from '../../main/core/doctor/checks/time.js';
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

  const windowsPlan = (replies: object[], server = 'ntp.corp.example') =>
    timeSyncStep.plan(
      createSystemContext({
        root: makeRoot({ windows: true, files: { '.sandbox/exec-replies.json': JSON.stringify(replies) } }),
      }),
      { server },
    );
  const undoOf = (p: Awaited<ReturnType<typeof timeSyncStep.plan>>): string => {
    const c = p.changes[0]!;
    return c.kind === 'command' && c.undo ? [c.undo.command, ...c.undo.args].join(' ') : '-';
  };
  // Japanese Windows keeps the labels and translates the origin: `Type: NT5DS (ローカル)` (win2012r2.com's
  // "NT5DS (ローカル) と NT5DS (ポリシー) の違い"); a peer list holds several `host,0xN` (Microsoft's w32tm docs).
  const jaConfiguration = (peers: string, type: string): string =>
    W32TM_CONFIGURATION.replace('time.windows.com,0x9 (Local)', `${peers} (ローカル)`)
      .replace('Type: NTP (Local)', `Type: ${type} (ポリシー)`)
      .replace(/\(Local\)/g, '(ローカル)');

  it('Windows undo restores every peer of the list and the client type it had (Japanese output)', async () => {
    const two = 'ntp1.corp.example,0x8 ntp2.corp.example,0x2';
    expect(
      undoOf(await windowsPlan([{ command: 'w32tm', args: ['/query'], stdout: jaConfiguration(two, 'NTP') }])),
    ).toBe(`w32tm /config /manualpeerlist:${two} /syncfromflags:manual /update`);
    const domain = await windowsPlan([{ command: 'w32tm', args: ['/query'], stdout: jaConfiguration(two, 'NT5DS') }]);
    expect(undoOf(domain)).toBe(`w32tm /config /manualpeerlist:${two} /syncfromflags:domhier /update`);
    const all = await windowsPlan([{ command: 'w32tm', args: ['/query'], stdout: jaConfiguration(two, 'AllSync') }]);
    expect(undoOf(all)).toBe(`w32tm /config /manualpeerlist:${two} /syncfromflags:all /update`);
    // Already the first manual peer: only the resync.
    expect(
      commands(
        await windowsPlan(
          [{ command: 'w32tm', args: ['/query'], stdout: jaConfiguration(two, 'NTP') }],
          'ntp1.corp.example',
        ),
      ),
    ).toEqual(['w32tm /resync']);
  });

  it('Windows: a configuration w32tm does not show (service stopped) plans nothing rather than an undo to a guess', async () => {
    const stopped = {
      command: 'w32tm',
      args: ['/query'],
      exitCode: -2147023834,
      stdout: '次のエラーが発生しました: サービスは開始されていません。 (0x80070426)\r\n',
    };
    await expect(windowsPlan([stopped])).rejects.toMatchObject({
      code: 'prep.time.w32Unreadable',
      info: { remedy: { key: 'prep.time.w32UnreadableRemedy' } },
    });
    expect(translator('ja')('prep.time.w32UnreadableRemedy')).toContain('Start-Service w32time');
  });

  it('Windows verify: the source must be the server itself (10.0.0.12 is not 10.0.0.1), not text naming it', async () => {
    const cfg = { command: 'w32tm', args: ['/query', '/configuration'], stdout: W32TM_CONFIGURATION };
    const verifyWith = async (source: string, exitCode = 0) => {
      const root = makeRoot({
        windows: true,
        files: {
          '.sandbox/exec-replies.json': JSON.stringify([
            cfg,
            { command: 'w32tm', args: ['/query', '/source'], stdout: source, exitCode },
          ]),
        },
      });
      return (await timeSyncStep.verify(createSystemContext({ root }), { server: '10.0.0.1' })).ok;
    };
    expect(await verifyWith('10.0.0.12,0x8\r\n')).toBe(false);
    expect(await verifyWith('次のエラーが発生しました: 10.0.0.1 に接続できません\r\n', 1)).toBe(false);
    expect(await verifyWith('10.0.0.1,0x8\r\n')).toBe(true);
  });

  it('w32tm /query /source: Hyper-V, CMOS and free-running sources are no NTP server', () => {
    // Sources as published (Microsoft's w32tm guidance quoted in "How to configure Windows Time Service").
    expect(parseW32tmSource('VM IC Time Synchronization Provider\r\n')).toBeNull();
    expect(parseW32tmSource('Local CMOS Clock\r\n')).toBeNull();
    expect(parseW32tmSource('Free-running System Clock\r\n')).toBeNull();
    expect(parseW32tmSource('DC01.contoso.com\r\n')).toBe('DC01.contoso.com');
    expect(parseW32tmSource('time.windows.com,0x9\r\n')).toBe('time.windows.com');
  });

  it("doctor: Hyper-V's source is no NTP server named 'VM'; sc refusing w32time is 'cannot tell', not 'no time service'", async () => {
    const sysWith = (replies: object[]) =>
      createSystemContext({
        root: makeRoot({ windows: true, files: { '.sandbox/exec-replies.json': JSON.stringify(replies) } }),
      });
    const hyperV = sysWith([
      { command: 'w32tm', args: ['/query', '/source'], stdout: 'VM IC Time Synchronization Provider\r\n' },
    ]);
    expect(await configuredNtpServer(hyperV)).toBeNull();
    const denied = sysWith([
      {
        command: 'sc',
        args: ['query', 'w32time'],
        exitCode: 5,
        stdout: '[SC] OpenService エラー 5:\r\n\r\nアクセスが拒否されました。\r\n',
      },
    ]);
    expect(await runningTimeService(denied)).toBeNull();
    const missing = sysWith([
      {
        command: 'sc',
        args: ['query', 'w32time'],
        exitCode: 1060,
        stdout: '[SC] EnumQueryServicesStatus:OpenService エラー 1060:\r\n',
      },
    ]);
    expect(await runningTimeService(missing)).toEqual([]);
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
