import {
  checkServerIdentity as defaultIdentityCheck,
  connect as tlsConnect,
  type DetailedPeerCertificate,
  type TLSSocket,
} from 'node:tls';
import { connect as netConnect, isIP } from 'node:net';

/** One certificate of the chain the server presented. */
export interface CertInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

/** What the manager's HTTP answer said (status and its clock). */
export interface HttpAnswer {
  status: number | null;
  /** The `Date` header, when present. */
  date: string | null;
  /** Local clock when the answer arrived (ms since epoch). */
  receivedAt: number;
}

export type TlsResult =
  | {
      ok: true;
      chain: CertInfo[];
      protocol: string | null;
      ms: number;
      answer: HttpAnswer | null;
      answerError?: string;
    }
  | { ok: false; code: string; message: string; chain: CertInfo[]; ms: number };

/** Ends a socket and its timer when the run is aborted (the doctor's deadline); the socket's own handlers settle. */
function abortWith(
  signal: AbortSignal | undefined,
  socket: { destroy(e?: Error): void; once(ev: 'close', f: () => void): unknown },
  timer: NodeJS.Timeout,
): void {
  if (!signal) return;
  const onAbort = (): void => {
    clearTimeout(timer);
    socket.destroy(Object.assign(new Error('aborted at the deadline'), { code: 'ABORT_ERR' }));
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  socket.once('close', () => signal.removeEventListener('abort', onAbort));
}

/** Certificate verification failures (as opposed to a broken or cut connection). */
const CERT_CODES =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

/** Whether an error code is a certificate verification failure. */
export function isCertError(code: string): boolean {
  return CERT_CODES.test(code);
}

function dn(o: Record<string, string | string[] | undefined> | undefined): string {
  if (!o) return '';
  return Object.entries(o)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : (v ?? '')}`)
    .join(', ');
}

const iso = (s: string): string => {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
};

/** The chain as presented, leaf first. */
export function chainOf(socket: TLSSocket): CertInfo[] {
  const out: CertInfo[] = [];
  let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (c && c.fingerprint256 && !seen.has(c.fingerprint256) && out.length < 10) {
    seen.add(c.fingerprint256);
    out.push({
      subject: dn(c.subject as unknown as Record<string, string>),
      issuer: dn(c.issuer as unknown as Record<string, string>),
      validFrom: iso(c.valid_from),
      validTo: iso(c.valid_to),
      fingerprint256: c.fingerprint256,
    });
    c = c.issuerCertificate;
  }
  return out;
}

interface Endpoint {
  /** Address to connect to (already resolved). */
  address: string;
  port: number;
  /** The manager's name: SNI and the name the certificate must carry. */
  servername: string;
}

function sni(servername: string): string | undefined {
  return isIP(servername) ? undefined : servername;
}

/** Reads the response head of one `GET /` over an open TLS socket. */
function readHttpAnswer(socket: TLSSocket, host: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      const head = buf.split('\r\n\r\n')[0] ?? '';
      const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head)?.[1];
      const date = /^date:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? null;
      resolve({ status: status ? Number(status) : null, date, receivedAt: Date.now() });
    };
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      buf += d;
      if (buf.includes('\r\n\r\n') || buf.length > 65536) done();
    });
    socket.once('end', () => (buf ? done() : (clearTimeout(timer), reject(new Error('closed')))));
    socket.once('close', () => (buf ? done() : (clearTimeout(timer), reject(new Error('closed')))));
    socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: dsa-setup-doctor\r\nConnection: close\r\n\r\n`);
  });
}

/**
 * A TLS handshake with full validation (system trust store plus NODE_EXTRA_CA_CERTS, host name checked);
 * on success asks `GET /` to see the manager answer and its `Date` header.
 */
export function tlsHandshake(ep: Endpoint, timeoutMs: number, signal?: AbortSignal): Promise<TlsResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const servername = sni(ep.servername);
    const socket = tlsConnect({
      host: ep.address,
      port: ep.port,
      ...(servername ? { servername } : {}),
      rejectUnauthorized: true,
      // The certificate must carry the manager's name (or address), not just the address we connected to.
      checkServerIdentity: (_h, cert) => defaultIdentityCheck(ep.servername, cert),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, code: 'ETIMEDOUT', message: 'handshake timed out', chain: [], ms: ms() });
    }, timeoutMs);
    abortWith(signal, socket, timer);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chain = chainOf(socket);
      const protocol = socket.getProtocol();
      const handshakeMs = ms();
      readHttpAnswer(socket, ep.servername, timeoutMs).then(
        (answer) => {
          socket.destroy();
          resolve({ ok: true, chain, protocol, ms: handshakeMs, answer });
        },
        (e: Error) => {
          socket.destroy();
          resolve({ ok: true, chain, protocol, ms: handshakeMs, answer: null, answerError: e.message });
        },
      );
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, code: e.code ?? 'ERR_TLS', message: e.message, chain: [], ms: ms() });
    });
  });
}

/**
 * Reads the chain a server presents, for the report only, after a validating handshake already failed on
 * the certificate: Node gives no access to the chain of a rejected handshake. Nothing is sent over this
 * connection and it is closed at once; the verdict always comes from the validating handshake.
 */
export function readPresentedChain(
  ep: Endpoint,
  timeoutMs: number,
  via?: ProxyTunnel,
  signal?: AbortSignal,
): Promise<CertInfo[]> {
  return new Promise((resolve) => {
    const servername = sni(ep.servername);
    const start = (sock?: import('node:net').Socket): void => {
      const socket = tlsConnect({
        ...(sock ? { socket: sock } : { host: ep.address, port: ep.port }),
        ...(servername ? { servername } : {}),
        rejectUnauthorized: false, // chain read only: see the doc comment
      });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve([]);
      }, timeoutMs);
      abortWith(signal, socket, timer);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        const chain = chainOf(socket);
        socket.destroy();
        resolve(chain);
      });
      socket.once('error', () => {
        clearTimeout(timer);
        socket.destroy();
        resolve([]);
      });
    };
    if (!via) start();
    else
      openTunnel(via, ep.servername, ep.port, timeoutMs, signal).then(
        (s) => (s ? start(s) : resolve([])),
        () => resolve([]),
      );
  });
}

/** An HTTP proxy to tunnel through (`CONNECT host:port`). */
export interface ProxyTunnel {
  host: string;
  port: number;
}

/** Opens a CONNECT tunnel through an HTTP proxy; null when the proxy refuses or does not answer. */
export function openTunnel(
  proxy: ProxyTunnel,
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<import('node:net').Socket | null> {
  return new Promise((resolve) => {
    const s = netConnect({ host: proxy.host, port: proxy.port });
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(null);
    }, timeoutMs);
    abortWith(signal, s, timer);
    s.once('connect', () => s.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`));
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      s.off('data', onData);
      if (/^HTTP\/\d(?:\.\d)? 2\d\d/.test(buf)) resolve(s);
      else {
        s.destroy();
        resolve(null);
      }
    };
    s.on('data', onData);
    s.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}
