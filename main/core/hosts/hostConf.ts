import { readIfExists } from '../fsx.js';
import type { SystemContext } from '../system.js';

/** How the system resolver reads the hosts file. */
export interface ResolverOptions {
  /**
   * `multi on` in /etc/host.conf: getaddrinfo and gethostbyname collect every line that maps a name (and sort
   * the answers), so a later line can win too. Without it the first matching line answers.
   */
  multi: boolean;
  /** glibc (Linux) or the Windows DNS client. */
  dialect: 'glibc' | 'windows';
}

const isCSpace = (c: string): boolean => c === ' ' || (c >= '\t' && c <= '\r');

/**
 * Reads `multi` from host.conf as glibc's res_hconf does: keywords case-insensitive, `on`/`off` matched as a
 * prefix, `#` starts a comment, the last line wins; no file (or no `multi` line) means off.
 */
export function parseHostConf(data: Buffer | null): { multi: boolean } {
  let multi = false;
  if (!data) return { multi };
  for (const raw of data.toString('latin1').split('\n')) {
    let i = 0;
    while (i < raw.length && isCSpace(raw[i]!)) i++;
    if (raw[i] === '#') continue;
    const start = i;
    while (i < raw.length && !isCSpace(raw[i]!) && raw[i] !== '#' && raw[i] !== ',') i++;
    if (raw.slice(start, i).toLowerCase() !== 'multi') continue;
    while (i < raw.length && isCSpace(raw[i]!)) i++;
    const arg = raw.slice(i, i + 3).toLowerCase();
    if (arg.startsWith('on')) multi = true;
    else if (arg === 'off') multi = false;
  }
  return { multi };
}

/**
 * The target system's resolver: host.conf's `multi` on Linux; on Windows the DNS Client service returns every
 * line that maps a name (Microsoft's "Preload the DNS client resolver cache": "a single DNS host name can
 * correspond to more than one IP address if each of the addresses is mapped … in separate lines").
 */
export async function resolverOptions(sys: SystemContext): Promise<ResolverOptions> {
  if (sys.os === 'windows') return { multi: true, dialect: 'windows' };
  return { ...parseHostConf(await readIfExists(sys.path('/etc/host.conf'), { root: sys.root })), dialect: 'glibc' };
}

/** What plan and the doctor assume when host.conf was not read: `multi on`, the Debian and RHEL default. */
export const DEFAULT_RESOLVER: ResolverOptions = { multi: true, dialect: 'glibc' };
