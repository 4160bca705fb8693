import { lookup } from 'node:dns/promises';
import { isIpAddress, sameHostName } from '../../inputs/names.js';
import { lineEntry, readHostsDocument } from '../../hosts/hostsDocument.js';
import { readIfExists } from '../../fsx.js';
import { hostsFilePath, type SystemContext } from '../../system.js';

/** How a name resolved: the address, and whether the hosts file answered (and on which line). */
export type Resolution =
  | { ok: true; address: string; via: 'literal' | 'hosts' | 'resolver'; hostsLine?: number; ms: number }
  | { ok: false; code: string; ms: number };

/** The first line of the target's hosts file mapping `name`, as the resolver reads it. */
export async function hostsFileLookup(
  sys: SystemContext,
  name: string,
): Promise<{ address: string; line: number } | null> {
  const data = await readIfExists(hostsFilePath(sys));
  if (!data) return null;
  const doc = readHostsDocument(data);
  for (let i = 0; i < doc.lineCount; i++) {
    const e = lineEntry(doc.lineText(i));
    if (e && e.names.some((n) => sameHostName(n, name))) return { address: e.address, line: i + 1 };
  }
  return null;
}

/**
 * Resolves a name as the system resolver does: hosts file first, then DNS. On the running system this is
 * getaddrinfo (`dns.lookup`); under `--root` the root's hosts file is read first, then the system's resolver.
 */
export async function resolveLikeSystem(sys: SystemContext, name: string, timeoutMs: number): Promise<Resolution> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  if (isIpAddress(name)) return { ok: true, address: name, via: 'literal', ms: 0 };
  const fromHosts = await hostsFileLookup(sys, name);
  if (fromHosts && !sys.live)
    return { ok: true, address: fromHosts.address, via: 'hosts', hostsLine: fromHosts.line, ms: ms() };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Resolution>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, code: 'ETIMEOUT', ms: ms() }), timeoutMs);
  });
  const query = lookup(name, { verbatim: true }).then(
    (r): Resolution =>
      fromHosts && r.address === fromHosts.address
        ? { ok: true, address: r.address, via: 'hosts', hostsLine: fromHosts.line, ms: ms() }
        : { ok: true, address: r.address, via: 'resolver', ms: ms() },
    (e: NodeJS.ErrnoException): Resolution => ({ ok: false, code: e.code ?? 'EAI_FAIL', ms: ms() }),
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
