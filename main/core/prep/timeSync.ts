import { isHostName, isIpAddress } from '../inputs/names.js';
import type { OsInfo } from '../platform/inspect.js';
import { platformKind } from '../platformText.js';

/**
 * The time service the platform keeps its clock with: chrony (its configuration file and service name), ntpd
 * (started by SysV `service` on RHEL 6, by systemd on SLES 12), or w32time.
 */
export type TimeSyncPlatform =
  | { kind: 'chrony'; conf: string; service: string }
  | { kind: 'ntpd'; conf: string; init: 'sysv' | 'systemd' }
  | { kind: 'w32time' };

/**
 * The time service of a platform as its vendor ships it: w32time on Windows; ntpd on RHEL 6 (SysV) and SLES 12
 * (systemd, the `ntp` package: chrony is the default only since SLES 15); chrony elsewhere — `/etc/chrony.conf` and
 * `chronyd` (RHEL 7+, Amazon Linux, SLES 15), `/etc/chrony/chrony.conf` and `chrony` on Debian/Ubuntu.
 * The doctor's clock remedy and the time-sync step both ask this, so they never name different services.
 */
export function timeSyncPlatform(os: Pick<OsInfo, 'family' | 'major'> | null, windows: boolean): TimeSyncPlatform {
  if (windows) return { kind: 'w32time' };
  if (platformKind(os) === 'el6') return { kind: 'ntpd', conf: '/etc/ntp.conf', init: 'sysv' };
  if (os?.family === 'suse' && os.major !== null && os.major <= 12)
    return { kind: 'ntpd', conf: '/etc/ntp.conf', init: 'systemd' };
  if (os?.family === 'debian') return { kind: 'chrony', conf: '/etc/chrony/chrony.conf', service: 'chrony' };
  return { kind: 'chrony', conf: '/etc/chrony.conf', service: 'chronyd' };
}

/** Splits `HOST`, `HOST:PORT` or `[V6]:PORT` of an NTP server (port 123 by default). */
export function parseNtpServer(s: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : 123 };
  const hp = /^([^:]+):(\d+)$/.exec(s);
  if (hp) return { host: hp[1]!, port: Number(hp[2]) };
  return { host: s, port: 123 };
}

/** Whether `s` is an NTP server the step can write into a configuration file: a host name or address, a port. */
export function isNtpServer(s: string): boolean {
  const { host, port } = parseNtpServer(s);
  return (isHostName(host) || isIpAddress(host)) && port >= 1 && port <= 65535;
}
