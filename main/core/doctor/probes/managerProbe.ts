import type { SystemContext } from '../../system.js';
import type { Target } from '../types.js';
import { resolveLikeSystem, type Resolution } from './dns.js';
import { tcpConnect, type TcpResult } from './tcp.js';
import { openTunnel, tlsHandshake, type CertInfo, type ProxyTunnel, type TlsResult, type TunnelResult } from './tls.js';
import { routeTo, type RouteInfo } from './route.js';
import { sntpQuery, type SntpResult } from './sntp.js';

/** The proxy the agent itself uses (`dsa_control -x`, its configuration, or the doctor's `--proxy`). */
export interface AgentProxy extends ProxyTunnel {
  /** Where it was found: `--proxy`, or the agent's file. */
  source: string;
}

/** How the path to a target's port went: direct (with the route when it failed), or through the agent's proxy. */
export type PathResult = TcpResult & {
  address: string;
  /** When the connect did not open: what the routing table says about the address. */
  route?: RouteInfo;
  /** Through the agent's proxy: how it answered CONNECT. */
  tunnel?: Omit<Extract<TunnelResult, { ok: false }>, 'ok'> | { statusLine: string; ms: number; status: number };
  proxy?: AgentProxy;
};

/** The phases toward one target, each run once and shared by every check that needs it. */
export interface TargetProbe {
  target: Target;
  dns(): Promise<Resolution>;
  /** null when DNS failed (and no proxy is in the path). */
  tcp(): Promise<PathResult | null>;
  /** null when the path did not open. */
  tls(): Promise<TlsProbe | null>;
}

/** A handshake on the agent's path; through a proxy, also the chain presented directly (when reachable). */
export type TlsProbe = TlsResult & { viaProxy?: string; directChain?: CertInfo[] };

/** How long a connect may take before the route to its address is asked in parallel (ms). */
const ROUTE_ASK_AFTER_MS = 250;

const once = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
};

/** Shares probes between the checks of one doctor run (DNS, TCP and TLS happen once per target). */
export class ProbeCache {
  private readonly probes = new Map<string, TargetProbe>();
  private readonly ntpQueries = new Map<string, Promise<SntpResult>>();

  constructor(
    private readonly sys: SystemContext,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal,
    /** The agent's proxy: the path to the manager goes through it (HTTPS_PROXY is never the agent's path). */
    readonly proxy: AgentProxy | null = null,
  ) {}

  /** Resolves a name as the system does, abandoned at the deadline. */
  resolve(name: string): Promise<Resolution> {
    return resolveLikeSystem(this.sys, name, this.timeoutMs, this.signal);
  }

  /** One SNTP query per server per run. */
  ntp(server: string): Promise<SntpResult> {
    let q = this.ntpQueries.get(server);
    if (!q) {
      q = sntpQuery(server, this.timeoutMs, this.signal, async (h) => {
        const r = await this.resolve(h);
        return r.ok ? { address: r.address } : { code: r.code };
      });
      this.ntpQueries.set(server, q);
    }
    return q;
  }

  /** The probe of a target (created on first use). */
  target(t: Target): TargetProbe {
    const key = `${t.host}:${t.port}`;
    let p = this.probes.get(key);
    if (!p) {
      p = this.create(t);
      this.probes.set(key, p);
    }
    return p;
  }

  private create(t: Target): TargetProbe {
    const { sys, timeoutMs, signal } = this;
    const proxy = t.role === 'manager' ? this.proxy : null;
    const dns = once(() => this.resolve(t.host));
    const viaProxy = async (): Promise<{ path: PathResult; tunnel: TunnelResult | null }> => {
      const p = proxy!;
      const pr = await this.resolve(p.host);
      if (!pr.ok)
        return {
          path: { outcome: 'error', code: pr.code, ms: pr.ms, address: p.host, proxy: p },
          tunnel: null,
        };
      const tun = await openTunnel({ host: pr.address, port: p.port }, t.host, t.port, timeoutMs, signal);
      if (tun.ok) {
        const tunnel = { statusLine: tun.statusLine, ms: tun.ms, status: 200 };
        return { path: { outcome: 'open', ms: tun.ms, address: pr.address, proxy: p, tunnel }, tunnel: tun };
      }
      const { ok: _ok, ...refused } = tun;
      const outcome: PathResult['outcome'] =
        tun.code === 'ECONNREFUSED' ? 'refused' : tun.code === 'ETIMEDOUT' ? 'timeout' : 'error';
      return {
        path: {
          outcome,
          ...(tun.code ? { code: tun.code } : {}),
          ms: tun.ms,
          address: pr.address,
          proxy: p,
          tunnel: refused,
        },
        tunnel: tun,
      };
    };
    const tcp = once(async (): Promise<PathResult | null> => {
      if (proxy) {
        const { path, tunnel } = await viaProxy();
        if (tunnel?.ok) tunnel.socket.destroy();
        return path;
      }
      const r = await dns();
      if (!r.ok) return null;
      // Timed out or unreachable: the routing table tells a missing route from a host that did not answer. A
      // connect still pending after a moment asks it meanwhile, so a dropped port costs no more than its timeout.
      const askRoute = (): Promise<RouteInfo> => routeTo(sys, r.address, Math.min(timeoutMs, 2_000));
      let route: Promise<RouteInfo> | null = null;
      const early = setTimeout(() => (route = askRoute()), ROUTE_ASK_AFTER_MS);
      const c = await tcpConnect(r.address, t.port, timeoutMs, signal);
      clearTimeout(early);
      if (c.outcome === 'open' || c.outcome === 'refused' || c.code === 'ABORT_ERR')
        return { ...c, address: r.address };
      return { ...c, address: r.address, route: await (route ?? askRoute()) };
    });
    const tls = once(async (): Promise<TlsProbe | null> => {
      const c = await tcp();
      if (!c || c.outcome !== 'open') return null;
      if (proxy) {
        const { tunnel } = await viaProxy();
        if (!tunnel?.ok) return null;
        // The chain presented directly, when this machine can connect directly: a proxy that re-signs shows.
        const r = await dns();
        const [viaTls, direct] = await Promise.all([
          tlsHandshake({ address: t.host, port: t.port, servername: t.host }, timeoutMs, signal, tunnel.socket),
          r.ok
            ? tlsHandshake({ address: r.address, port: t.port, servername: t.host }, timeoutMs, signal)
            : Promise.resolve(null),
        ]);
        return {
          ...viaTls,
          viaProxy: `${proxy.host}:${proxy.port}`,
          ...(direct?.chain.length ? { directChain: direct.chain } : {}),
        };
      }
      return tlsHandshake({ address: c.address, port: t.port, servername: t.host }, timeoutMs, signal);
    });
    return { target: t, dns, tcp, tls };
  }
}
