import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecResult, Executor } from '../../main/core/exec.js';
import { fixture } from '../helpers/fixtures.js';
import { createSystemContext, type SystemContext } from '../../main/core/system.js';
import {
  MP_PREFERENCE_SCRIPT,
  MP_STATUS_SCRIPT,
  SCEP_POLICY,
  SCEP_UNINSTALL_KEY,
  defenderIsActive,
  detectAntivirus,
  parseMpComputerStatus,
  parseMpPreference,
  parseScQuery,
  powershellArgs,
} from '../../main/core/prep/antivirus.js';
import { parseNetshProfiles, parseNetshRuleNames, detectFirewall } from '../../main/core/prep/firewall.js';
import { firewallCommands, firewallStep, netshCommand } from '../../main/core/prep/firewallStep.js';
import { inspectPrep, prepInspectionRows } from '../../main/core/prep/inspectPrep.js';
import { buildPlan } from '../../main/core/engine/plan.js';
import { applyPlan } from '../../main/core/engine/apply.js';
import { revertRun } from '../../main/core/engine/revert.js';
import { translator } from '../../main/core/i18n.js';
import { DsaError } from '../../main/core/errors.js';
import { renderMessage } from '../../main/core/message.js';
import { agentServiceState } from '../../main/core/agent/agentTools.js';
import { prepChecks } from '../../main/core/doctor/checks/prep.js';

const fx = (name: string): string => fixture(`windows/${name}`);

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function windowsRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'dsa-win-'));
  mkdirSync(join(root, 'Windows/System32'), { recursive: true });
  roots.push(root);
  return root;
}

const result = (command: string, args: readonly string[], exitCode: number, stdout = '', stderr = ''): ExecResult => ({
  command,
  args: [...args],
  exitCode,
  stdout,
  stderr,
  timedOut: false,
  notFound: false,
  ms: 0,
});

/**
 * A stand-in Windows machine: the registry values, services and Defender settings the commands read and write,
 * answering with the recorded outputs' formats. Tamper Protection makes Set-MpPreference succeed without effect,
 * as the real cmdlet does.
 */
class FakeWindows implements Executor {
  calls: string[][] = [];
  reg = new Map<string, number>();
  constructor(
    public s: {
      scep: boolean;
      /** The uninstall entry without SCEP's service: Managed Defender on Server 2016+. */
      managedDefender?: boolean;
      /** `denied`: `sc query WinDefend` answers OpenService error 5 (its DACL refuses the caller). */
      defender: 'running' | 'stopped' | 'missing' | 'denied';
      /** Get-MpComputerStatus fails (0x800106ba) instead of answering. */
      mpError?: boolean;
      /** `reg query` of SCEP's policy values is refused (ERROR: Access is denied.). */
      policyDenied?: boolean;
      mode?: string;
      tamper?: boolean;
      disableRealtime?: boolean;
      scanDay?: number;
    },
  ) {}

  // Arrow properties: the engine calls them unbound, as it does the real executor's functions.
  run = async (command: string, args: readonly string[]): Promise<ExecResult> => {
    this.calls.push([command, ...args]);
    const s = this.s;
    if (command === 'reg' && args[0] === 'query' && args[1] === SCEP_UNINSTALL_KEY)
      return s.managedDefender
        ? result(command, args, 0, fx('reg-query-managed-defender-uninstall.txt'))
        : s.scep
          ? result(command, args, 0, fx('reg-query-scep-uninstall.txt'))
          : result(command, args, 1, '', fx('reg-query-not-found.ja.txt'));
    if (command === 'reg' && args[0] === 'query' && args[2] === '/v') {
      if (s.policyDenied) return result(command, args, 1, '', 'エラー: アクセスが拒否されました。\r\n');
      const v = this.reg.get(`${args[1]}|${args[3]}`);
      return v === undefined
        ? result(command, args, 1, '', fx('reg-query-not-found.ja.txt'))
        : result(command, args, 0, `\r\n${args[1]}\r\n    ${args[3]}    REG_DWORD    0x${v.toString(16)}\r\n\r\n`);
    }
    if (command === 'reg' && args[0] === 'add') {
      this.reg.set(`${args[1]}|${args[3]}`, Number(args[7]));
      return result(command, args, 0, fx('reg-add-ok.ja.txt'));
    }
    if (command === 'reg' && args[0] === 'delete') {
      this.reg.delete(`${args[1]}|${args[3]}`);
      return result(command, args, 0, fx('reg-add-ok.ja.txt'));
    }
    if (command === 'sc' && args[1] === 'MsMpSvc')
      return s.scep
        ? result(command, args, 0, fx('sc-query-msmpsvc-running.ja.txt'))
        : result(command, args, 1060, fx('sc-query-missing.ja.txt'));
    if (command === 'sc' && args[1] === 'WinDefend') {
      if (s.defender === 'missing') return result(command, args, 1060, fx('sc-query-missing.ja.txt'));
      if (s.defender === 'denied') return result(command, args, 5, fx('sc-query-denied.ja.txt'));
      return result(
        command,
        args,
        0,
        fx(s.defender === 'running' ? 'sc-query-windefend-running.en.txt' : 'sc-query-stopped.en.txt'),
      );
    }
    if (command === 'powershell.exe') {
      const script = args[3]!;
      if (s.mpError && (script.endsWith(MP_STATUS_SCRIPT) || script.endsWith(MP_PREFERENCE_SCRIPT)))
        return result(command, args, 1, '', fx('get-mpcomputerstatus.error.ja.txt'));
      if (script.endsWith(MP_STATUS_SCRIPT))
        return result(
          command,
          args,
          0,
          JSON.stringify({
            AMRunningMode: s.mode ?? 'Normal',
            AMServiceEnabled: true,
            AntivirusEnabled: true,
            RealTimeProtectionEnabled: !s.disableRealtime,
            IsTamperProtected: Boolean(s.tamper),
          }),
        );
      if (script.endsWith(MP_PREFERENCE_SCRIPT))
        return result(
          command,
          args,
          0,
          JSON.stringify({ DisableRealtimeMonitoring: Boolean(s.disableRealtime), ScanScheduleDay: s.scanDay ?? 0 }),
        );
      // One property read back: PowerShell prints a boolean as True/False, a number as its digits.
      if (script.endsWith('(Get-MpPreference).DisableRealtimeMonitoring'))
        return result(command, args, 0, `${s.disableRealtime ? 'True' : 'False'}\r\n`);
      if (script.endsWith('(Get-MpPreference).ScanScheduleDay'))
        return result(command, args, 0, `${s.scanDay ?? 0}\r\n`);
      const rt = /Set-MpPreference -DisableRealtimeMonitoring \$(true|false)$/.exec(script);
      if (rt) {
        if (!s.tamper) s.disableRealtime = rt[1] === 'true';
        return result(command, args, 0);
      }
      const day = /Set-MpPreference -ScanScheduleDay (\d)$/.exec(script);
      if (day) {
        if (!s.tamper) s.scanDay = Number(day[1]);
        return result(command, args, 0);
      }
    }
    return result(command, args, 1, '', `unexpected: ${command} ${args.join(' ')}`);
  };

  runReal = (command: string, args: readonly string[]): Promise<ExecResult> => this.run(command, args);

  /** The calls that change something. */
  changes(): string[][] {
    return this.calls.filter(
      (c) => (c[0] === 'reg' && c[1] !== 'query') || (c[0] === 'powershell.exe' && c[4]!.includes('Set-Mp')),
    );
  }
}

const ps = (script: string): string[] => ['powershell.exe', ...powershellArgs(script)];

function sysFor(fake: Executor): SystemContext {
  return createSystemContext({ root: windowsRoot(), exec: fake });
}

describe('parsers of recorded Windows outputs (English and Japanese)', () => {
  it('Get-MpComputerStatus: Format-List (en, ja) and ConvertTo-Json', () => {
    expect(parseMpComputerStatus(fx('get-mpcomputerstatus.fl.en.txt'))).toEqual({
      amRunningMode: 'Normal',
      amServiceEnabled: true,
      antivirusEnabled: true,
      realTimeProtectionEnabled: true,
      isTamperProtected: false,
    });
    expect(parseMpComputerStatus(fx('get-mpcomputerstatus.fl.ja.txt'))).toMatchObject({
      amRunningMode: 'Normal',
      isTamperProtected: true,
    });
    expect(parseMpComputerStatus(fx('get-mpcomputerstatus.json.txt'))).toMatchObject({
      realTimeProtectionEnabled: true,
    });
    expect(parseMpComputerStatus(fx('get-mpcomputerstatus.passive.json.txt'))).toMatchObject({
      amRunningMode: 'Passive Mode',
      realTimeProtectionEnabled: false,
    });
    expect(parseMpComputerStatus(fx('get-mpcomputerstatus.error.ja.txt'))).toBeNull();
  });

  it('Get-MpPreference: JSON and Japanese Format-List', () => {
    expect(parseMpPreference(fx('get-mppreference.json.txt'))).toEqual({
      disableRealtimeMonitoring: false,
      scanScheduleDay: 0,
    });
    expect(parseMpPreference(fx('get-mppreference.fl.ja.txt'))).toEqual({
      disableRealtimeMonitoring: false,
      scanScheduleDay: 0,
    });
  });

  it('sc query: running, stopped, and the Japanese "not installed" error', () => {
    expect(parseScQuery(fx('sc-query-windefend-running.en.txt'), 0)).toEqual({
      exists: true,
      stateCode: 4,
      running: true,
    });
    expect(parseScQuery(fx('sc-query-stopped.en.txt'), 0)).toMatchObject({ exists: true, running: false });
    expect(parseScQuery(fx('sc-query-missing.ja.txt'), 1060)).toEqual({
      exists: false,
      stateCode: null,
      running: false,
    });
    // The same error line read without its exit code (a wrapper that lost it) is still "not installed".
    expect(parseScQuery(fx('sc-query-missing.ja.txt'), 1).exists).toBe(false);
  });

  it('sc query refused (OpenService error 5, Japanese) or cut short is "could not tell", never "not installed"', () => {
    expect(parseScQuery(fx('sc-query-denied.ja.txt'), 5)).toEqual({ exists: null, stateCode: null, running: false });
    expect(parseScQuery('', null).exists).toBeNull();
    expect(parseScQuery(fx('sc-query-windefend-running.en.txt').slice(0, 40), 1).exists).toBeNull();
    expect(agentServiceState(fx('sc-query-denied.ja.txt'), 5)).toBe('unknown');
    expect(agentServiceState(fx('sc-query-missing.ja.txt'), 1060)).toBe('absent');
  });

  it('netsh advfirewall show allprofiles: English and Japanese', () => {
    expect(parseNetshProfiles(fx('netsh-allprofiles.en.txt'))).toEqual([
      { name: 'domain', on: true, blockInbound: true, blockOutbound: false },
      { name: 'private', on: false, blockInbound: true, blockOutbound: false },
      { name: 'public', on: true, blockInbound: true, blockOutbound: true },
    ]);
    expect(parseNetshProfiles(fx('netsh-allprofiles.ja.txt'))).toEqual([
      { name: 'domain', on: true, blockInbound: true, blockOutbound: false },
      { name: 'private', on: true, blockInbound: true, blockOutbound: false },
      { name: 'public', on: false, blockInbound: true, blockOutbound: false },
    ]);
  });

  it('netsh advfirewall firewall show rule: our rule names in English and Japanese output', () => {
    expect(parseNetshRuleNames(fx('netsh-show-rule.en.txt'))).toEqual(['dsa-setup/out/tcp/203.0.113.10/4120']);
    expect(parseNetshRuleNames(fx('netsh-show-rule.ja.txt'))).toEqual(['dsa-setup/in/tcp/203.0.113.10/4118']);
    expect(parseNetshRuleNames(fx('netsh-no-rules.ja.txt'))).toEqual([]);
  });
});

describe('which antivirus is active: EDR block mode, Managed Defender', () => {
  const running = { exists: true, stateCode: 4, running: true };
  it('EDR Block Mode with real-time protection on is Defender as the primary antivirus, not "Defender not active"', () => {
    const primary = parseMpComputerStatus(fx('get-mpcomputerstatus.edr-block.json.txt'));
    expect(primary).toMatchObject({ amRunningMode: 'EDR Block Mode', amServiceEnabled: true });
    expect(defenderIsActive(primary, running)).toBe(true);
    expect(defenderIsActive(parseMpComputerStatus(fx('get-mpcomputerstatus.edr-passive.json.txt')), running)).toBe(
      false,
    );
    expect(defenderIsActive(parseMpComputerStatus(fx('get-mpcomputerstatus.passive.json.txt')), running)).toBe(false);
  });

  it('the SCEP entry of Managed Defender with no MsMpSvc is Defender: no SCEP policy is read or written', async () => {
    const fake = new FakeWindows({ scep: false, managedDefender: true, defender: 'running', mode: 'EDR Block Mode' });
    const sys = sysFor(fake);
    const av = await detectAntivirus(sys);
    expect(av.scep.installed).toBe(false);
    expect(av.defender.active).toBe(true);
    expect(av.reasons.map((r) => r.key)).toContain('prep.av.why.managedDefender');
    expect(fake.calls.filter((c) => c[0] === 'reg' && c.join(' ').includes('Microsoft Antimalware'))).toEqual([]);
    const plan = await buildPlan(sys, [{ stepId: 'antivirus', input: {} }]);
    expect(JSON.stringify(plan)).not.toContain('Microsoft Antimalware');
  });
});

describe('antivirus step (SCEP / Defender) on a sandbox Windows answering in the recorded formats', () => {
  it('SCEP: sets both policy values with reg add, verifies by reading back, revert deletes what did not exist', async () => {
    const fake = new FakeWindows({ scep: true, defender: 'missing' });
    fake.reg.set(`${SCEP_POLICY.realtime.key}|DisableRealtimeMonitoring`, 0);
    const sys = sysFor(fake);
    expect((await detectAntivirus(sys)).conflict).toBe(true);
    const plan = await buildPlan(sys, [{ stepId: 'antivirus', input: {} }]);
    const step = plan.steps[0]!;
    expect(step.changes.map((c) => (c.kind === 'command' ? [c.command, ...c.args] : []))).toEqual([
      [
        'reg',
        'add',
        'HKLM\\SOFTWARE\\Policies\\Microsoft\\Microsoft Antimalware\\Real-Time Protection',
        '/v',
        'DisableRealtimeMonitoring',
        '/t',
        'REG_DWORD',
        '/d',
        '1',
        '/f',
      ],
      [
        'reg',
        'add',
        'HKLM\\SOFTWARE\\Policies\\Microsoft\\Microsoft Antimalware\\Scan',
        '/v',
        'ScheduleDay',
        '/t',
        'REG_DWORD',
        '/d',
        '8',
        '/f',
      ],
    ]);
    const out = await applyPlan(sys, plan);
    expect(out.ok, JSON.stringify(out)).toBe(true);
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: true, detail: { key: 'prep.av.verified' } });
    expect((await detectAntivirus(sys)).conflict).toBe(false);

    fake.calls = [];
    await revertRun(sys, out.runId!);
    expect(fake.changes()).toEqual([
      ['reg', 'delete', 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Microsoft Antimalware\\Scan', '/v', 'ScheduleDay', '/f'],
      [
        'reg',
        'add',
        'HKLM\\SOFTWARE\\Policies\\Microsoft\\Microsoft Antimalware\\Real-Time Protection',
        '/v',
        'DisableRealtimeMonitoring',
        '/t',
        'REG_DWORD',
        '/d',
        '0',
        '/f',
      ],
    ]);
    expect([...fake.reg.entries()]).toEqual([[`${SCEP_POLICY.realtime.key}|DisableRealtimeMonitoring`, 0]]);
  });

  it('Defender: Set-MpPreference through powershell.exe -NoProfile -NonInteractive -Command; revert restores the previous values', async () => {
    const fake = new FakeWindows({ scep: false, defender: 'running', scanDay: 3 });
    const sys = sysFor(fake);
    const plan = await buildPlan(sys, [{ stepId: 'antivirus', input: {} }]);
    const out = await applyPlan(sys, plan);
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: true });
    expect(fake.changes()).toEqual([
      ps('Set-MpPreference -DisableRealtimeMonitoring $true'),
      ps('Set-MpPreference -ScanScheduleDay 8'),
    ]);
    expect(fake.changes()[0]!.slice(0, 4)).toEqual(['powershell.exe', '-NoProfile', '-NonInteractive', '-Command']);
    expect(fake.s).toMatchObject({ disableRealtime: true, scanDay: 8 });
    fake.calls = [];
    await revertRun(sys, out.runId!);
    expect(fake.changes()).toEqual([
      ps('Set-MpPreference -ScanScheduleDay 3'),
      ps('Set-MpPreference -DisableRealtimeMonitoring $false'),
    ]);
    expect(fake.s).toMatchObject({ disableRealtime: false, scanDay: 3 });
  });

  it('Tamper Protection turned on after apply: Set-MpPreference exits 0 changing nothing, so revert is NOT reverted, naming both settings', async () => {
    const fake = new FakeWindows({ scep: false, defender: 'running', scanDay: 3 });
    const sys = sysFor(fake);
    const out = await applyPlan(sys, await buildPlan(sys, [{ stepId: 'antivirus', input: {} }]));
    expect(out.steps[0]).toMatchObject({ status: 'applied', verified: true });
    fake.s.tamper = true;
    const e = await revertRun(sys, out.runId!).then(
      () => null,
      (x: unknown) => x as DsaError,
    );
    expect(e?.code).toBe('revert.incomplete');
    const text = renderMessage(translator('en'), e!.info.message);
    expect(text).toContain('Set-MpPreference -ScanScheduleDay 3 (powershell.exe');
    expect(text).toContain('(Get-MpPreference).ScanScheduleDay: 8)');
    expect(text).toContain('(Get-MpPreference).DisableRealtimeMonitoring: True)');
    expect(fake.s).toMatchObject({ disableRealtime: true, scanDay: 8 });
  });

  it('Defender in passive mode (another antivirus is primary) is left alone', async () => {
    const fake = new FakeWindows({ scep: false, defender: 'running', mode: 'Passive Mode' });
    const plan = await buildPlan(sysFor(fake), [{ stepId: 'antivirus', input: {} }]);
    expect(plan.steps[0]).toMatchObject({ upToDate: true, changes: [] });
  });

  it('Tamper Protection: the plan says so and what to do; apply fails with that message, changing nothing', async () => {
    const fake = new FakeWindows({ scep: false, defender: 'running', tamper: true });
    const sys = sysFor(fake);
    const plan = await buildPlan(sys, [{ stepId: 'antivirus', input: {} }]);
    const step = plan.steps[0]!;
    expect(step.upToDate).toBe(false);
    expect(step.changes).toEqual([]);
    expect(step.notes.map((n) => n.key)).toContain('prep.av.note.tamperBlocks');
    for (const lang of ['en', 'ja'] as const) {
      const text = translator(lang)('prep.av.note.tamperBlocks');
      expect(text).toMatch(lang === 'en' ? /Tamper Protection/ : /改ざん防止/);
    }
    const out = await applyPlan(sys, plan);
    expect(out.ok).toBe(false);
    expect(out.steps[0]).toMatchObject({
      status: 'failed',
      error: { code: 'prep.av.tamperProtected', remedy: { key: 'prep.av.tamperProtectedRemedy' } },
    });
    expect(fake.changes()).toEqual([]);
  });
});

describe('antivirus that cannot be read is never "off"', () => {
  it('WinDefend refused by sc and Get-MpComputerStatus failing: unknown in inspect, the doctor skips, apply fails naming it', async () => {
    const fake = new FakeWindows({ scep: false, defender: 'denied', mpError: true });
    const sys = sysFor(fake);
    const av = await detectAntivirus(sys);
    expect(av.realTimeOn).toBeNull();
    expect(av.conflict).toBe(false);
    expect(av.unreadable.map((m) => m.params.command)).toEqual(['sc query WinDefend']);
    const plan = await buildPlan(sys, [{ stepId: 'antivirus', input: {} }]);
    const step = plan.steps[0]!;
    expect(step.upToDate).toBe(false);
    expect(step.notes.map((n) => n.key)).not.toContain('prep.av.note.none');
    const out = await applyPlan(sys, plan);
    expect(out.ok).toBe(false);
    expect(out.steps[0]).toMatchObject({
      status: 'failed',
      error: { code: 'prep.av.unreadable', remedy: { key: 'prep.av.unreadableRemedy' } },
    });
    const ja = translator('ja');
    expect(ja('prep.av.unreadableRemedy')).toContain('sc.exe query WinDefend');
    expect(renderMessage(ja, av.unreadable[0]!)).toContain('アクセスが拒否されました');
    const doctor = await prepChecks.find((c) => c.id === 'av.conflict')!.run({ sys } as never);
    expect(doctor.status).toBe('skip');
  });

  it('SCEP policy values reg refuses to show: no SCEP change (its undo would delete a value), apply fails, doctor skips', async () => {
    const fake = new FakeWindows({ scep: true, defender: 'missing', policyDenied: true });
    const sys = sysFor(fake);
    const av = await detectAntivirus(sys);
    expect(av.scep.policyUnreadable).toBe(true);
    expect(av.realTimeOn).toBeNull();
    const plan = await buildPlan(sys, [{ stepId: 'antivirus', input: {} }]);
    expect(plan.steps[0]).toMatchObject({ upToDate: false, changes: [], blocked: { code: 'prep.av.unreadable' } });
    const out = await applyPlan(sys, plan);
    expect(out.ok).toBe(false);
    expect(fake.changes()).toEqual([]);
    const doctor = await prepChecks.find((c) => c.id === 'av.conflict')!.run({ sys } as never);
    expect(doctor.status).toBe('skip');
    // reg's own "not found" is "not set": the plan sets both values and its undo deletes them.
    const unset = await buildPlan(sysFor(new FakeWindows({ scep: true, defender: 'missing' })), [
      { stepId: 'antivirus', input: {} },
    ]);
    expect(unset.steps[0]!.changes.length).toBe(2);
  });

  it('WinDefend refused by sc but Defender answers Get-MpComputerStatus: judged by what Defender says', async () => {
    const sys = sysFor(new FakeWindows({ scep: false, defender: 'denied' }));
    const av = await detectAntivirus(sys);
    expect(av).toMatchObject({ realTimeOn: true, conflict: true, unreadable: [] });
    expect(av.defender.active).toBe(true);
    const plan = await buildPlan(sys, [{ stepId: 'antivirus', input: {} }]);
    expect(plan.steps[0]!.changes.length).toBe(2);
  });
});

describe('a firewall netsh cannot show is never "inactive"', () => {
  const rules = [{ direction: 'out' as const, address: '203.0.113.10', port: 4120 }];
  const netsh = (exitCode: number, stdout: string): Executor => ({
    run: async (c, a) =>
      a.join(' ') === 'advfirewall show allprofiles' ? result(c, a, exitCode, stdout) : result(c, a, 1, ''),
    runReal: async (c, a) => result(c, a, 1, ''),
  });
  const ja = fx('netsh-allprofiles.ja.txt');
  // netsh failing outright; its Japanese output cut before the first profile's State; a State value we do not know.
  const cases: [string, Executor][] = [
    ['netsh fails', netsh(1, '')],
    ['cut before State', netsh(0, ja.slice(0, ja.indexOf('State')))],
    ['unknown State value', netsh(0, ja.replace(/(State\s+)オフ/, '$1???'))],
  ];
  for (const [name, exec] of cases)
    it(`${name}: inspect says "could not be read", the plan is blocked, verify is not OK`, async () => {
      const sys = sysFor(exec);
      const s = await detectFirewall(sys);
      expect(s.unknown?.key).toBe('prep.fw.why.netshUnreadable');
      const p = await inspectPrep(sys);
      expect(p.firewall.ports.every((x) => x.allowed === null)).toBe(true);
      const rows = prepInspectionRows(translator('ja'), p);
      expect(rows.find(([k]) => k === translator('ja')('prep.inspect.fw.label'))![1]).toMatch(/^読み取れません/);
      const plan = await buildPlan(sys, [{ stepId: 'firewall', input: { rules } }]);
      expect(plan.steps[0]).toMatchObject({ upToDate: false, changes: [], blocked: { code: 'prep.fw.unreadable' } });
      const v = await firewallStep.verify(sys, { rules });
      expect(v.ok).toBe(false);
    });
  it('the recorded Japanese output still reads as profiles on and off', async () => {
    const s = await detectFirewall(sysFor(netsh(0, ja)));
    expect(s.unknown).toBeUndefined();
    expect(s.windowsProfiles.map((p) => p.on)).toEqual([true, true, false]);
  });
});

describe('Windows Defender Firewall openings', () => {
  it('netsh add rule / delete rule argument arrays', () => {
    expect(netshCommand({ direction: 'out', address: '203.0.113.10', port: 4120 })).toMatchObject({
      command: 'netsh',
      args: [
        'advfirewall',
        'firewall',
        'add',
        'rule',
        'name=dsa-setup/out/tcp/203.0.113.10/4120',
        'dir=out',
        'action=allow',
        'protocol=TCP',
        'remoteip=203.0.113.10',
        'remoteport=4120',
      ],
      revert: {
        command: 'netsh',
        args: ['advfirewall', 'firewall', 'delete', 'rule', 'name=dsa-setup/out/tcp/203.0.113.10/4120'],
      },
    });
    expect(netshCommand({ direction: 'in', address: '203.0.113.10', port: 4118 }).args).toEqual([
      'advfirewall',
      'firewall',
      'add',
      'rule',
      'name=dsa-setup/in/tcp/203.0.113.10/4118',
      'dir=in',
      'action=allow',
      'protocol=TCP',
      'localport=4118',
      'remoteip=203.0.113.10',
    ]);
  });

  it('plans outbound rules only where a profile that is on blocks outbound, skips rules already there', async () => {
    const replies: Record<string, string> = {
      'advfirewall show allprofiles': fx('netsh-allprofiles.en.txt'),
      'advfirewall firewall show rule name=all': fx('netsh-show-rule.en.txt'),
    };
    const exec: Executor = {
      run: async (c, a) => result(c, a, 0, replies[a.join(' ')] ?? ''),
      runReal: async (c, a) => result(c, a, 0, ''),
    };
    const s = await detectFirewall(sysFor(exec));
    expect(s).toMatchObject({ active: true, tool: 'windows', filtersOutbound: true, filtersInbound: true });
    const rules = [
      { direction: 'out' as const, address: '203.0.113.10', port: 4120 },
      { direction: 'out' as const, address: '203.0.113.10', port: 4122 },
      { direction: 'in' as const, address: '203.0.113.10', port: 4118 },
    ];
    expect(firewallCommands(s, rules).commands.map((c) => c.args[4])).toEqual([
      'name=dsa-setup/out/tcp/203.0.113.10/4122',
      'name=dsa-setup/in/tcp/203.0.113.10/4118',
    ]);
    replies['advfirewall show allprofiles'] = fx('netsh-allprofiles.ja.txt');
    const ja = await detectFirewall(sysFor(exec));
    expect(ja).toMatchObject({ active: true, filtersOutbound: false });
    expect(firewallCommands(ja, rules).notes.map((n) => n.key)).toContain('prep.fw.note.notFiltered.out');
    replies['advfirewall show allprofiles'] = fx('netsh-allprofiles-off.en.txt');
    const off = await detectFirewall(sysFor(exec));
    expect(off.active).toBe(false);
    expect(firewallCommands(off, rules)).toEqual({
      commands: [],
      notes: [{ key: 'prep.fw.note.inactive', params: {} }],
    });
  });
});

describe('Windows remedies are commands an administrator PowerShell runs as written', () => {
  it('no translated text tells the user `sc start|query|stop` (in Windows PowerShell `sc` is Set-Content): sc.exe', async () => {
    const { readFileSync } = await import('node:fs');
    for (const lang of ['en', 'ja']) {
      const text = readFileSync(join(__dirname, `../../resources/locales/${lang}.json`), 'utf8');
      expect(text.match(/(?<![\w.])sc (?:start|query|stop|config|qc)\b[^"]*/g) ?? []).toEqual([]);
    }
  });
});
