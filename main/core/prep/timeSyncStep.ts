import { msg } from '../message.js';
import { fail } from '../errors.js';
import { consoleSaid, runConsole } from '../platform/consoleEncoding.js';
import { parseW32tmConfiguration, parseW32tmSource, syncFromFlagsOf } from '../platform/w32tm.js';
import { z } from 'zod';
import { readSysFile } from './sysFiles.js';
import { fileWriteAction } from '../steps/fileAction.js';
import { detectOs } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import type {
  CommandActionInput,
  Message,
  StepDescriptor,
  StepPlanBody,
  UndoCheck,
  Verification,
} from '../steps/types.js';
import { isNtpServer, parseNtpServer, timeSyncPlatform, type TimeSyncPlatform } from './timeSync.js';

export const TimeSyncStepInput = z.object({
  /** The NTP server to synchronise with: `HOST` or `HOST:PORT`. */
  server: z.string().min(1).max(255).refine(isNtpServer, 'HOST or HOST:PORT'),
});
export type TimeSyncStepInput = z.infer<typeof TimeSyncStepInput>;

/** A command of the step, with the undo that the journal keeps. */
interface SyncCommand {
  command: string;
  args: string[];
  /** The undo, and how revert reads it back (the previous peers; the service running or stopped as before). */
  revert?: { command: string; args: string[]; check?: UndoCheck };
  reason: Message;
  /** Exit codes that are an answer, not a failure (`systemctl is-enabled` of a disabled service exits 1). */
  okExitCodes?: number[];
}

/** What the step does on this machine: the configuration line to add (if any) and the commands around it. */
interface SyncWork {
  platform: TimeSyncPlatform;
  file: { path: string; before: Buffer | null; after: string; line: string } | null;
  /** Run before the file is written (their undo runs after the file is restored). */
  pre: SyncCommand[];
  post: SyncCommand[];
  notes: Message[];
}

/** Which time service to point at the server: chrony, ntpd (RHEL 6, SLES 12), or w32time. */
async function platformOf(sys: SystemContext): Promise<TimeSyncPlatform> {
  if (sys.os === 'windows') return timeSyncPlatform(null, true);
  return timeSyncPlatform(await detectOs(sys), false);
}

/**
 * Reads the current w32time peer list (every peer) and sync type, for the undo. What cannot be read is not guessed:
 * an undo to a made-up `time.windows.com` would call a domain member's time source "restored".
 */
async function w32Current(sys: SystemContext): Promise<{ peers: string | null; from: string }> {
  const r = await runConsole(sys, 'w32tm', ['/query', '/configuration'], { timeoutMs: 15_000 });
  const cur = r.exitCode === 0 ? parseW32tmConfiguration(r.stdout) : { peers: null, type: null };
  const from = cur.type ? syncFromFlagsOf(cur.type) : null;
  // A domain member (NT5DS) is restored by its flag alone; a manual list needs its peers.
  if (from && (cur.peers || from === 'domhier' || from === 'no')) return { peers: cur.peers, from };
  throw fail(
    'prep.time.w32Unreadable',
    msg('prep.time.w32Unreadable', {
      code: r.timedOut ? 'timeout' : (r.exitCode ?? '-'),
      said: consoleSaid(r),
    }),
    { remedy: msg('prep.time.w32UnreadableRemedy') },
  );
}

/** The time service's name: chronyd / chrony, or ntpd. */
function serviceName(p: Exclude<TimeSyncPlatform, { kind: 'w32time' }>): string {
  return p.kind === 'chrony' ? p.service : 'ntpd';
}

/** Whether the time service is started by SysV `service` (ntpd on RHEL 6), not systemd. */
function isSysv(p: TimeSyncPlatform): boolean {
  return p.kind === 'ntpd' && p.init === 'sysv';
}

/** Whether the time service runs now: `systemctl is-active` (`active`, `inactive`, `failed`…), or SysV `service … status`. */
async function serviceState(sys: SystemContext, p: Exclude<TimeSyncPlatform, { kind: 'w32time' }>): Promise<string> {
  const name = serviceName(p);
  if (isSysv(p)) {
    const r = await sys.exec.run('service', [name, 'status'], { timeoutMs: 15_000, env: { LC_ALL: 'C' } });
    return r.exitCode === 0 ? 'active' : 'inactive';
  }
  const r = await sys.exec.run('systemctl', ['is-active', name], { timeoutMs: 15_000 });
  return r.stdout.trim() || 'unknown';
}

/**
 * The undo of the time service's restart: restart it again (it ran before), or stop it (it did not: the step's
 * restart started it); read back with its status (running: exit 0; LSB and systemd say "not running" with 3).
 * Another state (no answer, `activating`…) restarts it as before, without a read-back to judge by.
 */
function serviceUndo(
  p: Exclude<TimeSyncPlatform, { kind: 'w32time' }>,
  was: string,
): { command: string; args: string[]; check?: UndoCheck } {
  const name = serviceName(p);
  const sysv = isSysv(p);
  const command = sysv ? 'service' : 'systemctl';
  const verb = (systemd: string, sysvVerb: string): string[] => (sysv ? [name, sysvVerb] : [systemd, name]);
  // The same status serviceState reads: SysV `service NAME status`, else `systemctl is-active NAME`.
  const status = sysv ? { command, args: [name, 'status'] } : { command, args: ['is-active', name] };
  if (was === 'active') return { command, args: verb('try-restart', 'restart'), check: status };
  if (was !== 'inactive' && was !== 'failed') return { command, args: verb('try-restart', 'restart') };
  return { command, args: verb('stop', 'stop'), check: { ...status, exitCode: 3 } };
}

async function work(sys: SystemContext, input: TimeSyncStepInput): Promise<SyncWork> {
  const platform = await platformOf(sys);
  const { host, port } = parseNtpServer(input.server);
  if (platform.kind === 'w32time') {
    const cur = await w32Current(sys);
    const undo = [
      '/config',
      ...(cur.peers ? [`/manualpeerlist:${cur.peers}`] : []),
      `/syncfromflags:${cur.from}`,
      '/update',
    ];
    const wanted = cur.from === 'manual' && cur.peers?.split(/[ ,]/)[0]?.toLowerCase() === host.toLowerCase();
    return {
      platform,
      file: null,
      pre: [],
      post: [
        ...(wanted
          ? []
          : [
              {
                command: 'w32tm',
                args: ['/config', `/manualpeerlist:${host}`, '/syncfromflags:manual', '/update'],
                revert: {
                  command: 'w32tm',
                  args: undo,
                  // Read back the peer list put back (a domain member restored by its flag alone lists none).
                  ...(cur.peers
                    ? {
                        check: {
                          command: 'w32tm',
                          args: ['/query', '/configuration'],
                          present: `NtpServer: ${cur.peers}`,
                        },
                      }
                    : {}),
                },
                reason: msg('prep.time.reason.w32config', { host }),
              },
            ]),
        { command: 'w32tm', args: ['/resync'], reason: msg('prep.time.reason.resync', { host }) },
      ],
      notes: port === 123 ? [] : [msg('prep.time.note.portIgnored', { host, port, tool: 'w32time' })],
    };
  }
  const before = await readSysFile(sys, platform.conf);
  const text = before?.toString('utf8') ?? '';
  const line =
    platform.kind === 'chrony'
      ? `server ${host}${port === 123 ? '' : ` port ${port}`} iburst`
      : `server ${host} iburst`;
  const present = text.split(/\r?\n/).some((l) => l.trim().replace(/\s+/g, ' ') === line);
  const after = present ? text : `${text}${text && !text.endsWith('\n') ? '\n' : ''}# dsa-setup: time-sync\n${line}\n`;
  const service = serviceName(platform);
  const sysv = isSysv(platform);
  // When reverted, the service restarts after its original configuration is back — or, when it was not running
  // before (the restart below starts it), is stopped again; either is read back.
  const was = present ? 'active' : await serviceState(sys, platform);
  const pre: SyncCommand[] = present
    ? []
    : [
        sysv
          ? {
              command: 'chkconfig',
              args: ['--list', 'ntpd'],
              revert: serviceUndo(platform, was),
              reason: msg('prep.time.reason.check', { service }),
              okExitCodes: [0, 1],
            }
          : {
              command: 'systemctl',
              args: ['is-enabled', service],
              revert: serviceUndo(platform, was),
              reason: msg('prep.time.reason.check', { service }),
              // A disabled service answers "disabled" with exit 1: the restart below still runs it now.
              okExitCodes: [0, 1],
            },
      ];
  const post: SyncCommand[] =
    platform.kind === 'chrony'
      ? [
          { command: 'systemctl', args: ['restart', service], reason: msg('prep.time.reason.restart', { service }) },
          { command: 'chronyc', args: ['makestep'], reason: msg('prep.time.reason.step', { host }) },
        ]
      : sysv
        ? [
            { command: 'service', args: ['ntpd', 'stop'], reason: msg('prep.time.reason.stop', { service }) },
            { command: 'ntpdate', args: ['-u', host], reason: msg('prep.time.reason.step', { host }) },
            { command: 'service', args: ['ntpd', 'start'], reason: msg('prep.time.reason.restart', { service }) },
          ]
        : [
            // SLES 12: ntpd itself sets the clock once from the servers of /etc/ntp.conf (-g: however far off).
            { command: 'systemctl', args: ['stop', 'ntpd'], reason: msg('prep.time.reason.stop', { service }) },
            { command: 'ntpd', args: ['-gq'], reason: msg('prep.time.reason.step', { host }) },
            { command: 'systemctl', args: ['start', 'ntpd'], reason: msg('prep.time.reason.restart', { service }) },
          ];
  return {
    platform,
    file: present ? null : { path: platform.conf, before, after, line },
    pre,
    post,
    notes:
      platform.kind === 'ntpd' && port !== 123 ? [msg('prep.time.note.portIgnored', { host, port, tool: 'ntpd' })] : [],
  };
}

/** Points this machine's time service (chrony, ntpd on RHEL 6 and SLES 12, w32time) at an NTP server and steps the clock. */
export const timeSyncStep: StepDescriptor<TimeSyncStepInput> = {
  id: 'time-sync',
  titleKey: 'prep.time.title',
  input: TimeSyncStepInput,
  // Chosen by the doctor's fix plan (`doctor --fix`), which names the server: no flag of its own.
  flags: [],
  platforms: ['linux', 'windows'],
  defaultOn: [],
  needs: ['ntpServer'],
  fromOptions: () => null,

  async plan(sys, input): Promise<StepPlanBody> {
    const w = await work(sys, input);
    const cmd = (c: SyncCommand): CommandActionInput => ({
      kind: 'command',
      command: c.command,
      args: c.args,
      timeoutSec: 60,
      reason: c.reason,
      ...(c.revert ? { undo: c.revert } : {}),
      ...(c.okExitCodes ? { okExitCodes: c.okExitCodes } : {}),
    });
    const changes: StepPlanBody['changes'] = [
      ...w.pre.map(cmd),
      ...(w.file
        ? [
            await fileWriteAction(sys, w.file.path, w.file.before, w.file.after, [
              '+ # dsa-setup: time-sync',
              `+ ${w.file.line}`,
            ]),
          ]
        : []),
      ...w.post.map(cmd),
    ];
    return { changes, notes: w.notes, rebootRequired: false, upToDate: false };
  },

  async verify(sys, input): Promise<Verification> {
    const w = await work(sys, input);
    const { host } = parseNtpServer(input.server);
    if (w.platform.kind === 'w32time') {
      const r = await runConsole(sys, 'w32tm', ['/query', '/source'], { timeoutMs: 15_000 });
      // The source is that server itself: 10.0.0.12 is not 10.0.0.1, and an error text naming it is no source.
      const ok = r.exitCode === 0 && parseW32tmSource(r.stdout)?.toLowerCase() === host.toLowerCase();
      return {
        ok,
        detail: msg(ok ? 'prep.time.verified' : 'prep.time.notVerified', { host, source: r.stdout.trim() }),
      };
    }
    if (w.file !== null) return { ok: false, detail: msg('prep.time.notVerified', { host, source: w.platform.conf }) };
    // The configuration names the server; the service that reads it must also be running.
    const state = await serviceState(sys, w.platform);
    if (state !== 'active')
      return {
        ok: false,
        detail: msg(isSysv(w.platform) ? 'prep.time.notRunningSysv' : 'prep.time.notRunning', {
          host,
          source: w.platform.conf,
          service: serviceName(w.platform),
          state,
        }),
      };
    return { ok: true, detail: msg('prep.time.verified', { host, source: w.platform.conf }) };
  },
};
