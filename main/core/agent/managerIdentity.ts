import { lookup } from 'node:dns/promises';
import { isIpAddress, sameHostName } from '../inputs/names.js';
import { parseEndpoint, type HostPort } from '../inputs/hostPort.js';

/**
 * Which Trend SaaS service a manager host belongs to (`workload:us-1`…), null for an on-premises manager. The agent
 * reports the endpoint it really talks to (`agents-004.workload.us-1.cloudone.trendmicro.com`), not the activation
 * URL's name (`agents.deepsecurity.trendmicro.com`, `agents.workload.us-1.cloudone.trendmicro.com`): both are one
 * service. The Deep Security as a Service names are Cloud One's us-1 region.
 */
export function saasService(host: string): string | null {
  const h = host.replace(/\.$/, '').toLowerCase();
  if (/^(?:agents|app|dsm|relay)(?:-\d+)?\.deepsecurity\.trendmicro\.com$/.test(h)) return 'workload:us-1';
  const c1 = /^(?:[a-z]+(?:-\d+)?\.)?workload\.([a-z]{2}-\d+)\.cloudone\.trendmicro\.com$/.exec(h);
  if (c1) return `workload:${c1[1]}`;
  if (/(^|\.)trendmicro\.com$/.test(h)) return `trend:${h.replace(/^[a-z]+(?:-\d+)?\./, '')}`;
  return null;
}

/** Addresses of names, resolved beforehand (the predicate itself never waits on DNS). */
export type ResolvedNames = ReadonlyMap<string, readonly string[]>;

/**
 * The one "is this the manager we are activating with?" predicate. Compares what identifies a manager: the same
 * SaaS service (and tenant, when both are known); on-premises the same name, or a name that resolves to the address
 * the agent reports (`resolved`). Null when it cannot tell (an unreadable URL, an address against a name that was not
 * resolved): never "another manager" on a guess.
 */
export function isSameManager(
  reportedUrl: string,
  wanted: HostPort,
  opts: { resolved?: ResolvedNames; reportedTenant?: string; wantedTenant?: string } = {},
): boolean | null {
  const got = parseEndpoint(reportedUrl);
  if (!got) return null;
  const sr = saasService(got.host);
  const sw = saasService(wanted.host);
  if (sr || sw) {
    if (sr !== sw) return false;
    if (opts.reportedTenant && opts.wantedTenant)
      return opts.reportedTenant.toLowerCase() === opts.wantedTenant.toLowerCase();
    return true;
  }
  if (sameHostName(got.host, wanted.host)) return true;
  const addrs = (h: string): readonly string[] | null =>
    isIpAddress(h) ? [h] : (opts.resolved?.get(h.toLowerCase()) ?? null);
  const a = addrs(got.host);
  const b = addrs(wanted.host);
  if (a && b) return a.some((x) => b.includes(x));
  // Two different names and nothing resolved that joins them: another manager. A name against an address
  // that could not be resolved: it cannot tell.
  return isIpAddress(got.host) || isIpAddress(wanted.host) ? null : false;
}

/** Resolves the names among `hosts` (addresses are left out) with the system resolver, each within `timeoutMs`. */
export async function resolveNames(hosts: readonly string[], timeoutMs = 3_000): Promise<ResolvedNames> {
  const out = new Map<string, string[]>();
  await Promise.all(
    hosts
      .filter((h) => !isIpAddress(h))
      .map(async (h) => {
        const found = await Promise.race([
          lookup(h, { all: true }).then(
            (r) => r.map((x) => x.address),
            () => null,
          ),
          new Promise<null>((res) => setTimeout(() => res(null), timeoutMs).unref()),
        ]);
        if (found) out.set(h.toLowerCase(), found);
      }),
  );
  return out;
}
