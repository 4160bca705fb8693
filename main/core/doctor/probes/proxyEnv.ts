import { isIP } from 'node:net';

/** The proxy the environment asks HTTPS clients to use, and the names it excludes. */
export interface ProxyEnv {
  /** HTTPS_PROXY (or https_proxy, then ALL_PROXY) as given. */
  raw: string | null;
  /** Which variable it came from. */
  variable: string | null;
  scheme: string | null;
  host: string | null;
  port: number | null;
  noProxy: string[];
}

/** Reads HTTPS_PROXY / https_proxy / ALL_PROXY and NO_PROXY / no_proxy from an environment. */
export function readProxyEnv(env: NodeJS.ProcessEnv): ProxyEnv {
  const names = ['HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'];
  const variable = names.find((n) => env[n]?.trim()) ?? null;
  const raw = variable ? env[variable]!.trim() : null;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  let scheme: string | null = null;
  let host: string | null = null;
  let port: number | null = null;
  if (raw) {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
    try {
      const u = new URL(withScheme);
      scheme = u.protocol.replace(/:$/, '').toLowerCase();
      host = u.hostname.replace(/^\[|\]$/g, '');
      port = u.port ? Number(u.port) : scheme === 'https' ? 443 : scheme.startsWith('socks') ? 1080 : 80;
    } catch {
      scheme = null;
    }
  }
  return { raw, variable, scheme, host, port, noProxy };
}

/** Whether NO_PROXY exempts host:port (`*`, exact names, `.suffix` / `suffix` domains, `host:port`, IPs). */
export function bypassesProxy(p: ProxyEnv, host: string, port: number): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const rule of p.noProxy) {
    if (rule === '*') return true;
    const [rhost, rport] = rule.includes(':') && !isIP(rule) ? rule.split(/:(?=\d+$)/) : [rule, undefined];
    if (rport && Number(rport) !== port) continue;
    const r = (rhost ?? '').replace(/^\*?\./, '');
    if (!r) continue;
    if (h === r || h.endsWith(`.${r}`)) return true;
  }
  return false;
}

/** Whether the environment's proxy applies to host:port (a proxy is set and NO_PROXY does not exempt it). */
export function proxyApplies(p: ProxyEnv, host: string, port: number): boolean {
  return p.raw !== null && !bypassesProxy(p, host, port);
}
