import type { SystemContext } from '../../system.js';
import type { Target } from '../types.js';
import { resolveLikeSystem, type Resolution } from './dns.js';
import { tcpConnect, type TcpResult } from './tcp.js';
import { isCertError, readPresentedChain, tlsHandshake, type CertInfo, type TlsResult } from './tls.js';
import { proxyApplies, readProxyEnv } from './proxyEnv.js';
import { sntpQuery, type SntpResult } from './sntp.js';

/** The phases toward one target, each run once and shared by every check that needs it. */
export interface TargetProbe {
  target: Target;
  dns(): Promise<Resolution>;
  /** null when DNS failed. */
  tcp(): Promise<TcpResult | null>;
  /** null when DNS or TCP failed. */
  tls(): Promise<(TlsResult & { presented: CertInfo[]; viaProxy: CertInfo[] | null }) | null>;
}

const once = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
};

/** Shares probes between the checks of one doctor run (DNS, TCP and TLS happen once per target). */
export class ProbeCache {
  private readonly probes = new Map<string, TargetProbe>();
  private readonly abort = new AbortController();

  /** Ends every connection still open (at the doctor's deadline), so the process can exit. */
  close(): void {
    this.abort.abort();
  }
  constructor(
    private readonly sys: SystemContext,
    private readonly timeoutMs: number,
  ) {}

  private readonly ntpQueries = new Map<string, Promise<SntpResult>>();

  /** One SNTP query per server per run. */
  ntp(server: string): Promise<SntpResult> {
    let q = this.ntpQueries.get(server);
    if (!q) {
      q = sntpQuery(server, this.timeoutMs, this.abort.signal);
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
    const { sys, timeoutMs } = this;
    const signal = this.abort.signal;
    const dns = once(() => resolveLikeSystem(sys, t.host, timeoutMs));
    const tcp = once(async () => {
      const r = await dns();
      return r.ok ? tcpConnect(r.address, t.port, timeoutMs, signal) : null;
    });
    const tls = once(async () => {
      const [r, c] = [await dns(), await tcp()];
      if (!r.ok || !c || c.outcome !== 'open') return null;
      const ep = { address: r.address, port: t.port, servername: t.host };
      const hs = await tlsHandshake(ep, timeoutMs, signal);
      const presented = hs.ok
        ? hs.chain
        : isCertError(hs.code)
          ? await readPresentedChain(ep, timeoutMs, undefined, signal)
          : [];
      const proxy = readProxyEnv(sys.env);
      const viaProxy =
        proxy.host && proxy.port && proxy.scheme === 'http' && proxyApplies(proxy, t.host, t.port)
          ? await readPresentedChain(ep, timeoutMs, { host: proxy.host, port: proxy.port }, signal)
          : null;
      return { ...hs, presented, viaProxy };
    });
    return { target: t, dns, tcp, tls };
  }
}
