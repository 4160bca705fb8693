import { renderMessage, type Message } from '../message.js';
import type { SystemContext } from '../system.js';
import { inspectSystem, type Inspection } from '../platform/inspect.js';
import type { Translate } from '../i18n.js';
import { detectIpv6, type Ipv6State } from './ipv6.js';
import { detectAntivirus, type AntivirusState } from './antivirus.js';
import { AGENT_PORTS, detectFirewall, type AcceptRule, type FirewallState } from './firewall.js';

/** The preparation state `inspect` shows: IPv6 (Linux), antivirus (Windows), the host firewall. */
export interface PrepInspection {
  ipv6: Ipv6State | null;
  antivirus: AntivirusState | null;
  firewall: FirewallState & {
    /**
     * Per agent port: allowed (not filtered, or a dsa-setup rule or a plain accept rule opens it) or not; null when
     * the firewall's state could not be read.
     */
    ports: { port: number; direction: 'out' | 'in'; allowed: boolean | null }[];
  };
}

/** The direction an accept rule's chain filters (iptables OUTPUT/INPUT, or the hook of the nft chain). */
function acceptDirection(f: FirewallState, a: AcceptRule): 'out' | 'in' | null {
  if (a.where === 'OUTPUT') return 'out';
  if (a.where === 'INPUT') return 'in';
  const hook = f.nftChains.find((c) => `${c.family} ${c.table} ${c.name}` === a.where)?.hook;
  return hook === 'output' ? 'out' : hook === 'input' ? 'in' : null;
}

/** Detects everything the preparation steps look at, read-only. */
export async function inspectPrep(sys: SystemContext): Promise<PrepInspection> {
  const [ipv6, antivirus, firewall] = await Promise.all([
    sys.os === 'linux' ? detectIpv6(sys) : Promise.resolve(null),
    sys.os === 'windows' ? detectAntivirus(sys) : Promise.resolve(null),
    detectFirewall(sys),
  ]);
  const ports = (
    [
      ['out', AGENT_PORTS.manager],
      ['out', AGENT_PORTS.relay],
      ['out', AGENT_PORTS.saas],
      ['in', AGENT_PORTS.agent],
    ] as const
  ).map(([direction, port]) => {
    const filtered = firewall.active && (direction === 'out' ? firewall.filtersOutbound : firewall.filtersInbound);
    const opened = firewall.dsaRules.some(
      (r) => r.tag.startsWith(`dsa-setup/${direction}/`) && r.tag.endsWith(`/${port}`),
    );
    const rich = firewall.richRules.some((r) => r.includes(`port port="${port}"`));
    const field = direction === 'out' ? 'daddr' : 'saddr';
    const own = firewall.accepts.some(
      (a) => a.port === port && (a.field === null || a.field === field) && acceptDirection(firewall, a) === direction,
    );
    const allowed = opened || rich || own || (firewall.unknown ? null : !filtered);
    return { direction, port, allowed };
  });
  return { ipv6, antivirus, firewall: { ...firewall, ports } };
}

/** The rows `inspect` prints for the preparation state. */
export function prepInspectionRows(t: Translate, p: PrepInspection): [string, string][] {
  const rows: [string, string][] = [];
  const why = (list: Message[]): string => list.map((m) => renderMessage(t, m)).join('; ');
  if (p.ipv6) {
    const v = p.ipv6;
    const state = t(`prep.inspect.ipv6.${v.runtime}`);
    const next = v.rebootPending ? ` — ${t('prep.inspect.ipv6.rebootPending')}` : '';
    rows.push([t('prep.inspect.ipv6.label'), `${state}${next}${v.reasons.length ? ` (${why(v.reasons)})` : ''}`]);
  }
  if (p.antivirus) {
    const a = p.antivirus;
    const rt =
      a.realTimeOn === null
        ? t('prep.inspect.av.unknown')
        : a.realTimeOn
          ? t('prep.inspect.av.on')
          : t('prep.inspect.av.off');
    rows.push([t('prep.inspect.av.label'), `${rt}${a.reasons.length ? ` (${why(a.reasons)})` : ''}`]);
  }
  const f = p.firewall;
  const fw = f.unknown
    ? t('prep.inspect.fw.unknown', { why: renderMessage(t, f.unknown) })
    : f.active
      ? t('prep.inspect.fw.active', { tool: f.tool ?? '-' })
      : t('prep.inspect.fw.inactive');
  rows.push([t('prep.inspect.fw.label'), fw]);
  rows.push([
    t('prep.inspect.fw.ports'),
    f.ports
      .map(
        (x) =>
          `${x.direction === 'out' ? '→' : '←'}${x.port} ${t(x.allowed === null ? 'prep.inspect.fw.portUnknown' : x.allowed ? 'prep.inspect.fw.allowed' : 'prep.inspect.fw.blocked')}`,
      )
      .join(', '),
  ]);
  return rows;
}

/** What `inspect` shows and the support bundle keeps: the system, and the preparation state (IPv6, antivirus, firewall). */
export type SystemReport = Inspection & { prep: PrepInspection };

/**
 * The system with its preparation state. Only `inspect` and the bundle need the latter (it runs the firewall and
 * antivirus tools), so the callers that want one fact use `inspectSystem` or `detectOs` instead.
 */
export async function systemReport(sys: SystemContext): Promise<SystemReport> {
  const [inspection, prep] = await Promise.all([inspectSystem(sys), inspectPrep(sys)]);
  return { ...inspection, prep };
}
