import { lookup as dnsLookup } from 'node:dns/promises';
import { unwrapParse, loadActivation } from '../inputs/load.js';
import { managerFlavour } from '../openings.js';
import { resolveLikeSystem } from '../doctor/probes/dns.js';
import { isIPv6 } from 'node:net';
import { z } from 'zod';
import type { SystemContext } from '../system.js';
import type {
  CommandActionInput,
  Message,
  StepDescriptor,
  StepOptions,
  StepPlanBody,
  UndoCheck,
  Verification,
} from '../steps/types.js';
import { fail, inputError, type DsaError } from '../errors.js';
import { msg } from '../message.js';
import { firewallRules, parseAllowTargets, resolveAllowTargets } from './requests.js';
import { platformOf, type PlatformKind } from '../platformText.js';
import {
  SUSEFIREWALL2_CONFIG,
  FirewallRuleSchema,
  acceptCovers,
  detectFirewall,
  ruleTag,
  type FirewallRule,
  type FirewallState,
  type NftChain,
} from './firewall.js';

export const FirewallStepInput = z.object({
  rules: z.array(FirewallRuleSchema).min(1),
});
export type FirewallStepInput = z.infer<typeof FirewallStepInput>;

interface FwCommand {
  command: string;
  args: string[];
  /** The undo, and how revert reads it back: the rule no longer listed by the tool. */
  revert?: { command: string; args: string[]; check?: UndoCheck };
  /** nftables: the inserted rule's handle is read from the echo (the undo), then the chain is read back. */
  nftChain?: NftChain;
  rule: FirewallRule;
}

/** firewalld's rich rule for an inbound opening, in the exact form `--list-rich-rules` prints. */
export function richRule(r: FirewallRule): string {
  const fam = isIPv6(r.address) ? 'ipv6' : 'ipv4';
  return `rule family="${fam}" source address="${r.address}" port port="${r.port}" protocol="tcp" accept`;
}

/**
 * One rich-rule command (with its undo, read back by listing the rich rules): `firewall-cmd` with `flags` ([] the
 * running firewall, `--permanent` its configuration) or `firewall-offline-cmd` (the configuration of a stopped one).
 */
function richRuleCommand(command: string, flags: string[], r: FirewallRule): FwCommand {
  const rich = richRule(r);
  return {
    command,
    args: [...flags, `--add-rich-rule=${rich}`],
    revert: {
      command,
      args: [...flags, `--remove-rich-rule=${rich}`],
      check: { command, args: [...flags, '--list-rich-rules'], absent: rich },
    },
    rule: r,
  };
}

/** firewall-cmd runtime and permanent commands (with their undo) for an inbound opening. */
export function firewalldCommands(r: FirewallRule): FwCommand[] {
  return [richRuleCommand('firewall-cmd', [], r), richRuleCommand('firewall-cmd', ['--permanent'], r)];
}

/** The ufw command (with its undo) for an opening. */
export function ufwCommand(r: FirewallRule): FwCommand {
  const spec =
    r.direction === 'out'
      ? ['out', 'proto', 'tcp', 'to', r.address, 'port', String(r.port)]
      : ['in', 'proto', 'tcp', 'from', r.address, 'to', 'any', 'port', String(r.port)];
  return {
    command: 'ufw',
    args: ['allow', ...spec, 'comment', ruleTag(r)],
    revert: {
      command: 'ufw',
      args: ['delete', 'allow', ...spec],
      check: { command: 'ufw', args: ['status', 'verbose'], absent: ruleTag(r) },
    },
    rule: r,
  };
}

/** The iptables / ip6tables command (with its undo) for an opening: inserted first in OUTPUT or INPUT. */
export function iptablesCommand(r: FirewallRule): FwCommand {
  const cmd = isIPv6(r.address) ? 'ip6tables' : 'iptables';
  const chain = r.direction === 'out' ? 'OUTPUT' : 'INPUT';
  const match =
    r.direction === 'out'
      ? ['-p', 'tcp', '-d', r.address, '--dport', String(r.port)]
      : ['-p', 'tcp', '-s', r.address, '--dport', String(r.port)];
  const rest = [...match, '-m', 'comment', '--comment', ruleTag(r), '-j', 'ACCEPT'];
  return {
    command: cmd,
    args: ['-I', chain, ...rest],
    revert: {
      command: cmd,
      args: ['-D', chain, ...rest],
      check: { command: cmd, args: ['-S', chain], absent: ruleTag(r) },
    },
    rule: r,
  };
}

/** The nft command that inserts an opening at the top of a filtering chain (undo: see apply). */
export function nftInsertCommand(chain: NftChain, r: FirewallRule): FwCommand {
  const l3 = isIPv6(r.address) ? 'ip6' : 'ip';
  const dir = r.direction === 'out' ? 'daddr' : 'saddr';
  return {
    command: 'nft',
    args: [
      '--echo',
      '--handle',
      'insert',
      'rule',
      chain.family,
      chain.table,
      chain.name,
      l3,
      dir,
      r.address,
      'tcp',
      'dport',
      String(r.port),
      'accept',
      'comment',
      `"${ruleTag(r)}"`,
    ],
    nftChain: chain,
    rule: r,
  };
}

/** The netsh command (with its undo) for an opening in Windows Defender Firewall. */
export function netshCommand(r: FirewallRule): FwCommand {
  const name = `name=${ruleTag(r)}`;
  const spec =
    r.direction === 'out'
      ? ['dir=out', 'action=allow', 'protocol=TCP', `remoteip=${r.address}`, `remoteport=${r.port}`]
      : ['dir=in', 'action=allow', 'protocol=TCP', `localport=${r.port}`, `remoteip=${r.address}`];
  return {
    command: 'netsh',
    args: ['advfirewall', 'firewall', 'add', 'rule', name, ...spec],
    // `show rule` exits 1 ("No rules match the specified criteria.") once the rule is gone.
    revert: {
      command: 'netsh',
      args: ['advfirewall', 'firewall', 'delete', 'rule', name],
      check: { command: 'netsh', args: ['advfirewall', 'firewall', 'show', 'rule', name], exitCode: 1 },
    },
    rule: r,
  };
}

/** Parses the handle nft prints with `--echo --handle` (`… # handle 7`). */
export function parseNftHandle(text: string): number | null {
  const m = /#\s*handle\s+(\d+)/.exec(text);
  return m ? Number(m[1]) : null;
}

const alreadyAllowed = (r: FirewallRule, where = ''): Message =>
  msg('prep.fw.note.alreadyAllowed', { address: r.address, port: r.port, where });

const has = (s: FirewallState, tag: string, where?: string): boolean =>
  s.dsaRules.some((d) => d.tag === tag && (where === undefined || d.where === where));

/**
 * How rules added at run time are kept across a reboot on this platform: the distribution's save command or file
 * (`service iptables save` with iptables-services on RHEL, `netfilter-persistent save` on Debian/Ubuntu,
 * /etc/sysconfig/nftables.conf or /etc/nftables.conf), else the ruleset loaded at boot in general words.
 */
export function keepRulesHint(tool: 'iptables' | 'nftables', kind: PlatformKind): Message {
  const el = kind === 'el' || kind === 'el6';
  if (tool === 'iptables' && el) return msg('prep.fw.keep.command', { command: 'service iptables save' });
  if (tool === 'iptables' && kind === 'debian')
    return msg('prep.fw.keep.command', { command: 'netfilter-persistent save' });
  if (tool === 'nftables' && el) return msg('prep.fw.keep.file', { file: '/etc/sysconfig/nftables.conf' });
  if (tool === 'nftables' && kind === 'debian') return msg('prep.fw.keep.file', { file: '/etc/nftables.conf' });
  return msg('prep.fw.keep.boot');
}

/** The commands that open what is not open yet, and the notes that explain what is left as is. */
export function firewallCommands(
  s: FirewallState,
  rules: FirewallRule[],
  kind: PlatformKind = 'linux',
): { commands: FwCommand[]; notes: Message[] } {
  const commands: FwCommand[] = [];
  const notes: Message[] = [];
  if (!s.active) return { commands, notes: [msg('prep.fw.note.inactive')] };
  const filtered = (r: FirewallRule): boolean => (r.direction === 'out' ? s.filtersOutbound : s.filtersInbound);
  for (const dir of ['out', 'in'] as const) {
    if (rules.some((r) => r.direction === dir) && !(dir === 'out' ? s.filtersOutbound : s.filtersInbound))
      notes.push(msg(`prep.fw.note.notFiltered.${dir}`, { tool: s.tool ?? '-' }));
  }
  for (const r of rules) {
    if (!filtered(r)) continue;
    const tag = ruleTag(r);
    switch (s.tool) {
      case 'firewalld':
        if (!s.richRules.includes(richRule(r))) commands.push(...firewalldCommands(r));
        break;
      case 'firewall-offline-cmd':
        if (!s.richRules.includes(richRule(r))) commands.push(richRuleCommand('firewall-offline-cmd', [], r));
        break;
      case 'ufw':
        if (!has(s, tag)) commands.push(ufwCommand(r));
        break;
      case 'iptables':
        if (s.accepts.some((a) => acceptCovers(a, r.direction === 'out' ? 'OUTPUT' : 'INPUT', r)))
          notes.push(alreadyAllowed(r));
        else if (!has(s, tag)) commands.push(iptablesCommand(r));
        break;
      case 'windows':
        if (!has(s, tag)) commands.push(netshCommand(r));
        break;
      case 'nftables':
        for (const c of s.nftChains) {
          if (c.hook !== (r.direction === 'out' ? 'output' : 'input')) continue;
          if (c.family === (isIPv6(r.address) ? 'ip' : 'ip6')) continue;
          const where = `${c.family} ${c.table} ${c.name}`;
          if (has(s, tag, where)) continue;
          if (s.accepts.some((a) => acceptCovers(a, where, r))) notes.push(alreadyAllowed(r, where));
          else commands.push(nftInsertCommand(c, r));
        }
        break;
      default:
        break;
    }
  }
  // SuSEfirewall2 rebuilds the rules at its next start: its own file keeps inbound openings (net,protocol,port).
  const suseEntries =
    s.frontEnd === 'SuSEfirewall2'
      ? [
          ...new Set(
            commands.filter((c) => c.rule.direction === 'in').map((c) => `${c.rule.address},tcp,${c.rule.port}`),
          ),
        ]
      : [];
  if (suseEntries.length)
    notes.push(
      msg('prep.fw.note.runtimeOnlySuSEfirewall2', { file: SUSEFIREWALL2_CONFIG, entries: suseEntries.join(' ') }),
    );
  else if (commands.length && (s.tool === 'nftables' || s.tool === 'iptables'))
    notes.push(msg('prep.fw.note.runtimeOnly', { tool: s.tool, keep: keepRulesHint(s.tool, kind) }));
  return { commands, notes };
}

async function work(sys: SystemContext, input: FirewallStepInput) {
  const [state, kind] = await Promise.all([detectFirewall(sys), platformOf(sys)]);
  return { state, ...firewallCommands(state, input.rules, kind) };
}

/** The firewall's state could not be read: nothing may be called open or "not filtered". */
function unreadableError(why: Message): DsaError {
  return fail('prep.fw.unreadable', msg('prep.fw.unreadable', { why }), { remedy: msg('prep.fw.unreadableRemedy') });
}

/** The action of one command: nft's undo is read from the handle it prints, then the chain is read back. */
function toAction(c: FwCommand, tool: string): CommandActionInput {
  const chain = c.nftChain;
  return {
    kind: 'command',
    command: c.command,
    args: c.args,
    timeoutSec: 30,
    reason: {
      key: `prep.fw.reason.${c.rule.direction}`,
      // A name given as input is shown with the address it resolved to at plan time.
      params: { address: c.rule.host ? `${c.rule.address} (${c.rule.host})` : c.rule.address, port: c.rule.port, tool },
    },
    ...(c.revert ? { undo: c.revert } : {}),
    ...(chain
      ? {
          undoFromResult: { kind: 'nftHandle' as const, family: chain.family, table: chain.table, chain: chain.name },
          readBack: { command: 'nft', args: ['--handle', 'list', 'chain', chain.family, chain.table, chain.name] },
        }
      : {}),
  };
}

/**
 * The outbound rules beyond the portal's hosts file, resolved at plan time: `--firewall-allow` targets (addresses
 * or host names) and, for a Cloud One activation file, its manager on 443.
 */
async function allowRules(opts: StepOptions, sys: SystemContext | undefined): Promise<FirewallRule[]> {
  const targets = [...unwrapParse('--firewall-allow', parseAllowTargets(opts.firewallAllow ?? []))];
  if (opts.activationFile) {
    const a = await loadActivation(opts.activationFile);
    const tenant = a.args.some((x) => x.key === 'tenantID');
    if (managerFlavour(a.manager, tenant) === 'cloud-one') targets.push({ host: a.manager.host, port: a.manager.port });
  }
  const lookup = async (name: string): Promise<string[]> => {
    if (sys) {
      const r = await resolveLikeSystem(sys, name, 3_000);
      return r.ok ? [r.address] : [];
    }
    return (await dnsLookup(name, { all: true })).map((x) => x.address);
  };
  return resolveAllowTargets(targets, lookup);
}

/** Openings for the manager's ports in the host firewall, only where a host firewall filters. */
export const firewallStep: StepDescriptor<FirewallStepInput> = {
  id: 'firewall',
  titleKey: 'prep.fw.title',
  input: FirewallStepInput,
  flags: [
    { flags: '--open-firewall', helpKey: 'prep.cli.openFirewall' },
    { flags: '--manager-initiated', helpKey: 'prep.cli.managerInitiated' },
    { flags: '--firewall-allow <address:port...>', helpKey: 'prep.cli.firewallAllow' },
    { flags: '--activation-file <file>', helpKey: 'prep.cli.activationFile' },
  ],
  platforms: ['linux', 'windows'],
  defaultOn: [],
  needs: ['hostsFile'],
  async fromOptions(opts, ctx) {
    if (!opts.openFirewall) return null;
    const rules = firewallRules(ctx.entries, opts, await allowRules(opts, ctx.sys));
    if (rules.length === 0)
      throw inputError('prep.fw.noTargets', msg('prep.fw.noTargets'), msg('prep.fw.noTargetsRemedy'));
    return { rules };
  },

  async plan(sys, input): Promise<StepPlanBody> {
    const w = await work(sys, input);
    if (w.state.unknown)
      return {
        changes: [],
        notes: w.state.reasons,
        rebootRequired: false,
        upToDate: false,
        blocked: unreadableError(w.state.unknown).toInfo(),
      };
    return {
      changes: w.commands.map((c) => toAction(c, w.state.tool ?? '-')),
      notes: [...w.state.reasons, ...w.notes],
      rebootRequired: false,
      upToDate: w.commands.length === 0,
    };
  },
  async verify(sys, input): Promise<Verification> {
    const w = await work(sys, input);
    if (w.state.unknown) return { ok: false, detail: msg('prep.fw.unreadable', { why: w.state.unknown }) };
    if (w.commands.length === 0)
      return {
        ok: true,
        detail: msg('prep.fw.verified', { n: input.rules.length, tool: w.state.tool ?? '-' }),
      };
    return {
      ok: false,
      detail: msg('prep.fw.notVerified', { rules: [...new Set(w.commands.map((c) => ruleTag(c.rule)))].join(', ') }),
    };
  },
};
