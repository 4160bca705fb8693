import {
  type CheckContext,
  type CheckDef,
  type CheckOutcome,
  type FailClass,
  type PhaseOutcome,
  type Target,
} from '../types.js';
import { msg, type Message, type MessageParam } from '../../message.js';
import type { Resolution } from '../probes/dns.js';
import type { PathResult, TlsProbe } from '../probes/managerProbe.js';
import { timeRef, orUnknown } from '../../statusValues.js';
import { interceptorNamedBy } from '../interceptors.js';
import { cutAtDeadline } from '../cutAtDeadline.js';
import { hostsFilePath } from '../../system.js';
import { sameHostName } from '../../inputs/names.js';
import { dsaControl } from '../../platformText.js';
import { beforeDeadline, clockRemedy, configuredNtpServerOf, managerOffsetOf, runningTimeServiceOf } from './time.js';

/** The port the manager connects to on the agent (manager-initiated communication). */
export const AGENT_PORT = 4118;

/** The targets the doctor connects to: the manager (port from the activation URL), relays (4122), extras. */
export function targetsOf(ctx: Pick<CheckContext, 'inputs'>): Target[] {
  const out: Target[] = [];
  const m = ctx.inputs.manager;
  if (m) out.push({ host: m.host, port: m.port, role: 'manager' });
  for (const r of ctx.inputs.relays ?? []) out.push({ host: r.host, port: r.port, role: 'relay' });
  for (const r of ctx.inputs.extraTargets ?? []) out.push({ host: r.host, port: r.port, role: 'extra' });
  return out;
}

/** The address the manager hosts file gives a name, if it names it. */
function expectedAddress(ctx: CheckContext, host: string): string | null {
  for (const e of ctx.inputs.hostsFile?.entries ?? []) if (e.names.some((n) => sameHostName(n, host))) return e.address;
  return null;
}

const k = msg;

type Judged = PhaseOutcome & { outcome: CheckOutcome };

const judged = (name: PhaseOutcome['name'], ms: number, outcome: CheckOutcome): Judged => ({
  name,
  status: outcome.status,
  detail: outcome.detail,
  ms,
  outcome,
});

/** Where this machine's nameservers are configured (for the remedy). */
function resolverConfig(ctx: CheckContext): string {
  return ctx.sys.os === 'windows' ? 'Get-DnsClientServerAddress' : '/etc/resolv.conf';
}

function dnsPhase(ctx: CheckContext, t: Target, r: Resolution): Judged {
  const hostsFile = hostsFilePath(ctx.sys);
  const expected = expectedAddress(ctx, t.host);
  if (!r.ok) {
    const servers = r.servers.join(', ') || '—';
    const p = { host: t.host, code: r.code, servers, config: resolverConfig(ctx), file: hostsFile, ms: r.ms };
    const line = expected
      ? k('doctor.dns.hostsLine', { line: `${expected} ${t.host}`, file: hostsFile })
      : k('doctor.dns.hostsLineUnknown', { file: hostsFile });
    return judged('dns', r.ms, {
      status: 'fail',
      class: 'dns',
      detail: k(`doctor.dns.${r.failure}`, p),
      remedy: k(`doctor.dns.${r.failure}Remedy`, { ...p, line }),
    });
  }
  const via =
    r.via === 'hosts'
      ? k('doctor.dns.viaHosts', { file: hostsFile, line: r.hostsLine ?? 0 })
      : r.via === 'literal'
        ? k('doctor.dns.viaLiteral')
        : k('doctor.dns.viaResolver');
  if (expected && expected.toLowerCase() !== r.address.toLowerCase())
    return judged('dns', r.ms, {
      status: 'fail',
      class: 'dns',
      detail: k('doctor.dns.wrongAddress', { host: t.host, address: r.address, via, expected }),
      remedy: k('doctor.dns.wrongAddressRemedy', { host: t.host, expected, file: hostsFile }),
    });
  return judged('dns', r.ms, { status: 'pass', detail: k('doctor.dns.ok', { host: t.host, address: r.address, via }) });
}

/** The exact firewall rule a dropped or rejected connection needs (and the inbound one for the manager's 4118). */
function ruleFor(ctx: CheckContext, t: Target, address: string): Message {
  const outbound = k('doctor.tcp.ruleOutbound', { address, port: t.port });
  return t.role === 'manager'
    ? k('doctor.tcp.ruleWithInbound', { outbound, address, agentPort: AGENT_PORT })
    : outbound;
}

/** The TCP phase: connected, refused, dropped, or unreachable as the routing table explains it. */
function tcpPhase(ctx: CheckContext, t: Target, c: PathResult): Judged {
  const p = { host: t.host, address: c.address, port: t.port, ms: c.ms, timeout: ctx.timeoutMs, code: c.code ?? '' };
  if (c.code === 'ABORT_ERR')
    return judged('tcp', c.ms, cutAtDeadline(ctx, k('doctor.tcp.waitedConnect', { address: c.address, port: t.port })));
  if (c.proxy) return proxyPhase(ctx, t, c);
  if (c.outcome === 'open') return judged('tcp', c.ms, { status: 'pass', detail: k('doctor.tcp.open', p) });
  const role = k(`doctor.role.${t.role}`);
  const rule = ruleFor(ctx, t, c.address);
  const route = c.route;
  const asked = route?.asked ?? '';
  const fail = (detail: Message, remedy: Message): Judged =>
    judged('tcp', c.ms, { status: 'fail', class: 'tcp', detail, remedy });
  // A refusal is about the way out: the outbound rule only.
  if (c.outcome === 'refused')
    return fail(
      k('doctor.tcp.refused', p),
      k('doctor.tcp.refusedRemedy', {
        ...p,
        role,
        rule: k('doctor.tcp.ruleOutbound', { address: c.address, port: t.port }),
      }),
    );
  if (route && ['prohibit', 'blackhole', 'unreachable'].includes(route.kind))
    return fail(
      k('doctor.tcp.routeRefuses', { ...p, kind: route.kind, asked }),
      k('doctor.tcp.routeRefusesRemedy', { ...p, kind: route.kind }),
    );
  if (route?.kind === 'none') return fail(k('doctor.tcp.noRoute', { ...p, asked }), k('doctor.tcp.noRouteRemedy', p));
  const direct = route?.kind === 'route' && !route.via;
  const down = direct && /FAILED|INCOMPLETE/.test(route.neighbour ?? '');
  if (c.outcome === 'unreachable' || down)
    return fail(
      k(down ? 'doctor.tcp.hostDown' : 'doctor.tcp.noAnswer', {
        ...p,
        dev: orUnknown(route?.dev),
        neighbour: orUnknown(route?.neighbour),
        asked,
      }),
      k('doctor.tcp.noAnswerRemedy', { ...p, rule }),
    );
  if (c.outcome === 'timeout') return fail(k('doctor.tcp.timeout', p), k('doctor.tcp.timeoutRemedy', { ...p, rule }));
  return fail(k('doctor.tcp.error', p), k('doctor.tcp.errorRemedy', p));
}

/** Through the agent's proxy: how the proxy answered CONNECT (which proxy, its status line). */
function proxyPhase(ctx: CheckContext, t: Target, c: PathResult): Judged {
  if (c.outcome === 'open')
    return judged('tcp', c.ms, {
      status: 'pass',
      detail: k('doctor.tcp.viaProxy', {
        host: t.host,
        port: t.port,
        proxy: `${c.proxy!.host}:${c.proxy!.port}`,
        source: c.proxy!.source,
        line: c.tunnel?.statusLine ?? '',
      }),
    });
  return judged('tcp', c.ms, proxyRefusal(ctx, t, c));
}

/** The message key of a proxy's refusal: by its status, else by whether it was reached and what it sent. */
function refusalKind(status: number | null, connected: boolean, line: string, code: string | undefined): string {
  if (status === 407) return 'proxyAuth';
  if (status === 502 || status === 503 || status === 504) return 'proxyUpstream';
  if (status !== null) return 'proxyDenied';
  if (!connected) return 'proxyUnreachable';
  if (line) return 'proxyNotHttp';
  return code === 'ETIMEDOUT' ? 'proxySilent' : 'proxyClosed';
}

/**
 * Why the agent's proxy gave no tunnel to the manager: it asks for authentication (407), refused (another
 * status), could not be reached, took the connection and then stayed silent or closed it, or answered in
 * something that is not HTTP (not an HTTP proxy). The run's deadline cutting the wait is said as such.
 */
export function proxyRefusal(ctx: CheckContext, t: Pick<Target, 'host' | 'port'>, c: PathResult): CheckOutcome {
  const proxy = `${c.proxy!.host}:${c.proxy!.port}`;
  const p = { host: t.host, port: t.port, proxy, source: c.proxy!.source, code: c.code ?? '', timeout: ctx.timeoutMs };
  if (c.code === 'ABORT_ERR') return cutAtDeadline(ctx, k('doctor.tcp.waitedProxy', p));
  const tunnel = c.tunnel;
  const status = tunnel && 'status' in tunnel ? tunnel.status : null;
  const line = tunnel?.statusLine ?? '';
  const connected = Boolean(tunnel && 'connected' in tunnel && tunnel.connected);
  const which = refusalKind(status, connected, line, c.code);
  return {
    status: 'fail',
    class: 'proxy',
    detail: k(`doctor.tcp.${which}`, { ...p, status: status ?? '', line }),
    remedy: k(`doctor.tcp.${which}Remedy`, {
      ...p,
      // The agent's own commands, as this platform runs them (Windows has no sudo and no /opt).
      setAuth: dsaControl(ctx.platform, ['-u', 'USER:PASSWORD']),
      clear: dsaControl(ctx.platform, ['-x', '']),
    }),
  };
}

const skipped = (name: PhaseOutcome['name']): PhaseOutcome => ({
  name,
  status: 'skip',
  detail: k('doctor.phase.notReached'),
  ms: 0,
});

/** Whether the manager is the SaaS one (Cloud One / Workload Security), whose certificate is public. */
function isSaas(ctx: CheckContext, t: Target): boolean {
  return t.role === 'manager' && Boolean(ctx.inputs.manager?.saas);
}

/** The certificate chain as a message: "subject ← issuer (from … to)" per link, the times local with the zone. */
function chainRef(tls: TlsProbe): Message {
  const links = tls.chain.reduceRight<Message | null>(
    (rest, c) =>
      k('doctor.tls.chainLink', {
        subject: c.subject,
        issuer: c.issuer,
        from: timeRef(c.validFrom),
        to: timeRef(c.validTo),
        rest: rest ? k('doctor.tls.chainNext', { link: rest }) : '',
      }),
    null,
  );
  return links ?? k('doctor.tls.chainNone');
}

const isDateFailure = (code: string): boolean => code === 'CERT_NOT_YET_VALID' || code === 'CERT_HAS_EXPIRED';

/** Another clock than this one, to judge a certificate's dates by: its offset from this clock and who says so. */
interface ClockWitness {
  /** The other clock minus this one (ms). */
  offsetMs: number;
  by: Message;
  /** When an NTP server is the witness: how to set this clock from it on this platform. */
  setClock?: Message;
}

/**
 * The clock a certificate's dates are judged by, besides this one: an NTP server (`--ntp-server` or the time
 * service's configuration) when it answers, else the manager's HTTP `Date` read over the same connection.
 */
async function clockWitness(ctx: CheckContext, tls: TlsProbe): Promise<ClockWitness | null> {
  const server = ctx.inputs.ntpServer ?? (await configuredNtpServerOf(ctx).catch(() => null))?.server;
  if (server) {
    const r = await beforeDeadline(ctx, ctx.probes.ntp(server));
    if (r?.ok)
      return {
        offsetMs: r.offsetMs,
        by: k('doctor.tls.byNtp', { server: r.server }),
        setClock: await clockRemedy(ctx, server, await runningTimeServiceOf(ctx).catch(() => null)),
      };
  }
  const offset = managerOffsetOf(tls.answer);
  return offset === null || !tls.answer?.date
    ? null
    : { offsetMs: offset, by: k('doctor.tls.byManager', { date: tls.answer.date }) };
}

/**
 * A certificate not yet valid or expired by this clock: the clock is blamed when another clock (NTP, else the
 * manager's Date) puts now inside the certificate's validity; the certificate (its manager) when that clock
 * agrees with this one; and when no other clock answered, the remedy says how to tell which.
 */
function certificateDates(
  ctx: CheckContext,
  tls: TlsProbe,
  base: { host: string; port: number; chain: Message },
  witness: ClockWitness | null,
): CheckOutcome {
  const leaf = tls.chain[0];
  const code = tls.ok ? '' : tls.code;
  const which = code === 'CERT_NOT_YET_VALID' ? 'notYetValid' : 'expired';
  const dates = {
    ...base,
    validFrom: timeRef(leaf?.validFrom),
    validTo: timeRef(leaf?.validTo),
    now: timeRef(Date.now()),
  };
  if (!witness || !leaf)
    return {
      status: 'fail',
      class: 'clock',
      detail: k(`doctor.tls.${which}`, dates),
      remedy: k(`doctor.tls.${which}Remedy`, base),
    };
  const other = Date.now() + witness.offsetMs;
  const p = { ...dates, by: witness.by, other: timeRef(other) };
  const validThen = other >= Date.parse(leaf.validFrom) && other <= Date.parse(leaf.validTo);
  if (validThen)
    return {
      status: 'fail',
      class: 'clock',
      detail: k(`doctor.tls.${which}ThisClock`, p),
      remedy: witness.setClock
        ? k('doctor.tls.thisClockRemedy', { ...p, set: witness.setClock })
        : k('doctor.tls.thisClockRemedyNoNtp', p),
    };
  return {
    status: 'fail',
    class: 'manager',
    detail: k(`doctor.tls.${which}Certificate`, p),
    remedy: k(`doctor.tls.${which}CertificateRemedy`, p),
  };
}

/** Judges the certificate: trusted, inspected by a proxy, self-signed on-premises, clock or other failure. */
function tlsPhase(ctx: CheckContext, t: Target, tls: TlsProbe, witness: ClockWitness | null): Judged {
  const leaf = tls.chain[0];
  const top = tls.chain[tls.chain.length - 1];
  const chain = chainRef(tls);
  const base = { host: t.host, port: t.port, chain };
  const done = (o: CheckOutcome): Judged => judged('tls', tls.ms, o);
  const code = tls.ok ? '' : tls.code;
  if (code === 'ABORT_ERR') return done(cutAtDeadline(ctx, k('doctor.tls.waitedHandshake', base)));
  const product = interceptorNamedBy(tls.chain.map((c) => c.issuer).join(' | '));
  const direct = tls.directChain?.[0];
  if (tls.viaProxy && leaf && direct && direct.fingerprint256 !== leaf.fingerprint256)
    return done({
      status: 'fail',
      class: 'proxy',
      detail: k('doctor.tls.proxyDiffers', {
        ...base,
        proxy: tls.viaProxy,
        viaIssuer: leaf.issuer,
        directIssuer: direct.issuer,
      }),
      remedy: k('doctor.tls.proxyRemedy', { ...base, product: product ?? tls.viaProxy }),
    });
  if (product && leaf)
    return done({
      status: 'fail',
      class: 'proxy',
      detail: k('doctor.tls.intercepted', { ...base, product, issuer: leaf.issuer }),
      remedy: k('doctor.tls.proxyRemedy', { ...base, product }),
    });
  if (isDateFailure(code)) return done(certificateDates(ctx, tls, base, witness));
  // A SaaS manager's chain ends in a public root (Node's bundled store): a private root there is inspection,
  // even when this machine trusts it.
  if (isSaas(ctx, t) && tls.chain.length && !tls.publicRoot) {
    const issuer = top?.issuer ?? leaf?.issuer ?? '?';
    return done({
      status: 'fail',
      class: 'proxy',
      detail: k('doctor.tls.saasPrivateRoot', { ...base, issuer, code: code || 'OK' }),
      remedy: k('doctor.tls.saasPrivateRootRemedy', { ...base, issuer }),
    });
  }
  if (tls.ok) return done({ status: 'pass', detail: k('doctor.tls.ok', { ...base, protocol: tls.protocol ?? '' }) });
  // A trusted chain for another name: the name leads to another server, or the certificate lacks it. A SaaS
  // manager's public certificate always carries its name.
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' && leaf) {
    const p = {
      ...base,
      names: leaf.altNames || leaf.subject,
      fingerprint: orUnknown(leaf.fingerprint256),
      file: hostsFilePath(ctx.sys),
    };
    return done({
      status: isSaas(ctx, t) ? 'fail' : 'warn',
      class: 'tls',
      detail: k('doctor.tls.wrongName', p),
      remedy: k('doctor.tls.wrongNameRemedy', p),
    });
  }
  const untrusted = /SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY_LEAF|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE/.test(
    code,
  );
  if (untrusted && leaf) {
    // A manager's default certificate is self-signed; one issued by another CA this machine does not trust is
    // the organisation's CA or a device that re-signs: either is possible, and the text says both.
    const selfSigned = leaf.subject === leaf.issuer;
    const p = { ...base, code, issuer: leaf.issuer, fingerprint: orUnknown(leaf.fingerprint256) };
    return done({
      status: 'warn',
      class: 'tls',
      detail: k(selfSigned ? 'doctor.tls.privateCa' : 'doctor.tls.privateIssuer', p),
      remedy: k('doctor.tls.privateCaRemedy', p),
    });
  }
  // Through the proxy no handshake, directly the manager's certificate: the proxy opened a tunnel it does not carry.
  if (tls.viaProxy && !tls.chain.length && tls.directChain?.length)
    return done({
      status: 'fail',
      class: 'proxy',
      detail: k('doctor.tls.tunnelBroken', { ...base, proxy: tls.viaProxy, code, message: tls.message }),
      remedy: k('doctor.tls.tunnelBrokenRemedy', { ...base, proxy: tls.viaProxy }),
    });
  // The first bytes back were not TLS at all: another service (plain HTTP, SSH…) listens on that port.
  if (/^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|RECORD_LAYER_FAILURE)$/.test(code))
    return done({
      status: 'fail',
      class: 'tls',
      detail: k('doctor.tls.notTls', { ...base, code, message: tls.message }),
      remedy: k('doctor.tls.notTlsRemedy', base),
    });
  return done({
    status: 'fail',
    class: 'tls',
    detail: k('doctor.tls.failed', { ...base, code, message: tls.message }),
    remedy: k('doctor.tls.failedRemedy', base),
  });
}

/**
 * The manager's HTTP answer over the same connection. A pass needs a whole HTTP head with a status below 500
 * other than 407, not a refusal signed by a proxy, firewall or WAF; a 5xx is the manager failing; a 407 or a
 * signed refusal is the device in the path answering; an answer cut off mid-head, bytes that are not HTTP or no
 * answer at all are never a pass.
 */
function managerPhase(ctx: CheckContext, t: Target, tls: TlsProbe): Judged {
  const base = { host: t.host, port: t.port };
  const a = tls.answer;
  const fail = (cls: FailClass, key: string, params: Record<string, MessageParam> = {}): Judged =>
    judged('manager', 0, {
      status: 'fail',
      class: cls,
      detail: k(`doctor.manager.${key}`, { ...base, ...params }),
      remedy: k(`doctor.manager.${key}Remedy`, { ...base, ...params }),
    });
  if (!a && (ctx.signal.aborted || tls.answerError === 'aborted'))
    return judged('manager', 0, cutAtDeadline(ctx, k('doctor.manager.waitedAnswer', base)));
  if (!a)
    return fail('manager', tls.answerError === 'closed' ? 'closed' : 'silent', {
      reason: tls.answerError ?? '',
      timeout: ctx.timeoutMs,
    });
  if (a.kind === 'cut') return fail('manager', 'cut', { bytes: a.bytes, line: a.firstLine });
  if (a.kind === 'notHttp' || a.status === null) return fail('manager', 'notHttp', { line: a.firstLine });
  if (a.status === 407) return fail('proxy', 'proxyAuth', { status: a.status, line: a.firstLine });
  // A refusal signed by a proxy, firewall or WAF is that device's answer, not the manager's (its block page).
  const mb = a.status >= 400 ? a.middlebox : null;
  if (mb?.kind === 'proxy' || mb?.kind === 'firewall')
    return fail(mb.kind === 'proxy' ? 'proxy' : 'tcp', mb.kind === 'proxy' ? 'proxyAnswered' : 'firewallAnswered', {
      status: a.status,
      line: a.firstLine,
      header: mb.header,
    });
  // A load balancer's refusal in front of one's own manager: it may not have reached the manager at all. (Cloud
  // One's own front end is the manager's answer.)
  if (mb?.kind === 'loadBalancer' && !ctx.inputs.manager?.saas && a.status < 500)
    return judged('manager', 0, {
      status: 'warn',
      class: 'manager',
      detail: k('doctor.manager.balancerAnswered', { ...base, status: a.status, header: mb.header }),
      remedy: k('doctor.manager.balancerAnsweredRemedy', { ...base, status: a.status, header: mb.header }),
    });
  if (a.status >= 500) return fail('manager', 'serverError', { status: a.status });
  return judged('manager', 0, { status: 'pass', detail: k('doctor.manager.answered', { ...base, status: a.status }) });
}

/**
 * Runs the phases of a target up to `upTo` (DNS → TCP → TLS → the manager answering) and returns the check
 * outcome: the verdict of the first phase that did not pass, with every phase listed.
 */
export async function phasedOutcome(ctx: CheckContext, t: Target, upTo: PhaseOutcome['name']): Promise<CheckOutcome> {
  const order: PhaseOutcome['name'][] = ['dns', 'tcp', 'tls', 'manager'];
  const wanted = order.slice(0, order.indexOf(upTo) + 1);
  const probe = ctx.probes.target(t);
  const phases: PhaseOutcome[] = [];
  const results: Judged[] = [];
  const add = (p: Judged): boolean => {
    results.push(p);
    const { outcome: _o, ...phase } = p;
    phases.push(phase);
    return p.status === 'pass' || p.status === 'warn';
  };
  const r = await probe.dns();
  // Through the agent's proxy the proxy resolves the manager's name: a local DNS failure is not the path's.
  const proxy = t.role === 'manager' ? ctx.probes.proxy : null;
  let going =
    !r.ok && proxy
      ? add(
          judged('dns', r.ms, {
            status: 'skip',
            detail: k('doctor.dns.byProxy', { host: t.host, proxy: `${proxy.host}:${proxy.port}` }),
          }),
        ) || true
      : add(dnsPhase(ctx, t, r));
  if (going && wanted.includes('tcp')) {
    const c = await probe.tcp();
    going = c ? add(tcpPhase(ctx, t, c)) : false;
  }
  const tls = going && wanted.includes('tls') ? await probe.tls() : null;
  if (tls) {
    const witness = !tls.ok && isDateFailure(tls.code) ? await clockWitness(ctx, tls) : null;
    going = add(tlsPhase(ctx, t, tls, witness));
    // The manager's answer is read over the same connection whenever the handshake completed (a warning,
    // such as an on-premises self-signed certificate, does not hide it).
    if (wanted.includes('manager') && tls.chain.length && (going || tls.answer)) add(managerPhase(ctx, t, tls));
  }
  for (const n of wanted) if (!phases.some((p) => p.name === n)) phases.push(skipped(n));
  const firstBad = results.find((p) => p.status === 'fail') ?? results.find((p) => p.status === 'warn');
  const last = results[results.length - 1]!;
  const verdict = firstBad ?? last;
  const cls: FailClass | null | undefined = verdict.outcome.class;
  return {
    status: verdict.outcome.status,
    detail: firstBad
      ? verdict.outcome.detail
      : results.length > 2
        ? // All passed: what the handshake showed, then how the manager answered.
          k('doctor.phase.joined', {
            a: results[results.length - 2]!.outcome.detail,
            b: last.outcome.detail,
          })
        : last.outcome.detail,
    ...(verdict.outcome.remedy ? { remedy: verdict.outcome.remedy } : {}),
    ...(cls !== undefined && verdict.status !== 'pass' ? { class: cls } : {}),
    phases,
  };
}

const noManager = (): CheckOutcome => ({ status: 'skip', detail: k('doctor.skip.noManager') });

/** dns.manager, net.manager, tls.manager and one net.* per relay / extra target. */
export function networkChecks(ctx: Pick<CheckContext, 'inputs'>): CheckDef[] {
  const targets = targetsOf(ctx);
  const manager = targets.find((t) => t.role === 'manager');
  const defs: CheckDef[] = [
    {
      id: 'dns.manager',
      titleKey: 'doctor.title.dnsManager',
      defaultClass: 'dns',
      after: ['hosts.entries'],
      run: async (c) => (manager ? phasedOutcome(c, manager, 'dns') : noManager()),
    },
    {
      id: 'net.manager',
      titleKey: 'doctor.title.netManager',
      defaultClass: 'tcp',
      // Through the agent's proxy, the proxy's answer to CONNECT comes first (the proxy resolves the name).
      after: ctx.inputs.agentProxy ? ['proxy'] : ['dns.manager'],
      run: async (c) => (manager ? phasedOutcome(c, manager, 'tcp') : noManager()),
    },
    {
      id: 'tls.manager',
      titleKey: 'doctor.title.tlsManager',
      defaultClass: 'tls',
      after: ['net.manager'],
      // This clock wrong by NTP (time.skew) is why a valid certificate reads as expired or not yet valid.
      explainedBy: [{ check: 'time.skew', class: 'clock' }],
      run: async (c) => (manager ? phasedOutcome(c, manager, 'manager') : noManager()),
    },
  ];
  for (const t of targets.filter((x) => x.role !== 'manager'))
    defs.push({
      id: `net.${t.role}.${t.host}:${t.port}`,
      titleKey: `doctor.title.net${t.role === 'relay' ? 'Relay' : 'Extra'}`,
      titleParams: { host: t.host, port: t.port },
      defaultClass: 'tcp',
      run: (c) => phasedOutcome(c, t, 'tcp'),
    });
  return defs;
}
