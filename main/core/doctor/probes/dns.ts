import { lookup, Resolver } from 'node:dns/promises';
import { isIpAddress } from '../../inputs/names.js';
import { analyzeHosts, readHostsDocument } from '../../hosts/hostsDocument.js';
import { resolverOptions } from '../../hosts/hostConf.js';
import { addressKey } from '../../hosts/inetAddress.js';
import { readIfExists } from '../../fsx.js';
import { hostsFilePath, type SystemContext } from '../../system.js';

/**
 * Why a DNS lookup failed, as the resolver told it apart: no server answered (`timeout`), the name does not
 * exist (`nxdomain`), the server failed (`servfail`), a server refused the query (`refused`), the name has no
 * address record (`nodata`), anything else (`other`).
 */
export type DnsFailure = 'timeout' | 'nxdomain' | 'servfail' | 'refused' | 'nodata' | 'other';

/** How a name resolved: the address, and whether the hosts file answered (and on which line). */
export type Resolution =
  | { ok: true; address: string; via: 'literal' | 'hosts' | 'resolver'; hostsLine?: number; ms: number }
  | { ok: false; code: string; failure: DnsFailure; servers: string[]; ms: number };

/**
 * What the target's hosts file answers for `name`, read as its resolver reads it (the hosts parser of
 * main/core/hosts: glibc's or Windows' reading, host.conf's `multi`): the first address and its line.
 */
export async function hostsFileLookup(
  sys: SystemContext,
  name: string,
): Promise<{ address: string; line: number } | null> {
  const file = hostsFilePath(sys);
  const data = await readIfExists(file, { root: sys.root });
  if (!data) return null;
  const st = analyzeHosts(
    readHostsDocument(data),
    [{ address: '0.0.0.0', names: [name], line: 1 }],
    file,
    await resolverOptions(sys),
  ).names[0];
  const address = st?.answers[0];
  const line = st?.mappings.find((m) => addressKey(m.parsed) === address)?.line ?? st?.firstLine;
  return address && line ? { address, line } : null;
}

/** Classifies a c-ares error code. */
export function classifyDnsError(code: string | undefined): DnsFailure {
  switch (code) {
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return 'timeout';
    case 'ENOTFOUND':
      return 'nxdomain';
    case 'ESERVFAIL':
      return 'servfail';
    case 'EREFUSED':
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENODATA':
      return 'nodata';
    default:
      return 'other';
  }
}

/**
 * Asks the nameservers of resolv.conf (c-ares, abandonable: a server that never answers costs `timeoutMs` in
 * all, and the query is cancelled when `signal` aborts). A and AAAA are asked together; A wins.
 */
export async function resolveByDns(
  name: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ ok: true; address: string } | { ok: false; code: string; failure: DnsFailure; servers: string[] }> {
  const probe = new Resolver();
  const servers = probe.getServers();
  // c-ares tries each server in turn: share the time between them so that silent servers cost one timeout.
  const perServer = Math.max(100, Math.floor(timeoutMs / Math.max(1, servers.length)));
  const resolver = new Resolver({ timeout: perServer, tries: 1 });
  const cancel = (): void => resolver.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  const timer = setTimeout(cancel, timeoutMs + 50);
  try {
    const [a, aaaa] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    if (a.status === 'fulfilled' && a.value[0]) return { ok: true, address: a.value[0] };
    if (aaaa.status === 'fulfilled' && aaaa.value[0]) return { ok: true, address: aaaa.value[0] };
    const codeOf = (r: PromiseSettledResult<string[]>): string | undefined =>
      r.status === 'rejected' ? (r.reason as NodeJS.ErrnoException).code : 'ENODATA';
    // The A answer says more than the AAAA one (a server with no IPv6 record answers ENODATA there).
    const code = codeOf(a) ?? codeOf(aaaa) ?? 'EAI_FAIL';
    return { ok: false, code, failure: classifyDnsError(code), servers };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
}

/** The value of `p`, or null when it fails, takes longer than `ms`, or `signal` aborts first. */
function abandonable<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<T | null> {
  if (signal?.aborted) return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = (v: T | null): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onAbort = (): void => done(null);
    const timer = setTimeout(onAbort, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(done, () => done(null));
  });
}

/**
 * Resolves a name as the system resolver does: the hosts file first (read with the project's hosts parser), then
 * the nameservers of resolv.conf. Under `--root` the root's hosts file is read first, then this machine's DNS.
 */
export async function resolveLikeSystem(
  sys: SystemContext,
  name: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Resolution> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  if (isIpAddress(name)) return { ok: true, address: name, via: 'literal', ms: 0 };
  const fromHosts = await hostsFileLookup(sys, name);
  if (fromHosts) return { ok: true, address: fromHosts.address, via: 'hosts', hostsLine: fromHosts.line, ms: ms() };
  const r = await resolveByDns(name, timeoutMs, signal);
  if (r.ok) return { ok: true, address: r.address, via: 'resolver', ms: ms() };
  // A short name is completed by resolv.conf's search domains, which c-ares' queries do not apply: ask the
  // system's resolver for it, given up at the timeout or the deadline.
  if (!name.includes('.') && (r.failure === 'nxdomain' || r.failure === 'nodata')) {
    const left = Math.max(0, timeoutMs - ms());
    const address = await abandonable(
      lookup(name).then((x) => x.address),
      left,
      signal,
    );
    if (address) return { ok: true, address, via: 'resolver', ms: ms() };
  }
  return { ...r, ms: ms() };
}
