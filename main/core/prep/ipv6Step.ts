import { basename } from 'node:path';
import { z } from 'zod';
import { fail, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import { detectOs, type OsInfo } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import type {
  CommandActionInput,
  FileAction,
  Message,
  StepDescriptor,
  UndoCheck,
  Verification,
} from '../steps/types.js';
import { fileWriteAction } from '../steps/fileAction.js';
import {
  GRUB_DEFAULT,
  IPV6_SYSCTL_KEYS,
  KERNEL_ARG,
  MODPROBE_FILE,
  MODPROBE_LINE,
  SYSCTL_DROPIN,
  addGrubKernelArg,
  cmdlineHasIpv6Disable,
  detectIpv6,
  grubCmdline,
  ipv6MethodFor,
  sysctlDropinText,
  type Ipv6Method,
  type Ipv6State,
} from './ipv6.js';
import { readSysFile, readSysText } from './sysFiles.js';

export const Ipv6StepInput = z.object({
  /** addressing: sysctl disable_ipv6 (at once); protocol: kernel argument ipv6.disable=1 (after a reboot). */
  method: z.enum(['addressing', 'protocol']).default('addressing'),
});
export type Ipv6StepInput = z.infer<typeof Ipv6StepInput>;

/** One ordered action of the step: a file to write, or a command with its undo. */
type Action =
  | { kind: 'file'; path: string; before: Buffer | null; after: string }
  | {
      kind: 'command';
      command: string;
      args: string[];
      revert?: { command: string; args: string[]; check?: UndoCheck };
      reason: Message;
      /** Exit codes that do not fail the step (the read-back decides). */
      okExitCodes?: number[];
    };

interface Ipv6Work {
  method: Ipv6Method;
  os: OsInfo;
  state: Ipv6State;
  actions: Action[];
  notes: Message[];
  rebootRequired: boolean;
}

const C_LOCALE = { env: { LC_ALL: 'C' }, timeoutMs: 20_000 };

/** Parses `chkconfig --list SERVICE` ("ip6tables 0:off 1:off 2:on …") into the runlevels where it is on. */
export function parseChkconfigList(text: string): { levels: string[]; known: boolean } {
  const levels: string[] = [];
  let known = false;
  for (const m of text.matchAll(/\b([0-6]):(on|off)\b/g)) {
    known = true;
    if (m[2] === 'on') levels.push(m[1]!);
  }
  return { levels, known };
}

/** One boot entry of `grubby --info=ALL`: its kernel (when printed) and its arguments. */
interface GrubbyEntry {
  kernel: string | null;
  args: string;
}

/** Parses `grubby --info=ALL` (`index=N`, `kernel="…"`, `args="…"` lines per entry) into its kernel entries. */
function parseGrubbyEntries(text: string): GrubbyEntry[] {
  const out: GrubbyEntry[] = [];
  let kernel: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (/^index=/.test(line)) kernel = null;
    const k = /^kernel="?(.*?)"?\s*$/.exec(line);
    if (k) kernel = k[1]!;
    const a = /^args="?(.*?)"?\s*$/.exec(line);
    if (a) out.push({ kernel, args: a[1]! });
  }
  return out;
}

/** Parses `grubby --info=ALL` into the args of each kernel entry. */
export function parseGrubbyInfo(text: string): string[] {
  return parseGrubbyEntries(text).map((e) => e.args);
}

/** How the boot loader configuration is regenerated on a distribution without grubby. */
function grubRegen(os: OsInfo): { probe: string[]; regen: string[]; cfg: string } | null {
  if (os.family === 'debian')
    return { probe: ['grub-mkconfig', '--version'], regen: ['update-grub'], cfg: '/boot/grub/grub.cfg' };
  if (os.family === 'suse')
    return {
      probe: ['grub2-mkconfig', '--version'],
      regen: ['grub2-mkconfig', '-o', '/boot/grub2/grub.cfg'],
      cfg: '/boot/grub2/grub.cfg',
    };
  return null;
}

/**
 * The Linux kernel lines of a generated grub.cfg (`linux`, `linuxefi`, `linux16`), without memtest86+ (also
 * loaded with `linux`/`linux16`, and never given GRUB_CMDLINE_LINUX), and those lacking the kernel argument.
 */
function grubCfgKernelLines(text: string): { total: number; without: string[] } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^linux(efi|16)?\s/.test(l) && !/memtest/i.test(l.split(/\s+/)[1] ?? ''));
  return { total: lines.length, without: lines.filter((l) => !cmdlineHasIpv6Disable(l)) };
}

/** Whether every kernel line of a generated grub.cfg carries the kernel argument (null: no such lines). */
export function grubCfgHasArg(text: string): boolean | null {
  const k = grubCfgKernelLines(text);
  return k.total === 0 ? null : k.without.length === 0;
}

/** The runlevels from the first to the last given, as `chkconfig --list` prints them (`3:on 4:off 5:on`). */
function levelRun(on: string[]): string {
  const n = on.map(Number);
  const out: string[] = [];
  for (let l = Math.min(...n); l <= Math.max(...n); l++) out.push(`${l}:${n.includes(l) ? 'on' : 'off'}`);
  return out.join(' ');
}

async function moduleWork(sys: SystemContext, state: Ipv6State, actions: Action[], notes: Message[]): Promise<void> {
  if (state.modprobeFiles.length === 0) {
    const before = await readSysFile(sys, MODPROBE_FILE);
    const text = before ? before.toString('utf8') : '';
    const after = `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${MODPROBE_LINE}\n`;
    actions.push({ kind: 'file', path: MODPROBE_FILE, before, after });
  } else notes.push(msg('prep.ipv6.note.modprobeThere', { files: state.modprobeFiles.join(', ') }));
  const list = await sys.exec.run('chkconfig', ['--list', 'ip6tables'], C_LOCALE);
  if (list.notFound || (list.exitCode !== 0 && !/:on|:off/.test(list.stdout))) {
    notes.push(msg('prep.ipv6.note.noIp6tables'));
    return;
  }
  const { levels, known } = parseChkconfigList(list.stdout);
  if (known && levels.length === 0) return;
  actions.push({
    kind: 'command',
    command: 'chkconfig',
    args: ['ip6tables', 'off'],
    revert: {
      command: 'chkconfig',
      args: levels.length ? ['--level', levels.join(''), 'ip6tables', 'on'] : ['ip6tables', 'on'],
      // Read back: the runlevels it was on are on again (`… 2:on 3:on 4:on 5:on …`).
      ...(levels.length
        ? { check: { command: 'chkconfig', args: ['--list', 'ip6tables'], present: levelRun(levels) } }
        : {}),
    },
    reason: msg('prep.ipv6.reason.chkconfig', { levels: levels.join('') || '?' }),
  });
}

async function addressingWork(
  sys: SystemContext,
  state: Ipv6State,
  actions: Action[],
  notes: Message[],
): Promise<void> {
  notes.push(msg('prep.ipv6.note.addressing'));
  if (state.cmdlineDisabled) {
    notes.push(msg('prep.ipv6.note.alreadyKernelOff'));
    return;
  }
  const before = await readSysFile(sys, SYSCTL_DROPIN);
  const want = sysctlDropinText();
  const fileOk = before !== null && before.toString('utf8') === want;
  if (!fileOk) actions.push({ kind: 'file', path: SYSCTL_DROPIN, before, after: want });
  // `sysctl --system` reads the *.conf of the sysctl.d directories sorted by file name, then /etc/sysctl.conf:
  // a file read after our drop-in that sets another value wins.
  const readOrder = (p: string): string => (p === '/etc/sysctl.conf' ? '\uffff' : basename(p));
  const after = state.sysctlSettings.filter(
    (s) =>
      s.path !== SYSCTL_DROPIN &&
      s.value !== '1' &&
      (IPV6_SYSCTL_KEYS as readonly string[]).includes(s.key) &&
      readOrder(s.path) > readOrder(SYSCTL_DROPIN),
  );
  for (const s of after) notes.push(msg('prep.ipv6.note.overridden', { file: s.path, line: s.line, key: s.key }));
  if (fileOk && state.runtime !== 'on') return;
  const prevValues = IPV6_SYSCTL_KEYS.map((k) => String(state.sysctl[k] ?? 0));
  const prev = IPV6_SYSCTL_KEYS.map((k, i) => `${k}=${prevValues[i]}`);
  actions.push({
    kind: 'command',
    command: 'sysctl',
    args: ['--system'],
    revert: {
      command: 'sysctl',
      args: ['-w', ...prev],
      // Reverted only when the running values read back as they were.
      check: { command: 'sysctl', args: ['-n', ...IPV6_SYSCTL_KEYS], stdout: prevValues.join('\n') },
    },
    reason: msg('prep.ipv6.reason.sysctlSystem'),
    // sysctl exits 1 when any file sets a key this kernel lacks (net.bridge.* without br_netfilter loaded) yet
    // applies every other line: the read-back of the running values decides, not another file's error.
    okExitCodes: [0, 1],
  });
}

async function protocolWork(
  sys: SystemContext,
  os: OsInfo,
  state: Ipv6State,
  actions: Action[],
  notes: Message[],
): Promise<void> {
  notes.push(msg('prep.ipv6.note.protocol'));
  const before = await readSysFile(sys, GRUB_DEFAULT);
  const text = before ? before.toString('utf8') : '';
  const after = addGrubKernelArg(text);
  const grubChange: Action | null =
    before !== null && after !== text ? { kind: 'file', path: GRUB_DEFAULT, before, after } : null;
  if (before === null) notes.push(msg('prep.ipv6.note.noGrubDefault', { file: GRUB_DEFAULT }));
  const regen = grubRegen(os);
  if (regen) {
    const cfg = await readSysText(sys, regen.cfg);
    const cfgOk = cfg === null ? grubChange === null : grubCfgHasArg(cfg) === true;
    if (grubChange || !cfgOk) {
      // Journal order makes revert right: revert runs newest first, so the file is restored before the
      // probe's undo (the regeneration) runs from the restored file.
      actions.push({
        kind: 'command',
        command: regen.probe[0]!,
        args: regen.probe.slice(1),
        revert: { command: regen.regen[0]!, args: regen.regen.slice(1) },
        reason: msg('prep.ipv6.reason.grubProbe'),
      });
      if (grubChange) actions.push(grubChange);
      actions.push({
        kind: 'command',
        command: regen.regen[0]!,
        args: regen.regen.slice(1),
        reason: msg('prep.ipv6.reason.grubRegen', { file: regen.cfg }),
      });
    }
    return;
  }
  if (grubChange) actions.push(grubChange);
  const info = await sys.exec.run('grubby', ['--info=ALL'], C_LOCALE);
  const kernels = parseGrubbyInfo(info.stdout);
  const allHave = kernels.length > 0 && kernels.every((a) => cmdlineHasIpv6Disable(a));
  if (!allHave) {
    actions.push({
      kind: 'command',
      command: 'grubby',
      args: ['--update-kernel=ALL', '--args', KERNEL_ARG],
      revert: {
        command: 'grubby',
        args: ['--update-kernel=ALL', '--remove-args', KERNEL_ARG],
        check: { command: 'grubby', args: ['--info=ALL'], absent: KERNEL_ARG },
      },
      reason: msg('prep.ipv6.reason.grubby'),
    });
  }
}

/** Works out what the step does on this target: its ordered actions and notes. */
async function ipv6Work(sys: SystemContext, input: Ipv6StepInput): Promise<Ipv6Work> {
  if (sys.os !== 'linux') throw fail('prep.ipv6.notLinux', msg('prep.ipv6.notLinux'), { exit: ExitCode.badInput });
  const os = await detectOs(sys);
  if (os.family === 'unknown' || os.family === 'windows')
    throw fail('prep.ipv6.unknownOs', msg('prep.ipv6.unknownOs', { id: os.id }), {
      remedy: msg('prep.ipv6.unknownOsRemedy'),
      exit: ExitCode.badInput,
    });
  const state = await detectIpv6(sys);
  const method = ipv6MethodFor(os, input.method);
  const actions: Action[] = [];
  const notes: Message[] = [];
  if (method === 'module') {
    notes.push(msg('prep.ipv6.note.module', { os: os.name }));
    if (input.method === 'protocol') notes.push(msg('prep.ipv6.note.el6Method'));
    await moduleWork(sys, state, actions, notes);
  } else {
    // RHEL 7+: the Cloudn manual's modprobe method is for RHEL 6; say so, and what this plan does instead.
    if (os.family === 'rhel')
      notes.push(
        msg(`prep.ipv6.note.manualRhel6${method === 'protocol' ? 'Protocol' : 'Addressing'}`, { os: os.name }),
      );
    if (method === 'addressing') await addressingWork(sys, state, actions, notes);
    else await protocolWork(sys, os, state, actions, notes);
  }
  const rebootRequired =
    actions.length > 0 &&
    (method === 'protocol' ? state.cmdlineDisabled !== true : method === 'module' && state.runtime !== 'off');
  if (actions.length === 0 && state.rebootPending) notes.push(msg('prep.ipv6.note.rebootPending'));
  return { method, os, state, actions, notes, rebootRequired };
}

async function toChange(sys: SystemContext, a: Action): Promise<FileAction | CommandActionInput> {
  if (a.kind === 'file') return fileWriteAction(sys, a.path, a.before, a.after);
  return {
    kind: 'command',
    command: a.command,
    args: a.args,
    timeoutSec: 120,
    reason: a.reason,
    ...(a.revert ? { undo: a.revert } : {}),
    ...(a.okExitCodes ? { okExitCodes: a.okExitCodes } : {}),
  };
}

/** The drop-in is as written but IPv6 is still on: a later sysctl file sets it back, or it awaits `sysctl --system`. */
function writtenNotRunning(state: Ipv6State): Message {
  const last = state.sysctlSettings.filter((x) => x.key === 'net.ipv6.conf.all.disable_ipv6').pop();
  if (last && last.path !== SYSCTL_DROPIN && last.value !== '1')
    return msg('prep.ipv6.writtenOverridden', { file: SYSCTL_DROPIN, other: last.path, line: last.line });
  return msg('prep.ipv6.writtenNotRunning', { file: SYSCTL_DROPIN });
}

/** IPv6 off on Linux, by generation: EL6 modprobe option, else sysctl.d drop-in or the kernel argument. */
export const ipv6Step: StepDescriptor<Ipv6StepInput> = {
  id: 'ipv6',
  titleKey: 'prep.ipv6.title',
  input: Ipv6StepInput,
  flags: [{ flags: '--disable-ipv6 [method]', helpKey: 'prep.cli.disableIpv6', choices: ['addressing', 'protocol'] }],
  platforms: ['linux'],
  defaultOn: ['rhel'],
  needs: [],
  fromOptions: (opts) =>
    opts.disableIpv6 ? { method: typeof opts.disableIpv6 === 'string' ? opts.disableIpv6 : 'addressing' } : null,

  async plan(sys, input) {
    const w = await ipv6Work(sys, input);
    const changes = [];
    for (const a of w.actions) changes.push(await toChange(sys, a));
    return {
      changes,
      notes: [msg(`prep.ipv6.method.${w.method}`), ...w.notes],
      rebootRequired: w.rebootRequired,
      // EL6: the module option is read at boot, so turning IPv6 back on also takes a reboot.
      revertNeedsReboot: w.method === 'module' && w.actions.length > 0,
      upToDate: w.actions.length === 0,
    };
  },
  async verify(sys, input): Promise<Verification> {
    const os = await detectOs(sys);
    const method = ipv6MethodFor(os, input.method);
    const state = await detectIpv6(sys);
    if (method === 'module') {
      const ok = state.modprobeFiles.length > 0;
      return ok
        ? { ok, detail: msg('prep.ipv6.verified.afterReboot', { file: state.modprobeFiles[0]! }) }
        : { ok, detail: msg('prep.ipv6.notVerified', { file: MODPROBE_FILE }) };
    }
    if (method === 'addressing') {
      if (state.cmdlineDisabled) return { ok: true, detail: msg('prep.ipv6.why.cmdline') };
      const text = await readSysText(sys, SYSCTL_DROPIN);
      const ok = text === sysctlDropinText() && state.runtime !== 'on';
      return ok
        ? {
            ok,
            detail: {
              key: state.runtime === 'off' ? 'prep.ipv6.verified.now' : 'prep.ipv6.verified.configured',
              params: { file: SYSCTL_DROPIN },
            },
          }
        : text === sysctlDropinText()
          ? // The file is as written; the running kernel has not taken it: say what was seen, and why.
            { ok, detail: writtenNotRunning(state) }
          : { ok, detail: msg('prep.ipv6.notVerified', { file: SYSCTL_DROPIN }) };
    }
    const grub = await readSysText(sys, GRUB_DEFAULT);
    // No /etc/default/grub (rare on EL with BLS only): grubby alone carries the argument.
    if (grub !== null && !cmdlineHasIpv6Disable(grubCmdline(grub) ?? ''))
      return { ok: false, detail: msg('prep.ipv6.notVerified', { file: GRUB_DEFAULT }) };
    // What the boot loader reads: a grubby or update-grub that exits 0 having changed nothing is not "applied".
    const boot = await bootConfigMissing(sys, os);
    return boot
      ? { ok: false, detail: boot }
      : { ok: true, detail: msg('prep.ipv6.verified.afterReboot', { file: grub === null ? 'grubby' : GRUB_DEFAULT }) };
  },
};

/**
 * Reads the boot loader's configuration back after the kernel argument was added: the generated grub.cfg
 * (Debian, Ubuntu, SUSE) or `grubby --info=ALL` (RHEL and its rebuilds). Returns what lacks it, or null.
 */
async function bootConfigMissing(sys: SystemContext, os: OsInfo): Promise<Message | null> {
  const regen = grubRegen(os);
  if (regen) {
    const cfg = await readSysText(sys, regen.cfg);
    const k = cfg === null ? { total: 0, without: [] } : grubCfgKernelLines(cfg);
    if (k.total === 0) return msg('prep.ipv6.grubCfgNoKernels', { file: regen.cfg, command: regen.regen.join(' ') });
    if (k.without.length === 0) return null;
    return msg('prep.ipv6.grubCfgWithout', {
      file: regen.cfg,
      count: k.without.length,
      total: k.total,
      line: k.without[0]!.slice(0, 160),
      command: regen.regen.join(' '),
    });
  }
  const info = await sys.exec.run('grubby', ['--info=ALL'], C_LOCALE);
  const entries = parseGrubbyEntries(info.stdout);
  if (entries.length === 0)
    return msg('prep.ipv6.grubbyNoEntries', {
      code: String(info.exitCode),
      output: (info.stderr || info.stdout).trim().slice(-200) || '-',
    });
  const without = entries.filter((e) => !cmdlineHasIpv6Disable(e.args));
  if (without.length === 0) return null;
  return msg('prep.ipv6.grubbyWithout', {
    count: without.length,
    total: entries.length,
    kernels: without
      .map((e) => e.kernel ?? '?')
      .join(', ')
      .slice(0, 300),
  });
}
