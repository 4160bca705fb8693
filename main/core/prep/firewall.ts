import { msg } from '../message.js';
import { z } from 'zod';
import type { SystemContext } from '../system.js';
import type { Message } from '../steps/types.js';
import { isIpAddress } from '../inputs/names.js';
import { consoleSaid, runConsole } from '../platform/consoleEncoding.js';
import { sysExists } from './sysFiles.js';

/** One opening for the agent: TCP to (out) or from (in) an address on a port. */
export const FirewallRuleSchema = z.object({
  direction: z.enum(['out', 'in']),
  address: z.string().refine(isIpAddress, 'an IPv4 or IPv6 address'),
  port: z.number().int().min(1).max(65535),
  /** The host name the address was resolved from at plan time (`--firewall-allow NAME:PORT`, a Cloud One manager). */
  host: z.string().optional(),
});
export type FirewallRule = z.infer<typeof FirewallRuleSchema>;

/** The ports of the agent's traffic: 4120 manager heartbeat, 4122 relay, 443 SaaS manager, 4118 manager-initiated. */
export const AGENT_PORTS = { manager: 4120, relay: 4122, saas: 443, agent: 4118 } as const;

/** `firewall-offline-cmd`: firewalld stopped now but enabled at boot (its permanent configuration is what counts). */
export type FirewallTool = 'firewalld' | 'firewall-offline-cmd' | 'ufw' | 'iptables' | 'nftables' | 'windows';

/** A filtering base chain of nftables (hook input or output). */
export interface NftChain {
  family: string;
  table: string;
  name: string;
  hook: 'input' | 'output';
  policy: string;
}

/** A rule dsa-setup added, found by its tag (nft comment, iptables/ufw comment, Windows rule name). */
export interface TaggedRule {
  tag: string;
  /** Where it is: `inet f o` (nftables), `OUTPUT` (iptables), the profile list (Windows). */
  where: string;
  handle?: number;
}

/** A rule of the ruleset that accepts TCP on a port, to (daddr) or from (saddr) an address or any (null). */
export interface AcceptRule {
  where: string;
  port: number;
  field: 'daddr' | 'saddr' | null;
  address: string | null;
}

export interface WindowsProfile {
  name: 'domain' | 'private' | 'public';
  /** Null: the profile's State value is none we know (ON/OFF, オン/オフ), so it is neither on nor off. */
  on: boolean | null;
  blockInbound: boolean | null;
  blockOutbound: boolean | null;
}

/** SLES 12's SuSEfirewall2: it builds its iptables rules from this file at every start. */
export const SUSEFIREWALL2_CONFIG = '/etc/sysconfig/SuSEfirewall2';

/** The host firewall of the target and what it filters. */
export interface FirewallState {
  active: boolean;
  /** The firewall's state could not be read (netsh failed or printed what we cannot read): never "inactive". */
  unknown?: Message;
  tool: FirewallTool | null;
  /** The program that builds the iptables rules from its own configuration (SLES 12: SuSEfirewall2), if any. */
  frontEnd: 'SuSEfirewall2' | null;
  filtersOutbound: boolean;
  filtersInbound: boolean;
  nftChains: NftChain[];
  windowsProfiles: WindowsProfile[];
  /** firewalld rich rules (exact text). */
  richRules: string[];
  /** Rules dsa-setup added (by tag). */
  dsaRules: TaggedRule[];
  /** Plain accept rules already there (nftables, iptables): an opening they cover is not added again. */
  accepts: AcceptRule[];
  reasons: Message[];
}

/** The tag of an opening: the nft/iptables/ufw comment and the Windows rule name. */
export function ruleTag(r: FirewallRule): string {
  return `dsa-setup/${r.direction}/tcp/${r.address}/${r.port}`;
}

const C_ENV = { env: { LC_ALL: 'C', LANG: 'C' }, timeoutMs: 15_000 };

interface NftJson {
  nftables?: Array<{
    chain?: { family: string; table: string; name: string; type?: string; hook?: string; policy?: string };
    rule?: { family: string; table: string; chain: string; handle: number; comment?: string; expr?: unknown[] };
  }>;
}

/**
 * Reads one nft rule as a plain accept: only `tcp dport` (a number or a set of numbers), `ip/ip6 daddr|saddr`
 * (one address), `meta l4proto tcp`, counters and the accept verdict. A rule with anything else (ct state,
 * interfaces…) is not counted: it does not accept every such connection.
 */
function nftAccepts(where: string, expr: unknown[]): AcceptRule[] {
  let ports: number[] = [];
  let field: AcceptRule['field'] = null;
  let address: string | null = null;
  let accept = false;
  for (const e of expr as Record<string, unknown>[]) {
    if ('accept' in e) accept = true;
    else if ('counter' in e) continue;
    else if ('match' in e) {
      const m = e.match as {
        op: string;
        left: Record<string, { protocol?: string; field?: string; key?: string }>;
        right: unknown;
      };
      if (m.op !== '==' && m.op !== 'in') return [];
      const pl = m.left.payload;
      const meta = m.left.meta;
      if (pl?.protocol === 'tcp' && pl.field === 'dport') {
        const r = m.right as number | { set?: unknown[] };
        if (typeof r === 'number') ports = [r];
        else if (r && Array.isArray(r.set) && r.set.every((x) => typeof x === 'number')) ports = r.set as number[];
        else return [];
      } else if ((pl?.protocol === 'ip' || pl?.protocol === 'ip6') && (pl.field === 'daddr' || pl.field === 'saddr')) {
        if (typeof m.right !== 'string') return [];
        field = pl.field;
        address = m.right;
      } else if (meta?.key === 'l4proto' && m.right === 'tcp') continue;
      else return [];
    } else return [];
  }
  return accept ? ports.map((port) => ({ where, port, field, address })) : [];
}

/** Parses `nft -j list ruleset`: the filtering base chains (policy drop, or drop/reject rules) and our tagged rules. */
export function parseNftRuleset(
  text: string,
): { chains: NftChain[]; tagged: TaggedRule[]; accepts: AcceptRule[] } | null {
  let j: NftJson;
  try {
    j = JSON.parse(text) as NftJson;
  } catch {
    return null;
  }
  const items = j.nftables ?? [];
  const key = (f: string, t: string, c: string): string => `${f} ${t} ${c}`;
  const blocking = new Set<string>();
  const tagged: TaggedRule[] = [];
  const accepts: AcceptRule[] = [];
  for (const it of items) {
    const r = it.rule;
    if (!r) continue;
    accepts.push(...nftAccepts(key(r.family, r.table, r.chain), r.expr ?? []));
    const s = JSON.stringify(r.expr ?? []);
    if (/"(drop|reject)"/.test(s)) blocking.add(key(r.family, r.table, r.chain));
    if (r.comment?.startsWith('dsa-setup/'))
      tagged.push({ tag: r.comment, where: key(r.family, r.table, r.chain), handle: r.handle });
  }
  const chains: NftChain[] = [];
  for (const it of items) {
    const c = it.chain;
    if (!c || c.type !== 'filter' || (c.hook !== 'input' && c.hook !== 'output')) continue;
    if (c.policy === 'drop' || blocking.has(key(c.family, c.table, c.name)))
      chains.push({ family: c.family, table: c.table, name: c.name, hook: c.hook, policy: c.policy ?? 'accept' });
  }
  return { chains, tagged, accepts };
}

/** Reads one `-A CHAIN …` line as a plain accept (`-p tcp [-m tcp] --dport P [-d|-s A] [-m comment …] -j ACCEPT`). */
function iptablesAccept(line: string): AcceptRule | null {
  const t = line.replace(/--comment\s+("[^"]*"|\S+)/, '').split(/\s+/);
  if (t[0] !== '-A' || t[t.length - 2] !== '-j' || t[t.length - 1] !== 'ACCEPT') return null;
  let port: number | null = null;
  let field: AcceptRule['field'] = null;
  let address: string | null = null;
  for (let i = 2; i < t.length - 2; i += 2) {
    const [k, v] = [t[i]!, t[i + 1] ?? ''];
    if (k === '-p' && v === 'tcp') continue;
    if (k === '-m' && (v === 'tcp' || v === 'comment')) continue;
    if (k === '--dport' && /^\d+$/.test(v)) port = Number(v);
    else if (k === '-d' || k === '-s') {
      field = k === '-d' ? 'daddr' : 'saddr';
      address = v.replace(/\/(32|128)$/, '');
    } else return null;
  }
  return port === null ? null : { where: t[1]!, port, field, address };
}

/** Parses `iptables-save` (filter table): whether INPUT / OUTPUT filter, our tagged rules, plain accepts. */
export function parseIptablesSave(text: string): {
  inbound: boolean;
  outbound: boolean;
  tagged: TaggedRule[];
  accepts: AcceptRule[];
} {
  let table = '';
  let inbound = false;
  let outbound = false;
  const tagged: TaggedRule[] = [];
  const accepts: AcceptRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    if (table !== 'filter') continue;
    const chain =
      /^:(INPUT|OUTPUT)\s+(DROP|REJECT)\b/.exec(line)?.[1] ??
      /^-A\s+(INPUT|OUTPUT)\s.*-j\s+(DROP|REJECT)\b/.exec(line)?.[1];
    if (chain === 'INPUT') inbound = true;
    if (chain === 'OUTPUT') outbound = true;
    const tag = /^-A\s+(\S+)\s.*--comment\s+"?(dsa-setup\/[^"\s]+)"?/.exec(line);
    if (tag) tagged.push({ tag: tag[2]!, where: tag[1]! });
    const acc = iptablesAccept(line);
    if (acc) accepts.push(acc);
  }
  return { inbound, outbound, tagged, accepts };
}

/** Parses `ufw status verbose` (C locale): active, default policies, our tagged rules (`# dsa-setup/…`). */
export function parseUfwStatus(text: string): {
  active: boolean;
  denyIncoming: boolean;
  denyOutgoing: boolean;
  tagged: TaggedRule[];
} {
  const active = /^Status:\s*active/m.test(text);
  const def = /^Default:\s*(.*)$/m.exec(text)?.[1] ?? '';
  const denyIncoming = /(deny|reject)\s*\(incoming\)/.test(def);
  const denyOutgoing = /(deny|reject)\s*\(outgoing\)/.test(def);
  const tagged: TaggedRule[] = [];
  for (const m of text.matchAll(/#\s*(dsa-setup\/\S+)/g)) tagged.push({ tag: m[1]!, where: 'ufw' });
  return { active, denyIncoming, denyOutgoing, tagged };
}

const PROFILE_ORDER: WindowsProfile['name'][] = ['domain', 'private', 'public'];

/**
 * Parses `netsh advfirewall show allprofiles` in any Windows language. Japanese Windows keeps the English
 * labels (`State`, `Firewall Policy`) and translates the section titles and values (`ドメイン プロファイル 設定:`,
 * `オン`); the state is the first value of a section, the policy's `BlockInbound,AllowOutbound` is never translated.
 */
export function parseNetshProfiles(text: string): WindowsProfile[] {
  const lines = text.split(/\r?\n/);
  const out: WindowsProfile[] = [];
  let cur: WindowsProfile | null = null;
  let stateSeen = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^-{10,}\s*$/.test(lines[i + 1] ?? '') && /:\s*$/.test(line)) {
      const lower = line.toLowerCase();
      const name: WindowsProfile['name'] = /domain|ドメイン/.test(lower)
        ? 'domain'
        : /private|プライベート/.test(lower)
          ? 'private'
          : /public|パブリック/.test(lower)
            ? 'public'
            : (PROFILE_ORDER[out.length] ?? 'public');
      cur = { name, on: null, blockInbound: null, blockOutbound: null };
      out.push(cur);
      stateSeen = false;
      continue;
    }
    if (!cur) continue;
    // The first "label   value" line of a section is its State (label kept in English on Japanese Windows).
    const st = /^\S.*?\s{2,}(\S.*?)\s*$/.exec(line);
    if (st && !stateSeen) {
      const v = st[1]!;
      cur.on = /^(ON|オン)$/i.test(v) ? true : /^(OFF|オフ)$/i.test(v) ? false : null;
      stateSeen = true;
    }
    const pol = /(Block|Allow)Inbound(?:Always)?,\s*(Block|Allow)Outbound/i.exec(line);
    if (pol) {
      cur.blockInbound = /block/i.test(pol[1]!);
      cur.blockOutbound = /block/i.test(pol[2]!);
    }
  }
  return out;
}

/**
 * Parses `netsh advfirewall firewall show rule name=…`: the names of our rules (`Rule Name:` / `規則名:`). No
 * match is not an error text to parse: 「指定された条件に一致する規則はありません。」/ "No rules match the specified
 * criteria." carry no rule name.
 */
export function parseNetshRuleNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[^\r\n:]+:\s+(dsa-setup\/\S+)\s*$/gm)) out.push(m[1]!);
  return out;
}

function empty(): FirewallState {
  return {
    active: false,
    tool: null,
    frontEnd: null,
    filtersOutbound: false,
    filtersInbound: false,
    nftChains: [],
    windowsProfiles: [],
    richRules: [],
    dsaRules: [],
    accepts: [],
    reasons: [],
  };
}

async function detectWindowsFirewall(sys: SystemContext): Promise<FirewallState> {
  const s = empty();
  const r = await runConsole(sys, 'netsh', ['advfirewall', 'show', 'allprofiles'], { timeoutMs: 15_000 });
  s.tool = 'windows';
  s.windowsProfiles = r.exitCode === 0 ? parseNetshProfiles(r.stdout) : [];
  if (s.windowsProfiles.length === 0 || s.windowsProfiles.some((p) => p.on === null)) {
    // A failed or unreadable netsh says nothing about the firewall: it is "could not read", never "off".
    s.unknown = msg('prep.fw.why.netshUnreadable', {
      command: 'netsh advfirewall show allprofiles',
      code: r.timedOut ? 'timeout' : (r.exitCode ?? '-'),
      said: consoleSaid(r),
    });
    s.reasons.push(s.unknown);
    return s;
  }
  const on = s.windowsProfiles.filter((p) => p.on);
  s.active = on.length > 0;
  s.filtersInbound = on.some((p) => p.blockInbound !== false);
  s.filtersOutbound = on.some((p) => p.blockOutbound === true);
  if (s.active) {
    const rules = await runConsole(sys, 'netsh', ['advfirewall', 'firewall', 'show', 'rule', 'name=all'], {
      timeoutMs: 30_000,
    });
    s.dsaRules = parseNetshRuleNames(rules.stdout).map((tag) => ({ tag, where: 'windows' }));
  }
  s.reasons.push({
    key: s.active ? 'prep.fw.why.windowsOn' : 'prep.fw.why.windowsOff',
    params: { profiles: on.map((p) => p.name).join(', ') || '-' },
  });
  return s;
}

/**
 * Detects the host firewall: firewalld, else ufw, else iptables rules, else an nftables ruleset that
 * filters (Linux); the Windows Defender Firewall profiles (Windows). Read-only.
 */
export async function detectFirewall(sys: SystemContext): Promise<FirewallState> {
  if (sys.os === 'windows') return detectWindowsFirewall(sys);
  const s = empty();
  const fwd = await sys.exec.run('firewall-cmd', ['--state'], C_ENV);
  if (!fwd.notFound && fwd.stdout.trim() === 'running') {
    const rich = await sys.exec.run('firewall-cmd', ['--list-rich-rules'], C_ENV);
    return firewalldState(s, 'firewalld', rich.stdout, msg('prep.fw.why.firewalld'));
  }
  // Stopped now but started at boot: rules added to the running kernel now would be gone at the next boot, when
  // firewalld loads its permanent configuration. That configuration is what gets the openings.
  if (!fwd.notFound && fwd.stdout.trim() === 'not running') {
    const enabled = await sys.exec.run('systemctl', ['is-enabled', 'firewalld'], C_ENV);
    if (enabled.stdout.trim() === 'enabled') {
      const rich = await sys.exec.run('firewall-offline-cmd', ['--list-rich-rules'], C_ENV);
      if (!rich.notFound && rich.exitCode === 0)
        return firewalldState(s, 'firewall-offline-cmd', rich.stdout, msg('prep.fw.why.firewalldStopped'));
    }
  }
  const ufw = await sys.exec.run('ufw', ['status', 'verbose'], C_ENV);
  if (!ufw.notFound) {
    const u = parseUfwStatus(ufw.stdout);
    if (u.active)
      return {
        ...s,
        active: true,
        tool: 'ufw',
        filtersInbound: u.denyIncoming,
        filtersOutbound: u.denyOutgoing,
        dsaRules: u.tagged,
        reasons: [msg('prep.fw.why.ufw')],
      };
  }
  const ipt = await sys.exec.run('iptables-save', ['-t', 'filter'], C_ENV);
  if (!ipt.notFound && ipt.exitCode === 0) {
    const p = parseIptablesSave(ipt.stdout);
    // SLES 12: SuSEfirewall2 made these rules from its configuration file, and makes them again at its next start.
    const suse = (p.inbound || p.outbound) && (await sysExists(sys, SUSEFIREWALL2_CONFIG));
    if (p.inbound || p.outbound)
      return {
        ...s,
        active: true,
        tool: 'iptables',
        frontEnd: suse ? 'SuSEfirewall2' : null,
        filtersInbound: p.inbound,
        filtersOutbound: p.outbound,
        dsaRules: p.tagged,
        accepts: p.accepts,
        reasons: [
          suse ? msg('prep.fw.why.suseFirewall2', { file: SUSEFIREWALL2_CONFIG }) : msg('prep.fw.why.iptables'),
        ],
      };
  }
  const nft = await sys.exec.run('nft', ['-j', 'list', 'ruleset'], C_ENV);
  if (!nft.notFound && nft.exitCode === 0 && nft.stdout.trim()) {
    const p = parseNftRuleset(nft.stdout);
    if (p && p.chains.length)
      return {
        ...s,
        active: true,
        tool: 'nftables',
        filtersInbound: p.chains.some((c) => c.hook === 'input'),
        filtersOutbound: p.chains.some((c) => c.hook === 'output'),
        nftChains: p.chains,
        dsaRules: p.tagged,
        accepts: p.accepts,
        reasons: [
          msg('prep.fw.why.nftables', {
            chains: p.chains.map((c) => `${c.family} ${c.table} ${c.name} (${c.hook}, ${c.policy})`).join('; '),
          }),
        ],
      };
  }
  s.reasons.push(msg('prep.fw.why.none'));
  return s;
}

/** firewalld's state, running (`firewall-cmd`) or stopped (`firewall-offline-cmd`): inbound filtered, its rich rules. */
function firewalldState(
  s: FirewallState,
  tool: 'firewalld' | 'firewall-offline-cmd',
  richRules: string,
  why: Message,
): FirewallState {
  return {
    ...s,
    active: true,
    tool,
    filtersInbound: true,
    filtersOutbound: false,
    richRules: richRules.split(/\r?\n/).filter(Boolean),
    reasons: [why],
  };
}

/** Whether an accept rule already there lets this opening through in that chain. */
export function acceptCovers(a: AcceptRule, where: string, r: FirewallRule): boolean {
  const field = r.direction === 'out' ? 'daddr' : 'saddr';
  return (
    a.where === where && a.port === r.port && (a.address === null || (a.field === field && a.address === r.address))
  );
}
