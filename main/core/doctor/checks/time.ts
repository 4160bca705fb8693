import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readIfExists } from '../../fsx.js';
import type { SystemContext } from '../../system.js';
import { textRef, type CheckContext, type CheckDef, type CheckOutcome, type TextRef } from '../types.js';

/** Warn above this offset, fail above the next (ms). */
export const SKEW_WARN_MS = 60_000;
export const SKEW_FAIL_MS = 300_000;

const k = textRef;

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
    const r = await sys.exec.run('w32tm', ['/query', '/source'], { timeoutMs: 5_000 });
    const src = r.exitCode === 0 ? r.stdout.trim().split(/[\s,]/)[0] : '';
    if (src && !/Local CMOS|Free-running/i.test(r.stdout)) return { server: src, file: 'w32tm /query /source' };
  }
  return null;
}

const TIME_DAEMONS = ['chronyd', 'ntpd', 'systemd-timesyn', 'openntpd', 'timedatex'];

/** Which time service runs: chronyd / ntpd / systemd-timesyncd (from /proc), w32time (sc query); null when unknown. */
export async function runningTimeService(sys: SystemContext): Promise<string[] | null> {
  if (sys.os === 'windows') {
    const r = await sys.exec.run('sc', ['query', 'w32time'], { timeoutMs: 5_000 });
    if (r.notFound) return null;
    return /RUNNING/.test(r.stdout) ? ['w32time'] : [];
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

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** time.skew: the local clock against an NTP server and the manager's `Date` header. */
export const timeSkewCheck: CheckDef = {
  id: 'time.skew',
  titleKey: 'doctor.title.timeSkew',
  defaultClass: 'clock',
  async run(ctx: CheckContext): Promise<CheckOutcome> {
    const conf = ctx.inputs.ntpServer ? null : await configuredNtpServer(ctx.sys);
    const server = ctx.inputs.ntpServer ?? conf?.server ?? null;
    const m = ctx.inputs.manager;
    const [ntp, tls, services] = await Promise.all([
      server ? ctx.probes.ntp(server) : Promise.resolve(null),
      m ? ctx.probes.target({ host: m.host, port: m.port, role: 'manager' }).tls() : Promise.resolve(null),
      runningTimeService(ctx.sys),
    ]);
    const sources: { name: string; offsetMs: number }[] = [];
    const seen: TextRef[] = [];
    if (ntp?.ok) {
      sources.push({ name: `NTP ${ntp.server}`, offsetMs: ntp.offsetMs });
      seen.push(
        k('doctor.time.ntpOffset', { server: ntp.server, offset: seconds(ntp.offsetMs), stratum: ntp.stratum }),
      );
    } else if (ntp) seen.push(k('doctor.time.ntpFailed', { server: ntp.server, code: ntp.code, reason: ntp.detail }));
    else seen.push(k('doctor.time.noNtpServer'));
    const date = tls && tls.ok ? tls.answer?.date : null;
    if (date && tls && tls.ok && tls.answer) {
      const managerMs = Date.parse(date);
      if (!Number.isNaN(managerMs)) {
        // The Date header has a 1 s resolution: compare with the middle of that second.
        const offsetMs = managerMs + 500 - tls.answer.receivedAt;
        sources.push({ name: 'manager', offsetMs });
        seen.push(k('doctor.time.managerOffset', { host: m!.host, offset: seconds(offsetMs), date }));
      }
    } else if (m) seen.push(k('doctor.time.noManagerDate', { host: m.host }));
    const service =
      services === null
        ? k('doctor.time.serviceUnknown')
        : services.length
          ? k('doctor.time.serviceRunning', { names: services.join(', ') })
          : k('doctor.time.serviceNone');
    const parts: Record<string, TextRef | string> = { service, now: new Date().toISOString() };
    seen.forEach((s, i) => (parts[`s${i}`] = s));
    const sourcesText = k(`doctor.time.seen${seen.length}`, parts as TextRef['params']);
    if (sources.length === 0) {
      const reason = ntp && !ntp.ok ? 'doctor.time.noSourceReachable' : 'doctor.time.noSource';
      return ntp && !ntp.ok
        ? { status: 'warn', class: 'clock', detail: sourcesText, remedy: k(`${reason}Remedy`, { server: ntp.server }) }
        : { status: 'skip', detail: k(reason, { text: sourcesText }) };
    }
    const worst = sources.reduce((a, b) => (Math.abs(b.offsetMs) > Math.abs(a.offsetMs) ? b : a));
    const abs = Math.abs(worst.offsetMs);
    if (abs <= SKEW_WARN_MS) return { status: 'pass', detail: sourcesText };
    const direction = worst.offsetMs < 0 ? 'ahead' : 'behind';
    const remedyKey =
      ctx.sys.os === 'windows'
        ? 'doctor.time.remedyWindows'
        : services && services.length === 0
          ? 'doctor.time.remedyNoService'
          : 'doctor.time.remedyLinux';
    return {
      status: abs > SKEW_FAIL_MS ? 'fail' : 'warn',
      class: 'clock',
      detail: k('doctor.time.skewed', {
        offset: seconds(abs),
        direction: k(`doctor.time.${direction}`),
        source: worst.name,
        text: sourcesText,
      }),
      remedy: k(remedyKey, { offset: seconds(abs), server: server ?? 'pool.ntp.org' }),
    };
  },
};
