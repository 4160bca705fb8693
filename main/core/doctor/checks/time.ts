import { runConsole } from '../../platform/consoleEncoding.js';
import { parseScQuery } from '../../platform/scQuery.js';
import { parseW32tmSource } from '../../platform/w32tm.js';
import { timeRef } from '../../statusValues.js';
import { msg, type Message } from '../../message.js';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readIfExists } from '../../fsx.js';
import type { SystemContext } from '../../system.js';
import { type CheckContext, type CheckDef, type CheckOutcome } from '../types.js';
import { parseNtpServer } from '../probes/sntp.js';
import { timeSyncPlatform } from '../../prep/timeSync.js';
import { inspectionOf, once } from '../facts.js';
import { cutAtDeadline } from '../cutAtDeadline.js';
import type { HttpAnswer } from '../probes/tls.js';

/** Warn above this offset, fail above the next (ms). */
export const SKEW_WARN_MS = 60_000;
export const SKEW_FAIL_MS = 300_000;

const k = msg;

/** The first NTP server named in chrony, ntpd or systemd-timesyncd configuration of the target, with its file. */
export async function configuredNtpServer(sys: SystemContext): Promise<{ server: string; file: string } | null> {
  const files: [string, RegExp][] = [
    ['/etc/chrony.conf', /^\s*(?:server|pool|peer)\s+(\S+)/m],
    ['/etc/chrony/chrony.conf', /^\s*(?:server|pool|peer)\s+(\S+)/m],
    ['/etc/ntp.conf', /^\s*(?:server|pool|peer)\s+(\S+)/m],
    ['/etc/ntpsec/ntp.conf', /^\s*(?:server|pool|peer)\s+(\S+)/m],
    ['/etc/systemd/timesyncd.conf', /^\s*NTP\s*=\s*(\S+)/m],
  ];
  for (const [file, re] of files) {
    const data = await readIfExists(sys.path(file));
    const m = data ? re.exec(data.toString('utf8')) : null;
    if (m && !/^127\.127\./.test(m[1]!)) return { server: m[1]!, file };
  }
  // chrony's conf.d drop-ins and sources.d (RHEL 9, Debian 12).
  for (const dir of ['/etc/chrony/sources.d', '/etc/chrony/conf.d', '/etc/chrony.d']) {
    const names = await fs.readdir(sys.path(dir)).catch(() => [] as string[]);
    for (const n of names.sort()) {
      const data = await readIfExists(join(sys.path(dir), n));
      const m = data ? /^\s*(?:server|pool)\s+(\S+)/m.exec(data.toString('utf8')) : null;
      if (m) return { server: m[1]!, file: `${dir}/${n}` };
    }
  }
  if (sys.os === 'windows') {
    const r = await runConsole(sys, 'w32tm', ['/query', '/source'], { timeoutMs: 5_000 });
    // "VM IC Time Synchronization Provider", "Local CMOS Clock", an error: no server (never the word "VM").
    const src = r.exitCode === 0 ? parseW32tmSource(r.stdout) : null;
    if (src) return { server: src, file: 'w32tm /query /source' };
  }
  return null;
}

/** The manager's clock against this one from its HTTP `Date` (ms, positive when the manager is ahead); null without one. */
export function managerOffsetOf(answer: HttpAnswer | null | undefined): number | null {
  const managerMs = answer?.date ? Date.parse(answer.date) : NaN;
  // The Date header has a 1 s resolution: compare with the middle of that second.
  return answer && !Number.isNaN(managerMs) ? managerMs + 500 - answer.receivedAt : null;
}

const TIME_DAEMONS = ['chronyd', 'ntpd', 'systemd-timesyn', 'openntpd', 'timedatex'];

/** Which time service runs: chronyd / ntpd / systemd-timesyncd (from /proc), w32time (sc query); null when unknown. */
export async function runningTimeService(sys: SystemContext): Promise<string[] | null> {
  if (sys.os === 'windows') {
    const r = await runConsole(sys, 'sc', ['query', 'w32time'], { timeoutMs: 5_000 });
    if (r.notFound) return null;
    // Access denied or a timeout is "cannot tell", not "no time service runs".
    const s = parseScQuery(r.stdout, r.exitCode);
    return s.exists === null ? null : s.running ? ['w32time'] : [];
  }
  if (!sys.live) return null;
  const found = new Set<string>();
  const pids = await fs.readdir('/proc').catch(() => [] as string[]);
  await Promise.all(
    pids
      .filter((p) => /^\d+$/.test(p))
      .map(async (p) => {
        const comm = (await fs.readFile(`/proc/${p}/comm`, 'utf8').catch(() => '')).trim();
        if (TIME_DAEMONS.includes(comm)) found.add(comm === 'systemd-timesyn' ? 'systemd-timesyncd' : comm);
      }),
  );
  return [...found].sort();
}

const ntpServers = new WeakMap<CheckContext, Promise<{ server: string; file: string } | null>>();
const timeServices = new WeakMap<CheckContext, Promise<string[] | null>>();

/** configuredNtpServer of this run's machine, read once per run (time.skew and tls.manager both ask). */
export function configuredNtpServerOf(ctx: CheckContext): Promise<{ server: string; file: string } | null> {
  return once(ntpServers, ctx, () => configuredNtpServer(ctx.sys));
}

/** runningTimeService of this run's machine, read once per run (time.skew and tls.manager both ask). */
export function runningTimeServiceOf(ctx: CheckContext): Promise<string[] | null> {
  return once(timeServices, ctx, () => runningTimeService(ctx.sys));
}

/** The value of `p`, or null when it is not there shortly before the run's deadline. */
export function beforeDeadline<T>(ctx: CheckContext, p: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), Math.max(0, ctx.remainingMs() - 150))));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** An offset's size in the unit a person reads it in: seconds up to an hour, hours up to two days, then days. */
function durationRef(ms: number): Message {
  const s = Math.abs(ms) / 1000;
  if (s < 3_600) return k('doctor.time.duration.seconds', { n: s.toFixed(1) });
  if (s < 2 * 86_400) return k('doctor.time.duration.hours', { n: (s / 3_600).toFixed(1) });
  return k('doctor.time.duration.days', { n: (s / 86_400).toFixed(1) });
}
/** `ahead` when the other clock is behind this one (a negative offset), else `behind`. */
const direction = (offsetMs: number): Message => k(offsetMs < 0 ? 'doctor.time.ahead' : 'doctor.time.behind');
/** The manager's clock against this one: the opposite direction of this clock's offset. */
const managerDirection = (offsetMs: number): Message => k(offsetMs > 0 ? 'doctor.time.ahead' : 'doctor.time.behind');

/** The time service `timeSyncPlatform` names for this run's machine (the one `doctor --fix` plans). */
async function timeSyncOf(ctx: CheckContext): Promise<ReturnType<typeof timeSyncPlatform>> {
  return timeSyncPlatform((await inspectionOf(ctx).catch(() => null))?.os ?? null, false);
}

/**
 * How to set this clock from `server` on this platform, with its real host and port: the time service
 * `timeSyncPlatform` names (the one `doctor --fix` plans), or chrony / systemd-timesyncd when that is what runs.
 */
export async function clockRemedy(ctx: CheckContext, server: string, services: string[] | null): Promise<Message> {
  const { host, port } = parseNtpServer(server);
  if (ctx.sys.os === 'windows')
    return k(port === 123 ? 'doctor.time.fixWindows' : 'doctor.time.fixWindowsPort', { host, port });
  let p = await timeSyncOf(ctx);
  if (p.kind === 'ntpd' && p.init === 'sysv')
    return k(port === 123 ? 'doctor.time.fixEl6' : 'doctor.time.fixEl6Port', { host, port });
  // An admin who installed chrony where the vendor ships ntpd (SLES 12) gets chrony's commands.
  if (p.kind === 'ntpd' && services?.includes('chronyd') && !services.includes('ntpd'))
    p = { kind: 'chrony', conf: '/etc/chrony.conf', service: 'chronyd' };
  if (p.kind === 'ntpd')
    return k(port === 123 ? 'doctor.time.fixNtpd' : 'doctor.time.fixNtpdPort', { host, port, conf: p.conf });
  const portPart = port === 123 ? '' : ` port ${port}`;
  if (services?.includes('systemd-timesyncd') && port === 123) return k('doctor.time.fixTimesyncd', { host });
  const chrony = p.kind === 'chrony' ? p : { conf: '/etc/chrony.conf', service: 'chronyd' };
  return k(
    services === null || services.includes('chronyd') ? 'doctor.time.fixChrony' : 'doctor.time.fixChronyInstall',
    {
      line: `server ${host}${portPart} iburst`,
      conf: chrony.conf,
      service: chrony.service,
      host,
      port,
    },
  );
}

/** The command that shows this clock's offset from its time sources, with the time service that runs here. */
async function offsetCommand(ctx: CheckContext, services: string[] | null): Promise<string> {
  if (services?.includes('chronyd')) return 'chronyc -n tracking';
  if (services?.includes('ntpd')) return 'ntpq -pn';
  if (services?.includes('systemd-timesyncd')) return 'timedatectl timesync-status';
  const p = await timeSyncOf(ctx);
  return p.kind === 'ntpd' ? 'ntpq -pn' : 'chronyc -n tracking';
}

/**
 * time.skew: three clocks — this machine, an NTP server and the manager's `Date` — and the one that disagrees
 * is blamed: NTP right and the manager off → the manager's clock; NTP off → this clock; no NTP answer and the
 * manager off → it cannot tell which, and says how to find out.
 */
export const timeSkewCheck: CheckDef = {
  id: 'time.skew',
  titleKey: 'doctor.title.timeSkew',
  defaultClass: 'clock',
  async run(ctx: CheckContext): Promise<CheckOutcome> {
    const conf = ctx.inputs.ntpServer ? null : await configuredNtpServerOf(ctx);
    const server = ctx.inputs.ntpServer ?? conf?.server ?? null;
    const m = ctx.inputs.manager;
    const [ntp, tls, services] = await Promise.all([
      server ? ctx.probes.ntp(server) : Promise.resolve(null),
      // The manager's Date when it comes in time: a slow path to the manager must not hold the clock's verdict.
      m ? beforeDeadline(ctx, ctx.probes.target({ host: m.host, port: m.port, role: 'manager' }).tls()) : null,
      runningTimeServiceOf(ctx),
    ]);
    const seen: Message[] = [];
    const ntpOffset = ntp?.ok ? ntp.offsetMs : null;
    if (ntp?.ok)
      seen.push(
        k('doctor.time.ntpOffset', {
          server: ntp.server,
          offset: durationRef(ntp.offsetMs),
          direction: direction(ntp.offsetMs),
          stratum: ntp.stratum,
        }),
      );
    else if (ntp) seen.push(k('doctor.time.ntpFailed', { server: ntp.server, code: ntp.code, reason: ntp.detail }));
    else seen.push(k('doctor.time.noNtpServer'));
    // The manager's Date is read over the TLS connection whether or not its certificate is trusted.
    const answer = tls?.answer;
    const managerOffset = managerOffsetOf(answer);
    if (answer && managerOffset !== null) {
      seen.push(
        k('doctor.time.managerOffset', {
          host: m!.host,
          offset: durationRef(managerOffset),
          direction: managerDirection(managerOffset),
          date: answer.date!,
        }),
      );
    } else if (m) seen.push(k('doctor.time.noManagerDate', { host: m.host }));
    const service =
      services === null
        ? k('doctor.time.serviceUnknown')
        : services.length
          ? k('doctor.time.serviceRunning', { names: services.join(', ') })
          : k('doctor.time.serviceNone');
    const parts: Record<string, Message | string> = { service, now: timeRef(Date.now()) };
    seen.forEach((x, i) => (parts[`s${i}`] = x));
    const text = k(`doctor.time.seen${seen.length}`, parts);
    const level = (offset: number): 'pass' | 'warn' | 'fail' =>
      Math.abs(offset) <= SKEW_WARN_MS ? 'pass' : Math.abs(offset) > SKEW_FAIL_MS ? 'fail' : 'warn';
    const ntpHost = server ? parseNtpServer(server) : null;

    if (ntpOffset !== null && level(ntpOffset) !== 'pass')
      // NTP disagrees with this machine: this clock is wrong (whatever the manager says).
      return {
        status: level(ntpOffset),
        class: 'clock',
        detail: k('doctor.time.thisClockWrong', {
          offset: durationRef(ntpOffset),
          direction: direction(ntpOffset),
          server: server!,
          text,
        }),
        remedy: await clockRemedy(ctx, server!, services),
      };
    if (managerOffset !== null && level(managerOffset) !== 'pass') {
      if (ntpOffset !== null)
        // NTP agrees with this machine: the manager's clock is the one that is off.
        return {
          status: level(managerOffset),
          class: 'clock',
          detail: k('doctor.time.managerClockWrong', {
            offset: durationRef(managerOffset),
            direction: managerDirection(managerOffset),
            host: m!.host,
            server: server!,
            text,
          }),
          remedy: k('doctor.time.managerClockWrongRemedy', {
            host: m!.host,
            offset: durationRef(managerOffset),
            direction: managerDirection(managerOffset),
            server: server!,
          }),
        };
      return {
        status: level(managerOffset),
        class: 'clock',
        detail: k('doctor.time.cannotTell', {
          offset: durationRef(managerOffset),
          direction: managerDirection(managerOffset),
          host: m!.host,
          text,
        }),
        remedy: k(ctx.sys.os === 'windows' ? 'doctor.time.cannotTellRemedyWindows' : 'doctor.time.cannotTellRemedy', {
          host: m!.host,
          server: server ?? 'pool.ntp.org',
          compare: await offsetCommand(ctx, services),
        }),
      };
    }
    if (ntpOffset !== null || managerOffset !== null) return { status: 'pass', detail: text };
    // The NTP server's answer was still awaited at the run's deadline: nothing says its path is closed.
    if (ntp && !ntp.ok && ntp.detail === 'deadline')
      return cutAtDeadline(ctx, k('doctor.time.waitedNtp', { server: ntp.server }));
    if (ntp && !ntp.ok)
      return {
        status: 'warn',
        class: 'clock',
        detail: text,
        remedy: k('doctor.time.noSourceReachableRemedy', { host: ntpHost!.host, port: ntpHost!.port }),
      };
    return { status: 'skip', detail: k('doctor.time.noSource', { text }) };
  },
};
