import { msg } from '../message.js';
import type { SystemContext } from '../system.js';
import type { Message } from '../steps/types.js';
import { parseRegQuery } from '../platform/osRelease.js';
import { consoleSaid, runConsole } from '../platform/consoleEncoding.js';
import { parseScQuery, type ServiceState } from '../platform/scQuery.js';

export { parseScQuery, type ServiceState };

/** PowerShell as every Windows step runs it: no profile, no prompts, the script as one argument. */
export const POWERSHELL = 'powershell.exe';

/** The argument array for one fixed PowerShell script (output forced to UTF-8 so Japanese text survives). */
export function powershellArgs(script: string): string[] {
  return ['-NoProfile', '-NonInteractive', '-Command', `[Console]::OutputEncoding=[Text.Encoding]::UTF8; ${script}`];
}

export const MP_STATUS_SCRIPT =
  'Get-MpComputerStatus | Select-Object AMRunningMode,AMServiceEnabled,AntivirusEnabled,RealTimeProtectionEnabled,IsTamperProtected | ConvertTo-Json';
export const MP_PREFERENCE_SCRIPT =
  'Get-MpPreference | Select-Object DisableRealtimeMonitoring,ScanScheduleDay | ConvertTo-Json';

export const SCEP_UNINSTALL_KEY =
  'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Microsoft Security Client';
export const SCEP_POLICY_ROOT = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Microsoft Antimalware';
/** The two SCEP switches the Cloudn manual names, as policy values. */
export const SCEP_POLICY = {
  realtime: { key: `${SCEP_POLICY_ROOT}\\Real-Time Protection`, value: 'DisableRealtimeMonitoring', want: 1 },
  scan: { key: `${SCEP_POLICY_ROOT}\\Scan`, value: 'ScheduleDay', want: 8 },
} as const;
/** ScanScheduleDay / ScheduleDay 8 means "never". */
export const SCHEDULE_NEVER = 8;

export interface MpStatus {
  /** Normal, Passive Mode, EDR Block Mode, SxS Passive Mode, Not running. */
  amRunningMode: string | null;
  /** The antimalware service runs (false when another antivirus made Defender step aside). */
  amServiceEnabled: boolean | null;
  antivirusEnabled: boolean | null;
  realTimeProtectionEnabled: boolean | null;
  isTamperProtected: boolean | null;
}

export interface MpPreference {
  disableRealtimeMonitoring: boolean | null;
  scanScheduleDay: number | null;
}

/** The conflicting antivirus products on a Windows target. */
export interface AntivirusState {
  /** False on Linux: there is nothing to check. */
  applicable: boolean;
  scep: {
    installed: boolean;
    displayName: string | null;
    version: string | null;
    service: ServiceState;
    /** Current policy values (null: not set). */
    policy: { realtime: number | null; scan: number | null };
    /** reg did not say whether a policy value is set (access denied, a timeout): no SCEP change may be planned. */
    policyUnreadable: boolean;
  };
  defender: {
    service: ServiceState;
    status: MpStatus | null;
    preference: MpPreference | null;
    /** Normal mode (not passive / EDR block): Defender is the active antivirus. */
    active: boolean;
  };
  /** Real-time protection of some other antivirus is on (null: could not tell). */
  realTimeOn: boolean | null;
  /** What could not be read (a service `sc` did not answer for), so nothing here may read as "off". */
  unreadable: Message[];
  /** An antivirus that conflicts with the agent is active. */
  conflict: boolean;
  reasons: Message[];
}

function toBool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (/^true$/i.test(v.trim())) return true;
    if (/^false$/i.test(v.trim())) return false;
  }
  return null;
}

function toNum(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}

/**
 * Parses PowerShell object output into property → value: `ConvertTo-Json` (object or one-element array)
 * or `Format-List` ("Name : Value" lines, values wrapped onto indented lines). Null when it is neither.
 */
export function parsePsObject(text: string): Record<string, unknown> | null {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const v = JSON.parse(trimmed) as unknown;
      const obj = Array.isArray(v) ? v[0] : v;
      return obj && typeof obj === 'object' ? (obj as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  const out: Record<string, unknown> = {};
  let last: string | null = null;
  for (const line of trimmed.split(/\r?\n/)) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)\s*:\s?(.*)$/.exec(line);
    if (m) {
      last = m[1]!;
      out[last] = m[2]!.trim();
    } else if (last && /^\s+\S/.test(line)) out[last] = `${String(out[last])}${line.trim()}`;
  }
  return Object.keys(out).length ? out : null;
}

/** Parses `Get-MpComputerStatus` output (JSON or Format-List, any Windows language). */
export function parseMpComputerStatus(text: string): MpStatus | null {
  const o = parsePsObject(text);
  if (!o || !('RealTimeProtectionEnabled' in o || 'AMRunningMode' in o)) return null;
  return {
    amRunningMode: typeof o.AMRunningMode === 'string' && o.AMRunningMode ? o.AMRunningMode : null,
    amServiceEnabled: toBool(o.AMServiceEnabled),
    antivirusEnabled: toBool(o.AntivirusEnabled),
    realTimeProtectionEnabled: toBool(o.RealTimeProtectionEnabled),
    isTamperProtected: toBool(o.IsTamperProtected),
  };
}

/** Parses `Get-MpPreference` output (JSON or Format-List). */
export function parseMpPreference(text: string): MpPreference | null {
  const o = parsePsObject(text);
  if (!o || !('DisableRealtimeMonitoring' in o || 'ScanScheduleDay' in o)) return null;
  return { disableRealtimeMonitoring: toBool(o.DisableRealtimeMonitoring), scanScheduleDay: toNum(o.ScanScheduleDay) };
}

/**
 * reg's "not found" as recorded (`ERROR: The system was unable to find the specified registry key or value.`,
 * `エラー: 指定されたレジストリ キーまたは値が見つかりませんでした。`); other wording reads as "could not tell".
 */
const REG_NOT_FOUND =
  /unable to find the specified registry key or value|レジストリ キーまたは値が見つかりませんでした/i;

/**
 * Reads one registry value (`reg query KEY /v NAME`): a number for REG_DWORD, null when reg says it does not exist,
 * undefined when reg said neither (access denied, a timeout, a value that is no number): never "not set" then,
 * since its undo would delete the value.
 */
export async function readRegDword(sys: SystemContext, key: string, name: string): Promise<number | null | undefined> {
  const r = await runConsole(sys, 'reg', ['query', key, '/v', name], { timeoutMs: 15_000 });
  if (r.exitCode === 0) return toNum(parseRegQuery(r.stdout)[name]) ?? undefined;
  return r.exitCode === 1 && !r.timedOut && REG_NOT_FOUND.test(`${r.stdout}\n${r.stderr}`) ? null : undefined;
}

/**
 * Whether Defender is the active antivirus: its service runs and its antimalware service is enabled, and it is
 * not in passive mode. `EDR Block Mode` is no proof of passive mode — Windows reports it on machines where
 * Defender is the primary antivirus too — so there real-time protection decides.
 */
export function defenderIsActive(status: MpStatus | null, service: ServiceState): boolean {
  // A service `sc` could not tell about (access denied) is judged by what Defender itself reports.
  if (service.exists === null ? !status : !service.running) return false;
  if (!status) return true;
  if (status.amServiceEnabled === false) return false;
  const mode = status.amRunningMode?.trim() ?? '';
  if (/passive|not running/i.test(mode)) return false;
  if (/edr block/i.test(mode)) return status.realTimeProtectionEnabled === true;
  return true;
}

/**
 * Whether an uninstall entry named System Center Endpoint Protection is really Defender: on Server 2016 and later
 * the SCEP client is "Managed Defender" (its uninstall string runs `Managed Defender\Setup.exe`) and there is no
 * MsMpSvc service — Defender's settings apply there, not SCEP's policy keys.
 */
export function isManagedDefenderEntry(entry: Record<string, string>, scepService: ServiceState): boolean {
  const where = `${entry.UninstallString ?? ''} ${entry.InstallLocation ?? ''}`;
  return /Managed Defender/i.test(where) && scepService.exists !== true;
}

/** "sc query NAME did not say" with what it printed (its lines joined, bounded) and its exit code. */
function scUnreadable(service: string, r: { stdout: string; stderr: string; exitCode: number | null }): Message {
  return msg('prep.av.why.serviceUnreadable', {
    command: `sc query ${service}`,
    code: r.exitCode ?? '-',
    said: consoleSaid(r),
  });
}

const NOT_APPLICABLE: AntivirusState = {
  applicable: false,
  scep: {
    installed: false,
    displayName: null,
    version: null,
    service: { exists: false, stateCode: null, running: false },
    policy: { realtime: null, scan: null },
    policyUnreadable: false,
  },
  defender: {
    service: { exists: false, stateCode: null, running: false },
    status: null,
    preference: null,
    active: false,
  },
  realTimeOn: null,
  unreadable: [],
  conflict: false,
  reasons: [],
};

/**
 * Detects System Center Endpoint Protection (uninstall key, service MsMpSvc, its policy values) and
 * Microsoft Defender (service WinDefend, Get-MpComputerStatus, Get-MpPreference) on a Windows target.
 * On Linux it returns `applicable: false`.
 */
export async function detectAntivirus(sys: SystemContext): Promise<AntivirusState> {
  if (sys.os !== 'windows') return NOT_APPLICABLE;
  const reasons: Message[] = [];
  const un = await runConsole(sys, 'reg', ['query', SCEP_UNINSTALL_KEY], { timeoutMs: 15_000 });
  const unv = un.exitCode === 0 ? parseRegQuery(un.stdout) : {};
  const scepSvcR = await runConsole(sys, 'sc', ['query', 'MsMpSvc'], { timeoutMs: 15_000 });
  const scepService = parseScQuery(scepSvcR.stdout, scepSvcR.exitCode);
  const managedDefender = un.exitCode === 0 && isManagedDefenderEntry(unv, scepService);
  const scepInstalled = un.exitCode === 0 && Boolean(unv.DisplayName) && !un.notFound && !managedDefender;
  const read = scepInstalled
    ? {
        realtime: await readRegDword(sys, SCEP_POLICY.realtime.key, SCEP_POLICY.realtime.value),
        scan: await readRegDword(sys, SCEP_POLICY.scan.key, SCEP_POLICY.scan.value),
      }
    : { realtime: null, scan: null };
  const policyUnreadable = read.realtime === undefined || read.scan === undefined;
  const policy = { realtime: read.realtime ?? null, scan: read.scan ?? null };
  const defSvcR = await runConsole(sys, 'sc', ['query', 'WinDefend'], { timeoutMs: 15_000 });
  const defService = parseScQuery(defSvcR.stdout, defSvcR.exitCode);
  let status: MpStatus | null = null;
  let preference: MpPreference | null = null;
  if (defService.exists !== false) {
    const st = await sys.exec.run(POWERSHELL, powershellArgs(MP_STATUS_SCRIPT), { timeoutMs: 30_000 });
    status = st.exitCode === 0 ? parseMpComputerStatus(st.stdout) : null;
    const pr = await sys.exec.run(POWERSHELL, powershellArgs(MP_PREFERENCE_SCRIPT), { timeoutMs: 30_000 });
    preference = pr.exitCode === 0 ? parseMpPreference(pr.stdout) : null;
  }
  const unreadable: Message[] = [];
  if (policyUnreadable)
    unreadable.push(msg('prep.av.why.policyUnreadable', { key: SCEP_POLICY_ROOT, name: unv.DisplayName ?? 'SCEP' }));
  const scepUnknown = scepInstalled && (scepService.exists === null || policyUnreadable);
  if (scepUnknown) unreadable.push(scUnreadable('MsMpSvc', scepSvcR));
  const defUnknown = defService.exists === null && !status;
  if (defUnknown) unreadable.push(scUnreadable('WinDefend', defSvcR));
  const active = defenderIsActive(status, defService);
  const scepRealtimeOn = scepUnknown
    ? policy.realtime === 1
      ? false
      : null
    : scepInstalled && scepService.running && policy.realtime !== 1;
  const defenderRealtimeOn = defUnknown ? null : active ? (status?.realTimeProtectionEnabled ?? null) : false;
  if (managedDefender) reasons.push(msg('prep.av.why.managedDefender', { name: unv.DisplayName ?? 'SCEP' }));
  if (scepInstalled)
    reasons.push({
      key: scepRealtimeOn ? 'prep.av.why.scepOn' : 'prep.av.why.scepOff',
      params: { name: unv.DisplayName ?? 'SCEP' },
    });
  if (defService.exists !== false && !defUnknown)
    reasons.push({
      key: active
        ? defenderRealtimeOn === false
          ? 'prep.av.why.defenderRtpOff'
          : 'prep.av.why.defenderOn'
        : 'prep.av.why.defenderInactive',
      params: { mode: status?.amRunningMode ?? (defService.running ? '?' : 'stopped') },
    });
  if (status?.isTamperProtected) reasons.push(msg('prep.av.why.tamper'));
  reasons.push(...unreadable);
  const realTimeOn =
    scepRealtimeOn === true || defenderRealtimeOn === true
      ? true
      : scepRealtimeOn === null || defenderRealtimeOn === null
        ? null
        : false;
  return {
    applicable: true,
    scep: {
      installed: scepInstalled,
      displayName: unv.DisplayName ?? null,
      version: unv.DisplayVersion ?? null,
      service: scepService,
      policy,
      policyUnreadable,
    },
    defender: { service: defService, status, preference, active },
    realTimeOn,
    unreadable,
    conflict: realTimeOn === true,
    reasons,
  };
}
