import { isHostName, isIpAddress } from '../inputs/names.js';

/** The time service the time-sync step points at the server. */
export type TimeSyncPlatform =
  { kind: 'chrony'; conf: string; service: string } | { kind: 'ntpd'; conf: string } | { kind: 'w32time' };

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
