import {
  textRef,
  type CheckContext,
  type CheckDef,
  type CheckOutcome,
  type FailClass,
  type PhaseOutcome,
  type Target,
} from '../types.js';
import type { Resolution } from '../probes/dns.js';
import type { TcpResult } from '../probes/tcp.js';
import type { TargetProbe } from '../probes/managerProbe.js';
import { interceptorNamedBy } from '../interceptors.js';
import { hostsFilePath } from '../../system.js';
import { sameHostName } from '../../inputs/names.js';
import { readProxyEnv } from '../probes/proxyEnv.js';

type TlsProbe = NonNullable<Awaited<ReturnType<TargetProbe['tls']>>>;

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

const k = textRef;

function dnsPhase(ctx: CheckContext, t: Target, r: Resolution): PhaseOutcome & { outcome: CheckOutcome } {
  const hostsFile = hostsFilePath(ctx.sys);
  if (!r.ok) {
    const outcome: CheckOutcome = {
      status: 'fail',
      class: 'dns',
      detail: k('doctor.dns.failed', { host: t.host, code: r.code }),
      remedy: k('doctor.dns.failedRemedy', { host: t.host, file: hostsFile }),
    };
    return { name: 'dns', status: 'fail', detail: outcome.detail, ms: r.ms, outcome };
  }
  const via =
    r.via === 'hosts'
      ? k('doctor.dns.viaHosts', { file: hostsFile, line: r.hostsLine ?? 0 })
      : r.via === 'literal'
        ? k('doctor.dns.viaLiteral')
        : k('doctor.dns.viaResolver');
  const expected = expectedAddress(ctx, t.host);
  if (expected && expected.toLowerCase() !== r.address.toLowerCase()) {
    const outcome: CheckOutcome = {
      status: 'fail',
      class: 'dns',
      detail: k('doctor.dns.wrongAddress', { host: t.host, address: r.address, via, expected }),
      remedy: k('doctor.dns.wrongAddressRemedy', { host: t.host, expected, file: hostsFile }),
    };
    return { name: 'dns', status: 'fail', detail: outcome.detail, ms: r.ms, outcome };
  }
  const detail = k('doctor.dns.ok', { host: t.host, address: r.address, via });
  return { name: 'dns', status: 'pass', detail, ms: r.ms, outcome: { status: 'pass', detail } };
}

function tcpPhase(
  t: Target,
  address: string,
  c: TcpResult,
  timeoutMs: number,
): PhaseOutcome & { outcome: CheckOutcome } {
  const p = { host: t.host, address, port: t.port, ms: c.ms, timeout: timeoutMs, code: c.code ?? '' };
  const role = k(`doctor.role.${t.role}`);
  let outcome: CheckOutcome;
  if (c.outcome === 'open') outcome = { status: 'pass', detail: k('doctor.tcp.open', p) };
  else
    outcome = {
      status: 'fail',
      class: 'tcp',
      detail: k(`doctor.tcp.${c.outcome}`, p),
      remedy: k(`doctor.tcp.${c.outcome}Remedy`, { ...p, role }),
    };
  return { name: 'tcp', status: outcome.status, detail: outcome.detail, ms: c.ms, outcome };
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

function chainText(tls: TlsProbe): string {
  const c = tls.presented[0];
  return c ? `${c.subject} ← ${c.issuer} (${c.validFrom} … ${c.validTo})` : '—';
}

/** Judges a TLS probe: trusted, inspected by a proxy, self-signed on-premises, clock or other failure. */
function tlsPhase(ctx: CheckContext, t: Target, tls: TlsProbe): PhaseOutcome & { outcome: CheckOutcome } {
  const leaf = tls.presented[0];
  const chain = chainText(tls);
  const base = { host: t.host, port: t.port, chain };
  const done = (o: CheckOutcome): PhaseOutcome & { outcome: CheckOutcome } => ({
    name: 'tls',
    status: o.status,
    detail: o.detail,
    ms: tls.ms,
    outcome: o,
  });
  const issuers = tls.presented.map((c) => c.issuer).join(' | ');
  const product = interceptorNamedBy(issuers);
  const proxy = readProxyEnv(ctx.sys.env);
  const viaLeaf = tls.viaProxy?.[0];
  if (viaLeaf && leaf && viaLeaf.fingerprint256 !== leaf.fingerprint256 && viaLeaf.issuer !== leaf.issuer)
    return done({
      status: 'fail',
      class: 'proxy',
      detail: k('doctor.tls.proxyDiffers', { ...base, proxy: proxy.raw ?? '', viaIssuer: viaLeaf.issuer }),
      remedy: k('doctor.tls.proxyRemedy', { ...base, product: proxy.raw ?? '' }),
    });
  if (product && leaf)
    return done({
      status: 'fail',
      class: 'proxy',
      detail: k('doctor.tls.intercepted', { ...base, product, issuer: leaf.issuer }),
      remedy: k('doctor.tls.proxyRemedy', { ...base, product }),
    });
  if (tls.ok) {
    const protocol = tls.protocol ?? '';
    return done({ status: 'pass', detail: k('doctor.tls.ok', { ...base, protocol }) });
  }
  const code = tls.code;
  if (code === 'CERT_NOT_YET_VALID' || code === 'CERT_HAS_EXPIRED') {
    const now = new Date().toISOString();
    const which = code === 'CERT_NOT_YET_VALID' ? 'notYetValid' : 'expired';
    return done({
      status: 'fail',
      class: 'clock',
      detail: k(`doctor.tls.${which}`, {
        ...base,
        validFrom: leaf?.validFrom ?? '?',
        validTo: leaf?.validTo ?? '?',
        now,
      }),
      remedy: k(`doctor.tls.${which}Remedy`, base),
    });
  }
  const untrusted =
    /SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY_LEAF|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE/.test(code) ||
    code === 'ERR_TLS_CERT_ALTNAME_INVALID';
  if (untrusted && !isSaas(ctx, t))
    return done({
      status: 'warn',
      class: 'tls',
      detail: k('doctor.tls.privateCa', {
        ...base,
        code,
        fingerprint: leaf?.fingerprint256 ?? '?',
      }),
      remedy: k('doctor.tls.privateCaRemedy', { ...base, fingerprint: leaf?.fingerprint256 ?? '?' }),
    });
  if (untrusted)
    return done({
      status: 'fail',
      class: 'proxy',
      detail: k('doctor.tls.saasUntrusted', { ...base, code, issuer: leaf?.issuer ?? '?' }),
      remedy: k('doctor.tls.proxyRemedy', { ...base, product: leaf?.issuer ?? '?' }),
    });
  return done({
    status: 'fail',
    class: 'tls',
    detail: k('doctor.tls.failed', { ...base, code, message: tls.message }),
    remedy: k('doctor.tls.failedRemedy', base),
  });
}

function managerPhase(t: Target, tls: TlsProbe, timeoutMs: number): PhaseOutcome & { outcome: CheckOutcome } {
  const base = { host: t.host, port: t.port };
  if (!tls.ok) {
    const o: CheckOutcome = { status: 'skip', detail: k('doctor.phase.notReached') };
    return { name: 'manager', status: 'skip', detail: o.detail, ms: 0, outcome: o };
  }
  if (tls.answer) {
    const o: CheckOutcome = {
      status: 'pass',
      detail: k('doctor.manager.answered', { ...base, status: tls.answer.status ?? '?' }),
    };
    return { name: 'manager', status: 'pass', detail: o.detail, ms: 0, outcome: o };
  }
  const o: CheckOutcome = {
    status: 'fail',
    class: 'tls',
    detail: k('doctor.manager.silent', { ...base, reason: tls.answerError ?? '', timeout: timeoutMs }),
    remedy: k('doctor.manager.silentRemedy', base),
  };
  return { name: 'manager', status: 'fail', detail: o.detail, ms: 0, outcome: o };
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
  const results: (PhaseOutcome & { outcome: CheckOutcome })[] = [];
  const add = (p: PhaseOutcome & { outcome: CheckOutcome }): boolean => {
    results.push(p);
    const { outcome: _o, ...phase } = p;
    phases.push(phase);
    return p.status === 'pass' || p.status === 'warn';
  };
  const r = await probe.dns();
  let going = add(dnsPhase(ctx, t, r));
  if (going && wanted.includes('tcp') && r.ok) {
    const c = (await probe.tcp())!;
    going = add(tcpPhase(t, r.address, c, ctx.timeoutMs));
  }
  if (going && wanted.includes('tls')) {
    const tls = (await probe.tls())!;
    going = add(tlsPhase(ctx, t, tls));
    if (wanted.includes('manager') && (tls.ok || going)) add(managerPhase(t, tls, ctx.timeoutMs));
  }
  for (const n of wanted) if (!phases.some((p) => p.name === n)) phases.push(skipped(n));
  const firstBad = results.find((p) => p.status === 'fail') ?? results.find((p) => p.status === 'warn');
  const last = results[results.length - 1]!;
  const verdict = firstBad ?? last;
  const cls: FailClass | undefined = verdict.outcome.class;
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
    ...(cls && verdict.status !== 'pass' ? { class: cls } : {}),
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
      run: async (c) => (manager ? phasedOutcome(c, manager, 'dns') : noManager()),
    },
    {
      id: 'net.manager',
      titleKey: 'doctor.title.netManager',
      defaultClass: 'tcp',
      run: async (c) => (manager ? phasedOutcome(c, manager, 'tcp') : noManager()),
    },
    {
      id: 'tls.manager',
      titleKey: 'doctor.title.tlsManager',
      defaultClass: 'tls',
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
