import type { SystemContext } from '../../system.js';

/**
 * What the routing table says about an address: a route (through a gateway or on a directly attached link, with
 * the neighbour's state there), none at all, or a route that refuses by design (`prohibit`, `blackhole`,
 * `unreachable`); `unknown` when it could not be asked.
 */
export interface RouteInfo {
  kind: 'route' | 'none' | 'prohibit' | 'blackhole' | 'unreachable' | 'unknown';
  dev?: string;
  via?: string;
  /** On a directly attached link: the neighbour (ARP/NDP) state, e.g. FAILED or INCOMPLETE for a host that is down. */
  neighbour?: string;
  /** The command asked, for the report (`ip route get 10.0.0.5`). */
  asked: string;
}

/** Reads `ip route get` output and its error text (RTNETLINK's errno names the route type). */
export function parseIpRouteGet(stdout: string, stderr: string): Omit<RouteInfo, 'asked'> {
  if (/Permission denied/i.test(stderr)) return { kind: 'prohibit' };
  if (/Invalid argument/i.test(stderr)) return { kind: 'blackhole' };
  if (/No route to host/i.test(stderr)) return { kind: 'unreachable' };
  if (/Network is unreachable/i.test(stderr)) return { kind: 'none' };
  const first = stdout.split('\n')[0] ?? '';
  const typed = /^(prohibit|blackhole|unreachable)\b/.exec(first)?.[1] as RouteInfo['kind'] | undefined;
  if (typed) return { kind: typed };
  const dev = /\bdev (\S+)/.exec(first)?.[1];
  if (!dev) return { kind: 'unknown' };
  const via = /\bvia (\S+)/.exec(first)?.[1];
  return { kind: 'route', dev, ...(via ? { via } : {}) };
}

/** Reads `Find-NetRoute -RemoteIPAddress A | Select -Last 1 NextHop,InterfaceAlias | ConvertTo-Json` output. */
export function parseFindNetRoute(stdout: string, exitCode: number | null): Omit<RouteInfo, 'asked'> {
  if (exitCode !== 0 || !stdout.trim()) return { kind: 'none' };
  try {
    const j = JSON.parse(stdout) as { NextHop?: string; InterfaceAlias?: string };
    const via = j.NextHop && !/^(0\.0\.0\.0|::)$/.test(j.NextHop) ? j.NextHop : undefined;
    return { kind: 'route', ...(j.InterfaceAlias ? { dev: j.InterfaceAlias } : {}), ...(via ? { via } : {}) };
  } catch {
    return { kind: 'unknown' };
  }
}

/**
 * Asks this machine how it routes to `address` (Linux `ip route get` / `ip neigh`, Windows `Find-NetRoute`).
 * The connections are made from this machine also under `--root`, so its routing table is the one asked.
 */
export async function routeTo(sys: SystemContext, address: string, timeoutMs: number): Promise<RouteInfo> {
  if (process.platform === 'win32') {
    const script = `Find-NetRoute -RemoteIPAddress '${address.replace(/'/g, '')}' | Select-Object -Last 1 NextHop,InterfaceAlias | ConvertTo-Json`;
    const r = await sys.exec.runReal('powershell', ['-NoProfile', '-NonInteractive', '-Command', script], {
      timeoutMs,
    });
    return { ...parseFindNetRoute(r.stdout, r.exitCode), asked: `Find-NetRoute -RemoteIPAddress ${address}` };
  }
  const asked = `ip route get ${address}`;
  const r = await sys.exec.runReal('ip', ['route', 'get', address], { timeoutMs });
  if (r.notFound) return { kind: 'unknown', asked };
  const info: RouteInfo = { ...parseIpRouteGet(r.stdout, r.stderr), asked };
  if (info.kind === 'route' && !info.via && info.dev) {
    const n = await sys.exec.runReal('ip', ['neigh', 'show', 'to', address, 'dev', info.dev], { timeoutMs });
    const state = /\b(FAILED|INCOMPLETE|REACHABLE|STALE|DELAY|PROBE|PERMANENT|NOARP)\b/.exec(n.stdout)?.[1];
    if (state) info.neighbour = state;
  }
  return info;
}
