import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { atomicWrite, readIfExists, sha256, sha256OfFile } from '../fsx.js';
import { fail, DsaError } from '../errors.js';
import { msg } from '../message.js';
import { redactText } from '../secrets.js';
import { decodeText } from '../textDecode.js';
import type { ExecResult } from '../exec.js';
import type { SystemContext } from '../system.js';
import type { Argv, Change, CommandAction, FileAction, Message } from '../steps/types.js';
import { parseNftHandle } from '../prep/firewallStep.js';
import { applyEdit } from '../steps/fileAction.js';
import { packageForInstall } from '../agent/installStep.js';
import { packageDatabaseBusy } from '../agent/packageLock.js';
import { compareVersions } from '../agent/agentPackage.js';
import { detectAgentPackage } from '../platform/inspect.js';
import { waitForAgentService } from '../agent/serviceWait.js';
import { statusValue } from '../statusValues.js';
import { platformOf, type PlatformKind } from '../platformText.js';
import type { Journal } from './journal.js';
import { pathInSystem } from './paths.js';

const OUTPUT_KEEP = 16_384;
const tail = (s: string): string => (s.length > OUTPUT_KEEP ? '…' + s.slice(-OUTPUT_KEEP) : s);

/** What one action runs with: the run's journal, the step, secrets to mask, where progress goes. */
export interface ActionContext {
  sys: SystemContext;
  journal: Journal;
  step: string;
  /** Number of the action in the run (intent and completion carry it). */
  n: number;
  secrets: readonly string[];
  progress: (m: Message) => void;
}

function staleError(c: FileAction): DsaError {
  return fail('apply.stalePlan', msg('apply.stalePlan', { path: c.path }), { remedy: msg('apply.stalePlanRemedy') });
}

/**
 * A file write: the original is backed up and the intent (path, backup, hashes before and after) journaled
 * and fsynced before the file is touched; then the bytes are written (temp file + rename) and read back.
 */
async function runFile(ctx: ActionContext, a: FileAction): Promise<void> {
  const host = pathInSystem(ctx.sys, a.path, 'plan');
  const before = await readIfExists(host, { root: ctx.sys.root });
  if ((before ? sha256(before) : null) !== a.beforeSha) throw staleError(a);
  const after = a.action === 'delete' ? null : applyEdit(before ?? Buffer.alloc(0), a.edit ?? { at: 0, remove: 0 });
  if (after && sha256(after) !== a.afterSha) throw staleError(a);
  const backup = before ? ctx.journal.saveBackup(before) : null;
  const record = {
    n: ctx.n,
    step: ctx.step,
    path: a.path,
    existed: before !== null,
    backup,
    mode: a.mode,
    beforeSha: a.beforeSha,
    afterSha: a.afterSha,
  };
  ctx.journal.append({ type: 'file.intent', ...record });
  let written: { target?: string; inPlace?: boolean } = {};
  if (after) {
    if (!before) await fs.mkdir(dirname(host), { recursive: true });
    const w = await atomicWrite(host, after, { root: ctx.sys.root, ...(before ? {} : { mode: a.mode ?? 0o644 }) });
    // What the write had to do differently (in place, attributes) is told to the job's watcher.
    for (const n of w.notes) ctx.progress({ key: n.key, params: n.params as Record<string, string | number> });
    // A symlink's target was written (the link kept); a refused rename was written in place.
    written = { ...(w.path !== host ? { target: w.path } : {}), ...(w.inPlace ? { inPlace: true } : {}) };
  } else await fs.rm(host, { force: true });
  if ((await sha256OfFile(host, { root: ctx.sys.root })) !== a.afterSha)
    throw fail('apply.readBackFailed', msg('apply.readBackFailed', { path: a.path }));
  ctx.journal.append({ type: after ? 'file.write' : 'file.delete', ...record, ...written });
}

/** The undo of a command: the planned one, or the one its result names (nft's handle of the inserted rule). */
function undoOf(a: CommandAction, r: ExecResult): Argv | undefined {
  if (a.undo) return a.undo;
  const u = a.undoFromResult;
  if (u?.kind === 'nftHandle') {
    const handle = parseNftHandle(r.stdout);
    if (handle !== null)
      return {
        command: 'nft',
        args: ['delete', 'rule', u.family, u.table, u.chain, 'handle', String(handle)],
        // Reverted when the chain no longer lists that handle.
        check: {
          command: 'nft',
          args: ['--handle', 'list', 'chain', u.family, u.table, u.chain],
          absent: `# handle ${handle}`,
        },
      };
  }
  return undefined;
}

function execFailed(command: string, args: string[], r: ExecResult, mask: (s: string) => string): DsaError {
  const code = r.notFound ? 'exec.notFound' : r.timedOut ? 'exec.timedOut' : 'exec.failed';
  return fail(
    code,
    msg(code, {
      command: [command, ...args.map(mask)].join(' '),
      code: String(r.exitCode),
      output: mask(tail(r.stderr || r.stdout))
        .trim()
        .slice(-500),
    }),
  );
}

/**
 * A command: the intent (argv and undo, secrets masked) is journaled before it runs; then its result, the
 * undo (planned, or read from its output), and what its read-back printed. A package install is handed the
 * package the plan named; a service action waits for the service to run.
 */
async function runCommand(ctx: ActionContext, a: CommandAction): Promise<void> {
  const { sys, journal } = ctx;
  const mask = (s: string): string => redactText(s, ctx.secrets);
  const maskArgv = (u: Argv): Argv => ({ ...u, args: u.args.map(mask) });
  const role = a.role === 'package' ? { role: 'package' as const } : {};
  journal.append({
    type: 'command.intent',
    n: ctx.n,
    step: ctx.step,
    ...role,
    command: a.command,
    args: a.args.map(mask),
    ...(a.undo ? { undo: maskArgv(a.undo) } : {}),
  });
  const run = (c: Argv, timeoutMs: number): Promise<ExecResult> =>
    (c.real ? sys.exec.runReal : sys.exec.run)(c.command, c.args, { timeoutMs, ...(c.env ? { env: c.env } : {}) });
  const pkg = a.package ? await packageForInstall(sys, a.package) : null;
  let r: ExecResult;
  try {
    const args = pkg ? a.args.map((x) => (x === a.package!.shown ? pkg.path : x)) : a.args;
    r = await run({ ...a, args }, a.timeoutSec * 1000);
  } finally {
    await pkg?.dispose();
    // msiexec says little on its own: its verbose log is what support reads, so the journal keeps it.
    if (a.package?.msiLog) await keepLog(ctx, a.package.msiLog, 'msiexec-install.log');
  }
  // A program that was not found (exit 127, the shell's convention) changed nothing: there is nothing to undo.
  const undo = r.notFound || r.exitCode === 127 ? undefined : undoOf(a, r);
  journal.append({
    type: 'command',
    n: ctx.n,
    step: ctx.step,
    ...role,
    command: a.command,
    args: a.args.map(mask),
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    stdout: mask(tail(r.stdout)),
    stderr: mask(tail(r.stderr)),
    ...(undo ? { revert: maskArgv(undo) } : {}),
  });
  const ok = r.exitCode !== null && (a.okExitCodes ?? [0]).includes(r.exitCode);
  // Another package manager holding the database is the admin's to wait for (exit 2), not a failed install.
  if (!ok && a.role === 'package') {
    const busy = packageDatabaseBusy(a.command, r);
    if (busy) throw busy;
  }
  if (!ok) throw execFailed(a.command, a.args, r, mask);
  if (a.role === 'package' && a.package) await readBackPackage(ctx, a, r, mask);
  if (a.readBack) {
    const rb = await run(a.readBack, 30_000);
    journal.append({
      type: 'command',
      step: ctx.step,
      command: a.readBack.command,
      args: a.readBack.args.map(mask),
      exitCode: rb.exitCode,
      timedOut: rb.timedOut,
      stdout: mask(tail(rb.stdout)),
      stderr: mask(tail(rb.stderr)),
      readBack: true,
    });
  }
  if (a.service) {
    const waited = await waitForAgentService(sys, { timeoutMs: a.service.waitSec * 1000, progress: ctx.progress });
    const params = { seconds: Math.round(waited.waitedMs / 1000), state: statusValue(waited.state) };
    if (waited.died)
      throw fail('agent.install.serviceDied', msg('agent.install.serviceDied', params), {
        remedy: msg(`agent.install.serviceDiedRemedy${DIED_REMEDY[await platformOf(sys)] ?? ''}`),
      });
    if (waited.state !== 'running' && waited.state !== 'unknown')
      throw fail('agent.install.serviceNotRunning', msg('agent.install.serviceNotRunning', params), {
        remedy: msg('agent.install.serviceNotRunningRemedy'),
      });
  }
}

/**
 * After rpm or dpkg said it installed the agent, reads the package database back: a package tool (or a wrapper
 * of it) that exits 0 having installed nothing, or another version, fails here, naming what it printed.
 */
async function readBackPackage(
  ctx: ActionContext,
  a: CommandAction,
  r: ExecResult,
  mask: (s: string) => string,
): Promise<void> {
  if (ctx.sys.os !== 'linux') return;
  const pkg = await detectAgentPackage(ctx.sys);
  if (pkg.installed === null) return;
  const want = a.package?.version;
  if (pkg.installed && (!want || !pkg.version || compareVersions(pkg.version, want) === 0)) return;
  throw fail(
    'agent.install.notInstalledAfter',
    msg('agent.install.notInstalledAfter', {
      command: a.command,
      want: want ?? '?',
      found: pkg.installed ? (pkg.version ?? '?') : '-',
      output:
        mask(tail(r.stdout + r.stderr))
          .trim()
          .slice(-300) || '-',
    }),
    { remedy: msg('agent.install.notInstalledAfterRemedy', { command: a.command }) },
  );
}

/** Which remedy an agent that started and stopped gets: where that platform logs why, and how it starts a service. */
const DIED_REMEDY: Partial<Record<PlatformKind, string>> = { windows: 'Windows', el6: 'El6' };

/** Keeps the log a program wrote (msiexec's `/l*v`) in the run's journal as `logs/NAME`, secrets masked. */
async function keepLog(ctx: ActionContext, systemPath: string, name: string): Promise<void> {
  const data = await readIfExists(ctx.sys.path(systemPath), { root: ctx.sys.root });
  const text = data ? redactText(decodeText(data).text, ctx.secrets) : '';
  const file = data ? ctx.journal.saveLog(name, text) : '';
  ctx.journal.append({ type: 'log.kept', step: ctx.step, source: systemPath, file });
}

/** Executes one planned action exactly, journaling it before it runs and reading it back after. */
export async function runAction(ctx: ActionContext, a: Change): Promise<void> {
  if (a.kind === 'file') await runFile(ctx, a);
  else await runCommand(ctx, a);
}
