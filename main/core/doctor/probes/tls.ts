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
  /** The names it is for (`DNS:a, IP Address:…` as OpenSSL prints them; empty when it has none). */
  altNames?: string;
}

/**
 * What came back to `GET /`: a whole HTTP response head (`http`), one cut off before its end (`cut`: the
 * connection closed in the middle), or bytes that are not HTTP at all (`notHttp`: another service listens).
 */
export type AnswerKind = 'http' | 'cut' | 'notHttp';

/** What the manager's HTTP answer said (status and its clock). */
export interface HttpAnswer {
  kind: AnswerKind;
  /** The status of a whole `http` head; null otherwise. */
  status: number | null;
  /** The first line received, printable characters only, at most 80 (what answered, for the message). */
  firstLine: string;
  /** Bytes received before the head ended or the connection closed. */
  bytes: number;
  /** The `Date` header of a whole head, when present. */
  date: string | null;
  /** Local clock when the answer arrived (ms since epoch). */
  receivedAt: number;
  /**
   * A header that names a device other than the manager answering (a proxy, firewall or WAF): its kind and the
   * header line as received (printable characters, at most 80). null when no header names one.
   */
  middlebox: { kind: MiddleboxKind; header: string } | null;
}

/** What answered in the manager's place: a forward/inspecting proxy, or a firewall, WAF or load balancer. */
export type MiddleboxKind = 'proxy' | 'firewall' | 'loadBalancer';

/**
 * Headers by which a proxy, firewall, WAF or load balancer signs its own answer (Squid's `X-Squid-Error` and
 * `Server: squid/…`, a `Via` a proxy adds, FortiGate/FortiWeb, F5 BIG-IP, Palo Alto, Imperva's `X-Iinfo`,
 * Zscaler, Blue Coat, McAfee/Skyhigh Web Gateway, AWS's `awselb`, Cloudflare, Akamai…). A Deep Security Manager
 * answers with none of them.
 */
const MIDDLEBOX_HEADERS: { name: RegExp; value: RegExp; kind: MiddleboxKind }[] = [
  { name: /^x-squid-error$/, value: /./, kind: 'proxy' },
  { name: /^(via|proxy-agent|proxy-connection)$/, value: /./, kind: 'proxy' },
  {
    name: /^server$/,
    value: /squid|bluecoat|blue coat|proxysg|zscaler|mcafee web gateway|skyhigh|websense|forcepoint|netcache/i,
    kind: 'proxy',
  },
  {
    name: /^server$/,
    value:
      /forti(gate|web|net)|big-?ip|palo ?alto|pan-os|barracuda|sophos|check ?point|netscaler|citrix|imperva|incapsula|modsecurity|sonicwall|watchguard/i,
    kind: 'firewall',
  },
  { name: /^(x-iinfo|x-cdn|x-fw-[a-z-]+|x-fortinet[a-z-]*|x-waf-[a-z-]+)$/, value: /./, kind: 'firewall' },
  {
    name: /^server$/,
    value: /awselb|cloudflare|akamaighost|microsoft-azure-application-gateway|gfe\/|envoy|haproxy/i,
    kind: 'loadBalancer',
  },
  { name: /^(x-amzn-waf-[a-z-]+|cf-ray|x-azure-ref)$/, value: /./, kind: 'loadBalancer' },
];

/** The first header of a response head that signs the answer as a proxy's, firewall's or load balancer's. */
function middleboxOf(head: string): HttpAnswer['middlebox'] {
  for (const line of head.split(/\r?\n/).slice(1)) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    const value = m[2]!;
    const hit = MIDDLEBOX_HEADERS.find((h) => h.name.test(name) && h.value.test(value));
    if (hit) return { kind: hit.kind, header: firstLineOf(line) };
  }
  return null;
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
      ...(c.subjectaltname ? { altNames: c.subjectaltname } : {}),
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

/** The first line of what a server sent, printable ASCII only (control bytes as `.`), at most 80 characters. */
function firstLineOf(buf: string): string {
  const line = buf.split(/\r?\n/)[0] ?? '';
  return line.slice(0, 80).replace(/[^\x20-\x7e]/g, '.');
}

/** Judges the bytes a server sent back to an HTTP request: a whole head, a head cut off, or not HTTP. */
function judgeHttpHead(buf: string, receivedAt: number): HttpAnswer {
  const end = buf.search(/\r?\n\r?\n/);
  const head = end >= 0 ? buf.slice(0, end) : buf;
  const status = /^HTTP\/\d(?:\.\d)? (\d{3})(?: |\r?$)/.exec(head.split(/\r?\n/)[0] ?? '')?.[1];
  const looksHttp =
    /^HTTP\/\d(?:\.\d)? \d{3}(?: |\r?$)/.test(head) || (end < 0 && 'HTTP/1.1 '.startsWith(buf.slice(0, 9)));
  const kind: AnswerKind = end >= 0 && status ? 'http' : looksHttp && end < 0 ? 'cut' : 'notHttp';
  const date = kind === 'http' ? (/^date:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? null) : null;
  return {
    kind,
    status: kind === 'http' ? Number(status) : null,
    firstLine: firstLineOf(buf),
    bytes: buf.length,
    date,
    receivedAt,
    middlebox: kind === 'http' ? middleboxOf(head) : null,
  };
}

/** Largest response head read (a manager's is well under 1 KiB). */
const MAX_HEAD = 65_536;

/**
 * Reads the response head of one `GET /` over an open TLS socket (no credential is sent). Rejects with `closed`
 * when the connection ends before any byte, `timeout` when nothing complete came in time, `aborted` at the
 * run's deadline; a connection closed in the middle of the head resolves as `cut`.
 */
function readHttpAnswer(socket: TLSSocket, host: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(
      () => finish(() => (buf ? resolve(judgeHttpHead(buf, Date.now())) : reject(new Error('timeout')))),
      timeoutMs,
    );
    const done = (): void => finish(() => resolve(judgeHttpHead(buf, Date.now())));
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      buf += d;
      if (/\r?\n\r?\n/.test(buf) || buf.length > MAX_HEAD) done();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ABORT_ERR') finish(() => reject(new Error('aborted')));
    });
    const closed = (): void => (buf ? done() : finish(() => reject(new Error('closed'))));
    socket.once('end', closed);
    socket.once('close', closed);
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
    // Once the handshake completed, the manager's answer settles the result (an abort then cuts the answer,
    // not the handshake).
    let secured = false;
    socket.once('secureConnect', () => {
      secured = true;
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
      if (secured) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, code: e.code ?? 'ERR_TLS', message: openSslReason(e.message), chain: [], ms: ms() });
    });
  });
}

/**
 * OpenSSL's reason from its error line (`C0…:error:0A00010B:SSL routines:tls_validate_record_header:wrong
 * version number:../deps/…:77:` → `wrong version number`); other messages as they are, on one line.
 */
function openSslReason(message: string): string {
  const line = message.split('\n')[0]!.trim();
  return /:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(line)?.[1]?.trim() ?? line;
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

/**
 * How a proxy answered `CONNECT`: the tunnel, or why there is none — the status line, or the connect error;
 * `connected` tells a proxy that could not be reached from one that took the connection and then did not
 * answer in HTTP (silent, closed, or another protocol: `statusLine` then holds what it sent).
 */
export type TunnelResult =
  | { ok: true; socket: import('node:net').Socket; statusLine: string; ms: number }
  | {
      ok: false;
      status: number | null;
      statusLine: string | null;
      code: string | null;
      ms: number;
      connected: boolean;
    };

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
    let connected = false;
    const fail = (status: number | null, statusLine: string | null, code: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ ok: false, status, statusLine, code, ms: ms(), connected });
    };
    const timer = setTimeout(() => fail(null, buf ? firstLineOf(buf) : null, 'ETIMEDOUT'), timeoutMs);
    abortWith(signal, s, timer);
    const target = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    s.once('connect', () => {
      connected = true;
      s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    });
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      if (!/\r?\n\r?\n/.test(buf) && buf.length <= MAX_HEAD) return;
      s.off('data', onData);
      const statusLine = firstLineOf(buf).trim();
      const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})(?: |$)/.exec(statusLine)?.[1] ?? NaN);
      if (status >= 200 && status < 300) {
        settled = true;
        clearTimeout(timer);
        resolve({ ok: true, socket: s, statusLine, ms: ms() });
      } else fail(Number.isNaN(status) ? null : status, statusLine, null);
    };
    s.on('data', onData);
    s.once('error', (e: NodeJS.ErrnoException) => fail(null, null, e.code ?? 'EIO'));
    s.once('close', () => fail(null, buf ? firstLineOf(buf) : null, buf ? null : 'ECONNRESET'));
  });
}
