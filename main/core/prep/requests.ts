import { isIPv6 } from 'node:net';
import { unwrapParse } from '../inputs/load.js';
import { issueAt, type ParseIssue, type ParseResult } from '../inputs/issues.js';
import { isIpAddress } from '../inputs/names.js';
import type { HostsEntry } from '../inputs/managerHosts.js';
import type { StepOptions } from '../steps/types.js';
import { AGENT_PORTS, type FirewallRule } from './firewall.js';

/** Parses `--firewall-allow` values (`10.0.0.5:443`, `[2001:db8::5]:4122`); every bad one is an issue. */
export function parseAllowTargets(values: readonly string[]): ParseResult<FirewallRule[]> {
  const issues: ParseIssue[] = [];
  const rules: FirewallRule[] = [];
  values.forEach((v, i) => {
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:]+):(\d+)$/.exec(v);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !isIpAddress(m[1]!) || m[0].startsWith('[') !== isIPv6(m[1]!) || !(port >= 1 && port <= 65535)) {
      issues.push(issueAt('--firewall-allow', i + 1, 0, 'prep.fw.badTarget', { value: v }));
      return;
    }
    rules.push({ direction: 'out', address: m[1]!, port });
  });
  return issues.length ? { ok: false, issues } : { ok: true, value: rules };
}

/** The openings for the inputs: outbound 4120/4122 to each manager address, inbound 4118 when it initiates. */
export function firewallRules(
  entries: readonly HostsEntry[],
  opts: Pick<StepOptions, 'firewallAllow' | 'managerInitiated'>,
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
  for (const r of unwrapParse('--firewall-allow', parseAllowTargets(opts.firewallAllow ?? []))) add(r);
  if (opts.managerInitiated)
    for (const e of entries) add({ direction: 'in', address: e.address, port: AGENT_PORTS.agent });
  return rules;
}
