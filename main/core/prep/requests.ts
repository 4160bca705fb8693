import { isIPv6 } from 'node:net';
import { issueAt, type ParseIssue, type ParseResult } from '../inputs/issues.js';
import { isHostName, isIpAddress } from '../inputs/names.js';
import { inputError } from '../errors.js';
import { msg } from '../message.js';
import type { HostsEntry } from '../inputs/managerHosts.js';
import type { StepOptions } from '../steps/types.js';
import { AGENT_PORTS, type FirewallRule } from './firewall.js';

/** A `--firewall-allow` value: an address, or a host name resolved at plan time, and a port. */
export interface AllowTarget {
  host: string;
  port: number;
}

/**
 * Parses `--firewall-allow` values (`10.0.0.5:443`, `[2001:db8::5]:4122`, `relay01.example.jp:4122`); every bad
 * one is an issue. Host names are kept as names: `resolveAllowTargets` turns them into addresses at plan time.
 */
export function parseAllowTargets(values: readonly string[]): ParseResult<AllowTarget[]> {
  const issues: ParseIssue[] = [];
  const targets: AllowTarget[] = [];
  values.forEach((v, i) => {
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:]+):(\d+)$/.exec(v);
    const port = m ? Number(m[2]) : NaN;
    const host = m?.[1] ?? '';
    const ok = isIpAddress(host) ? m![0].startsWith('[') === isIPv6(host) : isHostName(host);
    if (!m || !ok || !(port >= 1 && port <= 65535)) {
      issues.push(issueAt('--firewall-allow', i + 1, 0, 'prep.fw.badTarget', { value: v }));
      return;
    }
    targets.push({ host, port });
  });
  return issues.length ? { ok: false, issues } : { ok: true, value: targets };
}

/**
 * The outbound rules of allow targets: an address as it is, a host name resolved now (the plan shows the name
 * next to its address); a name that does not resolve is bad input naming it (exit 2).
 */
export async function resolveAllowTargets(
  targets: readonly AllowTarget[],
  lookup: (host: string) => Promise<string[]>,
): Promise<FirewallRule[]> {
  const rules: FirewallRule[] = [];
  for (const t of targets) {
    if (isIpAddress(t.host)) {
      rules.push({ direction: 'out', address: t.host, port: t.port });
      continue;
    }
    const addresses = await lookup(t.host).catch(() => [] as string[]);
    if (addresses.length === 0)
      throw inputError(
        'prep.fw.unresolved',
        msg('prep.fw.unresolved', { host: t.host }),
        msg('prep.fw.unresolvedRemedy'),
      );
    for (const address of addresses) rules.push({ direction: 'out', address, port: t.port, host: t.host });
  }
  return rules;
}

/**
 * The openings for the inputs: outbound 4120/4122 to each manager address, the resolved allow targets (and a Cloud
 * One manager on 443), inbound 4118 when the manager initiates.
 */
export function firewallRules(
  entries: readonly HostsEntry[],
  opts: Pick<StepOptions, 'managerInitiated'>,
  extra: readonly FirewallRule[] = [],
): FirewallRule[] {
  const rules: FirewallRule[] = [];
  const seen = new Set<string>();
  const add = (r: FirewallRule): void => {
    const k = `${r.direction} ${r.address} ${r.port}`;
    if (!seen.has(k)) {
      seen.add(k);
      rules.push(r);
    }
  };
  for (const e of entries) {
    add({ direction: 'out', address: e.address, port: AGENT_PORTS.manager });
    add({ direction: 'out', address: e.address, port: AGENT_PORTS.relay });
  }
  for (const r of extra) add(r);
  if (opts.managerInitiated)
    for (const e of entries) add({ direction: 'in', address: e.address, port: AGENT_PORTS.agent });
  return rules;
}
