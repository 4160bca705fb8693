import {
  checkServerIdentity as defaultIdentityCheck,
  connect as tlsConnect,
  type DetailedPeerCertificate,
  type TLSSocket,
  rootCertificates,
} from 'node:tls';
import { connect as netConnect, isIP } from 'node:net';
import { X509Certificate } from 'node:crypto';

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

/** A handshake that completed: the chain, whether it ends in a public root, and the manager's HTTP answer. */
interface Handshaken {
  chain: CertInfo[];
  protocol: string | null;
  ms: number;
  answer: HttpAnswer | null;
  answerError?: string;
  /** The chain ends in a root of Node's bundled (public) store. */
  publicRoot: boolean;
}

/** `ok`: the certificate validated. A failed validation still carries the chain and the answer when it got them. */
export type TlsResult =
  | ({ ok: true } & Handshaken)
  | ({ ok: false; code: string; message: string } & Partial<Handshaken> & { chain: CertInfo[]; ms: number });

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

/** Reads the response head of one `GET /` over an open TLS socket (no credential is sent). */
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

/** Node's bundled root certificates (Mozilla's store), parsed once. */
let bundledRoots: X509Certificate[] | null = null;
function publicRoots(): X509Certificate[] {
  bundledRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return bundledRoots;
}

/** Whether a chain (leaf first, DER) ends in a root of Node's bundled public store (not the system's or extra CAs). */
export function endsInPublicRoot(raw: Buffer[]): boolean {
  const certs = raw.map((d) => new X509Certificate(d));
  const roots = publicRoots();
  for (const c of certs) {
    if (roots.some((r) => r.fingerprint256 === c.fingerprint256)) return true;
    if (roots.some((r) => c.checkIssued(r) && c.verify(r.publicKey))) return true;
  }
  return false;
}

/**
 * A TLS handshake that validates (system trust store plus NODE_EXTRA_CA_CERTS, the manager's name checked) and
 * reads the presented chain in the same connection; then, whatever the verdict on the certificate, asks `GET /`
 * (no credential sent) to see the manager answer and its `Date`. `ok` is the validation's verdict.
 */
export function tlsHandshake(
  ep: Endpoint,
  timeoutMs: number,
  signal?: AbortSignal,
  socketVia?: import('node:net').Socket,
): Promise<TlsResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const servername = sni(ep.servername);
    const socket = tlsConnect({
      ...(socketVia ? { socket: socketVia } : { host: ep.address, port: ep.port }),
      ...(servername ? { servername } : {}),
      // Judged below from `authorized` and the name check, so that the chain and the manager's answer are read
      // even when the certificate is not trusted (an on-premises manager's default self-signed certificate).
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, code: 'ETIMEDOUT', message: 'handshake timed out', chain: [], ms: ms() });
    }, timeoutMs);
    abortWith(signal, socket, timer);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chain = chainOf(socket);
      const raw = rawChainOf(socket);
      const protocol = socket.getProtocol();
      const handshakeMs = ms();
      const peer = socket.getPeerCertificate();
      const nameError = peer ? defaultIdentityCheck(ep.servername, peer) : undefined;
      const authError = socket.authorized
        ? null
        : String(socket.authorizationError ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      const code =
        authError ?? (nameError ? ((nameError as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID') : null);
      const publicRoot = raw.length ? endsInPublicRoot(raw) : false;
      const settle = (answer: HttpAnswer | null, answerError?: string): void => {
        socket.destroy();
        const base = { chain, protocol, ms: handshakeMs, answer, publicRoot, ...(answerError ? { answerError } : {}) };
        resolve(code ? { ok: false, code, message: nameError?.message ?? code, ...base } : { ok: true, ...base });
      };
      readHttpAnswer(socket, ep.servername, timeoutMs).then(
        (a) => settle(a),
        (e: Error) => settle(null, e.message),
      );
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, code: e.code ?? 'ERR_TLS', message: e.message, chain: [], ms: ms() });
    });
  });
}

/** The chain as presented, leaf first, as DER. */
function rawChainOf(socket: TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (c && c.raw && !seen.has(c.fingerprint256) && out.length < 10) {
    seen.add(c.fingerprint256);
    out.push(c.raw);
    c = c.issuerCertificate;
  }
  return out;
}

/** An HTTP proxy to tunnel through (`CONNECT host:port`). */
export interface ProxyTunnel {
  host: string;
  port: number;
}

/** How a proxy answered `CONNECT`: the tunnel, or why there is none (the status line, or the connect error). */
export type TunnelResult =
  | { ok: true; socket: import('node:net').Socket; statusLine: string; ms: number }
  | { ok: false; status: number | null; statusLine: string | null; code: string | null; ms: number };

/** Opens a CONNECT tunnel through an HTTP proxy (no credential is sent) and says how the proxy answered. */
export function openTunnel(
  proxy: ProxyTunnel,
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TunnelResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const s = netConnect({ host: proxy.host, port: proxy.port });
    let buf = '';
    let settled = false;
    const fail = (status: number | null, statusLine: string | null, code: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ ok: false, status, statusLine, code, ms: ms() });
    };
    const timer = setTimeout(() => fail(null, null, 'ETIMEDOUT'), timeoutMs);
    abortWith(signal, s, timer);
    const target = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    s.once('connect', () => s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      s.off('data', onData);
      const statusLine = buf.split('\r\n')[0]!.trim();
      const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1] ?? NaN);
      if (status >= 200 && status < 300) {
        settled = true;
        clearTimeout(timer);
        resolve({ ok: true, socket: s, statusLine, ms: ms() });
      } else fail(Number.isNaN(status) ? null : status, statusLine, null);
    };
    s.on('data', onData);
    s.once('error', (e: NodeJS.ErrnoException) => fail(null, null, e.code ?? 'EIO'));
    s.once('close', () => fail(null, buf.split('\r\n')[0] || null, buf ? null : 'ECONNRESET'));
  });
}
