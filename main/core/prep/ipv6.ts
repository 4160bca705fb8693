import { msg } from '../message.js';
import type { SystemContext } from '../system.js';
import type { Message } from '../steps/types.js';
import type { OsInfo } from '../platform/inspect.js';
import { listSysDir, readSysText, sysExists } from './sysFiles.js';
import { platformKind } from '../platformText.js';

/** The three sysctls the "disable addressing" method sets. */
export const IPV6_SYSCTL_KEYS = [
  'net.ipv6.conf.all.disable_ipv6',
  'net.ipv6.conf.default.disable_ipv6',
  'net.ipv6.conf.lo.disable_ipv6',
] as const;

/** The Cloudn manual's file for EL6 (`options ipv6 disable=1`). */
export const MODPROBE_FILE = '/etc/modprobe.d/disable-ipv6.conf';
export const MODPROBE_LINE = 'options ipv6 disable=1';
/** Our sysctl.d drop-in (read before /etc/sysctl.conf; 90- sorts after the distribution's files). */
export const SYSCTL_DROPIN = '/etc/sysctl.d/90-dsa-setup-disable-ipv6.conf';
export const GRUB_DEFAULT = '/etc/default/grub';
export const KERNEL_ARG = 'ipv6.disable=1';

/**
 * How IPv6 is switched off: `module` (EL6, the Cloudn manual's modprobe option), `addressing` (sysctl
 * disable_ipv6: the protocol stays, interfaces get no IPv6 address), `protocol` (kernel argument
 * ipv6.disable=1: no IPv6 stack at all after a reboot).
 */
export type Ipv6Method = 'module' | 'addressing' | 'protocol';

/** One setting of a disable_ipv6 sysctl found in a configuration file. */
export interface SysctlSetting {
  path: string;
  line: number;
  key: string;
  value: string;
}

/** What the target says about IPv6: now (runtime) and after the next boot (configuration). */
export interface Ipv6State {
  /** on: the kernel has IPv6 with addresses; off: disabled now; unknown: no /proc to read (offline image). */
  runtime: 'on' | 'off' | 'unknown';
  /** What the configuration gives at the next boot. */
  configured: 'on' | 'off';
  /** The ipv6 module: loaded, built into the kernel, absent, or unknown (no /sys to read). */
  module: 'loaded' | 'builtin' | 'absent' | 'unknown';
  /** The running kernel's command line has ipv6.disable=1 (null: unknown). */
  cmdlineDisabled: boolean | null;
  /** Runtime values of the three disable_ipv6 sysctls (null: unreadable). */
  sysctl: Record<(typeof IPV6_SYSCTL_KEYS)[number], number | null>;
  /** modprobe.d files that disable the module (options ipv6 disable=1, blacklist, install /bin/true). */
  modprobeFiles: string[];
  /** disable_ipv6 settings in sysctl configuration files, in the order `sysctl --system` reads them. */
  sysctlSettings: SysctlSetting[];
  /** GRUB_CMDLINE_LINUX in /etc/default/grub has ipv6.disable=1. */
  grubDefaultDisabled: boolean;
  /** The configuration disables IPv6 but the running kernel still has it: a reboot is pending. */
  rebootPending: boolean;
  /** Why IPv6 is in this state, as messages. */
  reasons: Message[];
}

/** Parses modprobe configuration: true when it disables the ipv6 module. */
export function modprobeDisablesIpv6(text: string): boolean {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (/^options\s+ipv6\s+(.*\s)?disable=1(\s|$)/.test(line)) return true;
    if (/^blacklist\s+ipv6$/.test(line)) return true;
    if (/^install\s+ipv6\s+\/(usr\/)?bin\/(true|false)\b/.test(line)) return true;
  }
  return false;
}

/** Parses sysctl configuration (`key = value`, `;`/`#` comments, `-key` prefix) into the disable_ipv6 settings. */
export function parseSysctlConf(path: string, text: string): SysctlSetting[] {
  const out: SysctlSetting[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const m = /^-?([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (!m) return;
    const key = m[1]!.replace(/\//g, '.');
    if (/^net\.ipv6\.conf\.[^.]+\.disable_ipv6$/.test(key)) out.push({ path, line: i + 1, key, value: m[2]!.trim() });
  });
  return out;
}

/** The value of GRUB_CMDLINE_LINUX in /etc/default/grub (without quotes), or null when absent. */
export function grubCmdline(text: string): string | null {
  let value: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*GRUB_CMDLINE_LINUX=(.*)$/.exec(raw);
    if (m) value = unquote(m[1]!.trim());
  }
  return value;
}

function unquote(v: string): string {
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

/** Whether a kernel command line carries ipv6.disable=1. */
export function cmdlineHasIpv6Disable(cmdline: string): boolean {
  return cmdline.split(/\s+/).includes(KERNEL_ARG);
}

/**
 * Adds ipv6.disable=1 to GRUB_CMDLINE_LINUX, keeping every other byte of the file (its quoting and line
 * ending); appends the line when the file has none. Returns the text unchanged when it is already there.
 */
export function addGrubKernelArg(text: string): string {
  const current = grubCmdline(text);
  if (current !== null && cmdlineHasIpv6Disable(current)) return text;
  const lines = text.split('\n');
  let last = -1;
  lines.forEach((l, i) => {
    if (/^\s*GRUB_CMDLINE_LINUX=/.test(l)) last = i;
  });
  if (last < 0) {
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    return `${text}${sep}GRUB_CMDLINE_LINUX="${KERNEL_ARG}"\n`;
  }
  const line = lines[last]!;
  const cr = line.endsWith('\r') ? '\r' : '';
  const m = /^(\s*GRUB_CMDLINE_LINUX=)(.*)$/.exec(line.slice(0, line.length - cr.length))!;
  const raw = m[2]!.trim();
  const q = raw.startsWith("'") ? "'" : '"';
  const inner = unquote(raw);
  lines[last] = `${m[1]}${q}${inner ? `${inner} ${KERNEL_ARG}` : KERNEL_ARG}${q}${cr}`;
  return lines.join('\n');
}

/** The method a generation uses by default, and whether the user's choice applies to it. */
export function ipv6MethodFor(os: OsInfo, wanted: 'addressing' | 'protocol'): Ipv6Method {
  return platformKind(os) === 'el6' ? 'module' : wanted;
}

/** The sysctl.d drop-in we write for the "disable addressing" method. */
export function sysctlDropinText(): string {
  return [
    '# Written by dsa-setup: IPv6 addressing off (Deep Security Agent preparation).',
    '# Remove this file (or run `dsa-setup revert`) and run `sysctl --system` to undo.',
    ...IPV6_SYSCTL_KEYS.map((k) => `${k} = 1`),
    '',
  ].join('\n');
}

const SYSCTL_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'];

/** Every sysctl configuration file in the order `sysctl --system` applies them (later wins). */
async function sysctlFiles(sys: SystemContext): Promise<string[]> {
  const byName = new Map<string, string>();
  for (const dir of SYSCTL_DIRS) {
    for (const name of await listSysDir(sys, dir)) {
      if (name.endsWith('.conf') && !byName.has(name)) byName.set(name, `${dir}/${name}`);
    }
  }
  const files = [...byName.keys()].sort().map((n) => byName.get(n)!);
  if (await sysExists(sys, '/etc/sysctl.conf')) files.push('/etc/sysctl.conf');
  return files;
}

async function readNumber(sys: SystemContext, p: string): Promise<number | null> {
  const t = await readSysText(sys, p);
  if (t === null) return null;
  const n = Number.parseInt(t.trim(), 10);
  return Number.isNaN(n) ? null : n;
}

/**
 * Detects IPv6 on a Linux target: the module (loaded or built in), the runtime disable_ipv6 sysctls, the
 * kernel command line, and the modprobe.d / sysctl.d / GRUB configuration for the next boot.
 * Reads only files of the target (its /proc and /sys when live), so an offline image gives `unknown` runtime.
 */
export async function detectIpv6(sys: SystemContext): Promise<Ipv6State> {
  const reasons: Message[] = [];
  const cmdline = await readSysText(sys, '/proc/cmdline');
  const cmdlineDisabled = cmdline === null ? null : cmdlineHasIpv6Disable(cmdline);
  const haveProcSys = await sysExists(sys, '/proc/sys');
  const haveIpv6Sys = await sysExists(sys, '/proc/sys/net/ipv6');
  const sysctl = {
    'net.ipv6.conf.all.disable_ipv6': await readNumber(sys, '/proc/sys/net/ipv6/conf/all/disable_ipv6'),
    'net.ipv6.conf.default.disable_ipv6': await readNumber(sys, '/proc/sys/net/ipv6/conf/default/disable_ipv6'),
    'net.ipv6.conf.lo.disable_ipv6': await readNumber(sys, '/proc/sys/net/ipv6/conf/lo/disable_ipv6'),
  };
  let module: Ipv6State['module'] = 'unknown';
  if (await sysExists(sys, '/sys/module/ipv6')) {
    const mods = (await readSysText(sys, '/proc/modules')) ?? '';
    module = /^ipv6\s/m.test(mods) ? 'loaded' : 'builtin';
  } else if (await sysExists(sys, '/sys/module')) module = 'absent';

  let runtime: Ipv6State['runtime'] = 'unknown';
  if (cmdlineDisabled) {
    runtime = 'off';
    reasons.push(msg('prep.ipv6.why.cmdline'));
  } else if (haveProcSys && !haveIpv6Sys) {
    runtime = 'off';
    // No /proc/sys/net/ipv6: the module is absent, or (EL6, the Cloudn manual's method) loaded with disable=1.
    const why = module === 'loaded' || module === 'builtin' ? 'noStackDisabled' : 'noStack';
    reasons.push(msg(`prep.ipv6.why.${why}`));
  } else if (haveIpv6Sys) {
    const all = sysctl['net.ipv6.conf.all.disable_ipv6'];
    runtime = all === 1 ? 'off' : 'on';
    reasons.push({ key: all === 1 ? 'prep.ipv6.why.sysctlOff' : 'prep.ipv6.why.sysctlOn', params: {} });
  }

  const modprobeFiles: string[] = [];
  for (const name of await listSysDir(sys, '/etc/modprobe.d')) {
    if (!name.endsWith('.conf')) continue;
    const p = `/etc/modprobe.d/${name}`;
    if (modprobeDisablesIpv6((await readSysText(sys, p)) ?? '')) modprobeFiles.push(p);
  }
  const sysctlSettings: SysctlSetting[] = [];
  for (const f of await sysctlFiles(sys)) sysctlSettings.push(...parseSysctlConf(f, (await readSysText(sys, f)) ?? ''));
  const grubText = await readSysText(sys, GRUB_DEFAULT);
  const grubDefaultDisabled = grubText !== null && cmdlineHasIpv6Disable(grubCmdline(grubText) ?? '');

  const lastValue = (key: string): string | undefined => sysctlSettings.filter((s) => s.key === key).pop()?.value;
  const sysctlConfiguredOff = lastValue('net.ipv6.conf.all.disable_ipv6') === '1';
  for (const f of modprobeFiles) reasons.push(msg('prep.ipv6.why.modprobe', { file: f }));
  if (grubDefaultDisabled) reasons.push(msg('prep.ipv6.why.grub', { file: GRUB_DEFAULT }));
  if (sysctlConfiguredOff) {
    const s = sysctlSettings.filter((x) => x.key === 'net.ipv6.conf.all.disable_ipv6').pop()!;
    reasons.push(msg('prep.ipv6.why.sysctlConf', { file: s.path, line: s.line }));
  }
  const configured: Ipv6State['configured'] =
    modprobeFiles.length > 0 || grubDefaultDisabled || sysctlConfiguredOff ? 'off' : 'on';
  const rebootPending = configured === 'off' && runtime === 'on';
  if (rebootPending) reasons.push(msg('prep.ipv6.why.rebootPending'));
  return {
    runtime,
    configured,
    module,
    cmdlineDisabled,
    sysctl,
    modprobeFiles,
    sysctlSettings,
    grubDefaultDisabled,
    rebootPending,
    reasons,
  };
}
