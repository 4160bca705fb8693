import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite, osFailure, readIfExists, sha256 } from '../fsx.js';
import { fail as failWith, DsaError, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import { agentTool, runAgentCommand } from '../agent/agentTools.js';
import { queryAgentState } from '../agent/agentState.js';
import type { SystemContext } from '../system.js';
import type { UndoCheck } from '../steps/types.js';
import { Journal, type StampedEvent } from './journal.js';
import { backupInRun, cut, pathInSystem } from './paths.js';
import { detectAgentPackage, type AgentPackageInfo } from '../platform/inspect.js';
import { packageDatabaseBusy } from '../agent/packageLock.js';
import { isAgentPackageEvent, runSummaries, type RunSummary } from './runs.js';
import { withSystemLock, type JobHooks } from './apply.js';

type FileIntent = Extract<StampedEvent, { type: 'file.intent' | 'file.write' | 'file.delete' }>;
type Undo = { command: string; args: string[]; real?: boolean; env?: Record<string, string>; check?: UndoCheck };

export interface RevertOutcome {
  runId: string;
  /** Files written back (a file the run never got to change is not listed: its bytes are the original). */
  files: { path: string; restored: 'bytes' | 'deleted' }[];
  commands: { command: string; args: string[]; exitCode: number | null }[];
  /** Undoing the run takes effect after a reboot (the EL6 IPv6 module, the kernel argument). */
  rebootRequired: boolean;
  /** The agent was deactivated with `dsa_control -r` (an activation run, or before its package was removed). */
  deactivated: boolean;
  /** The agent package this run installed: removed, kept installed on purpose, or null (the run installed none). */
  agent: 'removed' | 'alreadyRemoved' | 'kept' | null;
}

/** What a revert does with the agent package the run installed: remove it, or keep it installed. */
export type AgentChoice = 'keep' | 'remove';

/** How to revert: the explicit choices a person made. */
export interface RevertOptions extends JobHooks {
  /** Undo an activation run, or deactivate an activated agent before its package is removed (`dsa_control -r`). */
  deactivate?: boolean;
  /**
   * `keep`: the agent package the run installed stays (its removal and the deactivation before it are not run);
   * `remove`: it is removed — also from a run reverted earlier with the agent kept. Unset: removed, and a run
   * reverted earlier with the agent kept is refused, naming the way to remove it.
   */
  agent?: AgentChoice;
}

/**
 * The run `revert` acts on: the given id, or the newest run that changed something and is not reverted
 * yet (activation runs are only reverted when named). `--run ""` is bad input.
 */
export function pickRun(sys: SystemContext, runId?: string): string {
  const runs = runSummaries(sys);
  if (runId !== undefined) {
    if (!runs.some((r) => r.runId === runId)) {
      const recent = runs.slice(-5).map((r) => r.runId);
      throw fail(
        runId === '' ? 'revert.emptyRun' : 'revert.noSuchRun',
        { run: cut(runId), runs: recent.join(', ') || '-' },
        ExitCode.badInput,
      );
    }
    return runId;
  }
  const last = [...runs].reverse().find((r) => r.changed && !r.reverted && r.job !== 'activate');
  if (!last) {
    const changed = runs.filter((r) => r.changed && r.job !== 'activate');
    if (changed.length === 0) throw fail('revert.noRuns', { dir: sys.stateDir }, ExitCode.failed);
    // Every run is reverted: say so, and name the run whose agent package was kept on purpose, if any.
    const kept = [...changed].reverse().find((r) => r.agentKept);
    const params = { dir: sys.stateDir, n: changed.length, run: kept?.runId ?? '' };
    throw fail('revert.allReverted', params, ExitCode.failed, kept ? 'revert.agentKeptRemedy' : undefined);
  }
  return last.runId;
}

/**
 * Activation runs newer than the run about to be reverted (kept: the person is told how to undo them); `runs`
 * when the caller has already read them.
 */
export function newerActivations(sys: SystemContext, runId: string, runs = runSummaries(sys)): RunSummary[] {
  const me = runs.find((r) => r.runId === runId);
  return runs.filter((r) => me && r.seq > me.seq && r.job === 'activate' && !r.reverted);
}

/**
 * Refuses a run already reverted (exit 1) — one reverted with the agent kept says so and how to remove it,
 * unless that removal is what is asked (`agent: 'remove'`). Checked before anything is asked or touched.
 */
export function checkNotReverted(run: RunSummary, opts: Pick<RevertOptions, 'agent'>): void {
  if (!run.reverted || (run.agentKept && opts.agent === 'remove')) return;
  if (run.agentKept) throw fail('revert.agentKept', { run: run.runId }, ExitCode.failed, 'revert.agentKeptRemedy');
  throw fail('revert.already', { run: run.runId }, ExitCode.failed);
}

/** A revert error: its message key is its code, and the remedy (a key) reads the same parameters. */
function fail(code: string, params: Record<string, string | number>, exitCode: ExitCode, remedy?: string) {
  return failWith(code, msg(code, params), { exit: exitCode, ...(remedy ? { remedy: msg(remedy, params) } : {}) });
}

/**
 * "Not fully reverted", naming what was not undone; with the first OS or package-database error met (a read-only
 * /etc, another rpm holding its lock) as the cause, its remedy and its exit code (2: the admin's to fix).
 */
function incomplete(params: { run: string; what: string; dir: string }, cause: DsaError | null) {
  if (!cause) return fail('revert.incomplete', params, ExitCode.failed);
  return failWith('revert.incomplete', msg('revert.incompleteBecause', { ...params, cause: cause.info.message }), {
    exit: cause.exitCode,
    ...(cause.info.remedy ? { remedy: cause.info.remedy } : {}),
  });
}

/**
 * Reverts a run from its journal, holding the system's lock. Before touching anything it checks every
 * path (inside the system; backups inside the run's folder, exit 2), that no newer run changed the same
 * files (naming the run to revert first), and that each file is as the run left it or still original.
 * Then it undoes the run's actions newest first — a run killed at any instant included — and reads every
 * file back: "reverted" only when the original bytes are there; otherwise exit 1 naming what it could not
 * restore and where the backup is. An activation run is undone only with `deactivate` (`dsa_control -r`).
 * With `agent: 'keep'` the agent package the run installed stays (journaled as kept, its version read back);
 * a later revert with `agent: 'remove'` removes it.
 */
export async function revertRun(sys: SystemContext, runId: string, opts: RevertOptions = {}): Promise<RevertOutcome> {
  return withSystemLock(sys, 'revert', opts.onNotice, () => revertLocked(sys, runId, opts));
}

/** The manager URL the agent is activated with now, or null when it is not activated (or cannot tell). */
async function activatedManager(sys: SystemContext): Promise<string | null> {
  const st = await queryAgentState(sys).catch(() => null);
  return st?.activated ? (st.dsmUrl ?? '?') : null;
}

type Item =
  | { kind: 'file'; path: string }
  | { kind: 'undo'; undo: Undo; agentPackage: boolean }
  | { kind: 'unknown'; what: string };

/** The undo list in journal order: files (restored once, from the first backup) and commands with an undo. */
function undoItems(events: StampedEvent[]): Item[] {
  const doneN = new Set(events.flatMap((e) => (e.type === 'command' && e.n !== undefined ? [e.n] : [])));
  const items: Item[] = [];
  const seenPaths = new Set<string>();
  for (const e of events) {
    if (e.type === 'file.intent' || e.type === 'file.write' || e.type === 'file.delete') {
      if (!seenPaths.has(e.path)) items.push({ kind: 'file', path: e.path });
      seenPaths.add(e.path);
    } else if (e.type === 'command' && e.revert && !e.readBack)
      items.push({ kind: 'undo', undo: e.revert, agentPackage: isAgentPackageEvent(e) });
    else if (e.type === 'command.intent' && !doneN.has(e.n)) {
      // Killed while the command ran: whether it took effect is unknown, so its undo runs (and must succeed).
      if (e.undo) items.push({ kind: 'undo', undo: e.undo, agentPackage: isAgentPackageEvent(e) });
      else items.push({ kind: 'unknown', what: [e.command, ...e.args].join(' ') });
    }
  }
  return items;
}

/** What the package database says of the agent now, or null when it could not be asked. */
function agentPackageNow(sys: SystemContext): Promise<AgentPackageInfo | null> {
  return detectAgentPackage(sys).catch(() => null);
}

/** Deactivates the agent (`dsa_control -r`), journaled; throws (the revert journaled as failed) when it fails. */
async function deactivateAgent(sys: SystemContext, journal: Journal, outcome: RevertOutcome): Promise<void> {
  const c = agentTool(sys, 'dsa_control', ['-r']);
  const r = await runAgentCommand(sys, c, { timeoutMs: 120_000 });
  journal.append({ type: 'revert.command', command: c.command, args: c.args, exitCode: r.exitCode });
  outcome.commands.push({ command: c.command, args: c.args, exitCode: r.exitCode });
  if (r.exitCode !== 0) {
    journal.append({ type: 'revert.done', ok: false });
    throw fail(
      'revert.incomplete',
      { run: outcome.runId, what: [c.command, '-r'].join(' '), dir: journal.dir },
      ExitCode.failed,
    );
  }
  outcome.deactivated = true;
}

/**
 * Runs one undo command, journaled. Removing the agent package is read back: it counts only when the package
 * database no longer lists the agent. Returns what could not be undone, or null.
 */
async function runUndo(
  sys: SystemContext,
  journal: Journal,
  item: { undo: Undo; agentPackage: boolean },
  outcome: RevertOutcome,
): Promise<{ what: string; cause?: DsaError } | null> {
  const u = item.undo;
  // A package removed by hand since the run is not removed again (the removal would fail and the revert with
  // it): it is journaled as found already removed, and said so.
  if (item.agentPackage && (await agentPackageNow(sys))?.installed === false) {
    journal.append({
      type: 'revert.command',
      command: u.command,
      args: u.args,
      exitCode: null,
      skipped: 'alreadyRemoved',
      agentInstalled: false,
    });
    outcome.agent = 'alreadyRemoved';
    return null;
  }
  const r = await (u.real ? sys.exec.runReal : sys.exec.run)(u.command, u.args, {
    timeoutMs: 120_000,
    ...(u.env ? { env: u.env } : {}),
  });
  const left = item.agentPackage && r.exitCode === 0 ? ((await agentPackageNow(sys))?.installed ?? null) : undefined;
  const check = r.exitCode === 0 && u.check ? await readBackUndo(sys, u.check) : null;
  journal.append({
    type: 'revert.command',
    command: u.command,
    args: u.args,
    exitCode: r.exitCode,
    ...(left !== undefined ? { agentInstalled: left } : {}),
    ...(check ? { check } : {}),
  });
  outcome.commands.push({ command: u.command, args: u.args, exitCode: r.exitCode });
  if (check && !check.ok) {
    // The undo exited 0, but what it undoes is still there: named with what the read-back showed.
    return {
      what: `${cut([u.command, ...u.args].join(' '))} (${[check.command, ...check.args].join(' ')}: ${check.seen})`,
    };
  }
  if (r.exitCode !== 0 || left === true) {
    // Another package manager holding the database: the admin waits for it and reverts again.
    const busy = r.exitCode !== 0 ? packageDatabaseBusy(u.command, r) : null;
    return { what: cut([u.command, ...u.args].join(' ')), ...(busy ? { cause: busy } : {}) };
  }
  if (item.agentPackage) outcome.agent = 'removed';
  return null;
}

/**
 * Runs an undo's read-back: whether it shows the undo took (its exit code, its exact output, a word gone), and
 * what it showed otherwise (the line still holding the word, else its last line or its exit code).
 */
async function readBackUndo(
  sys: SystemContext,
  c: UndoCheck,
): Promise<{ command: string; args: string[]; exitCode: number | null; stdout: string; ok: boolean; seen: string }> {
  const r = await sys.exec.run(c.command, c.args, { timeoutMs: 30_000, env: { LC_ALL: 'C' } });
  const esc = (w: string): string => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const wordOf = (w: string): RegExp => new RegExp(`(^|[\\s"'])${esc(w.replace(/\s+/g, ' ').trim())}(?=[\\s"']|$)`);
  const lines = r.stdout.split(/\r?\n/).map((l) => l.replace(/\s+/g, ' ').trim());
  const gone = c.absent === undefined ? null : wordOf(c.absent);
  const still = gone ? lines.find((l) => gone.test(l)) : undefined;
  const back = c.present === undefined ? null : wordOf(c.present);
  const codeOk = r.exitCode === (c.exitCode ?? 0);
  const ok =
    codeOk &&
    (c.stdout === undefined || r.stdout.trim() === c.stdout.trim()) &&
    still === undefined &&
    (back === null || lines.some((l) => back.test(l)));
  const last = lines.filter(Boolean);
  const seen = still ?? (last.length ? last.slice(-3).join(' | ') : `exit ${String(r.exitCode)}`);
  return { command: c.command, args: c.args, exitCode: r.exitCode, stdout: r.stdout.slice(-2000), ok, seen: cut(seen) };
}

/** The agent's version read back now (null: not installed, or cannot tell). */
async function agentVersion(sys: SystemContext): Promise<string | null> {
  const p = await agentPackageNow(sys);
  return p?.installed ? (p.version ?? null) : null;
}

/**
 * The manager an agent about to be removed is activated with, or null: removing an activated agent leaves its
 * computer in the manager's console, so without `deactivate` it is refused (exit 2), naming the way.
 */
async function activatedBeforeRemoval(sys: SystemContext, runId: string, deactivate: boolean): Promise<string | null> {
  const activatedWith = await activatedManager(sys);
  if (activatedWith !== null && !deactivate)
    throw fail(
      'revert.installNeedsDeactivate',
      { run: runId, url: activatedWith },
      ExitCode.badInput,
      'revert.installNeedsDeactivateRemedy',
    );
  return activatedWith;
}

/**
 * Removes the agent package a run reverted earlier kept (`revert --run ID --remove-agent`): deactivating it
 * first when it is activated (only with `deactivate`), then its package's undo, read back.
 */
async function removeKeptAgent(
  sys: SystemContext,
  journal: Journal,
  events: StampedEvent[],
  opts: RevertOptions,
  outcome: RevertOutcome,
): Promise<RevertOutcome> {
  const pkgItems = undoItems(events).flatMap((i) => (i.kind === 'undo' && i.agentPackage ? [i] : []));
  const activatedWith = await activatedBeforeRemoval(sys, outcome.runId, opts.deactivate === true);
  journal.append({ type: 'revert.start', pid: process.pid });
  if (activatedWith !== null) await deactivateAgent(sys, journal, outcome);
  const failures: string[] = [];
  let cause: DsaError | null = null;
  for (const item of pkgItems.reverse()) {
    const failed = await runUndo(sys, journal, item, outcome);
    if (failed) failures.push(failed.what);
    if (failed?.cause) cause ??= failed.cause;
  }
  journal.append({ type: 'revert.done', ok: failures.length === 0 });
  if (failures.length) throw incomplete({ run: outcome.runId, what: failures.join('; '), dir: journal.dir }, cause);
  return outcome;
}

async function revertLocked(sys: SystemContext, runId: string, opts: RevertOptions): Promise<RevertOutcome> {
  const deactivate = opts.deactivate === true;
  const journal = Journal.open(sys, runId);
  const eventsFile = join(journal.dir, 'events.jsonl');
  const events = journal.events();
  const runs = runSummaries(sys);
  const me = runs.find((r) => r.runId === runId);
  if (!me) throw fail('revert.noSuchRun', { run: cut(runId), runs: '-' }, ExitCode.badInput);
  const outcome: RevertOutcome = {
    runId,
    files: [],
    commands: [],
    rebootRequired: false,
    deactivated: false,
    agent: null,
  };
  checkNotReverted(me, opts);
  if (me.reverted) return removeKeptAgent(sys, journal, events, opts, outcome);

  if (me.job === 'activate') {
    if (!deactivate) throw fail('revert.activationNeedsDeactivate', { run: runId }, ExitCode.badInput);
    journal.append({ type: 'revert.start', pid: process.pid });
    await deactivateAgent(sys, journal, outcome);
    journal.append({ type: 'revert.done', ok: true });
    return outcome;
  }

  // Every path is checked before anything is touched: a crafted journal never reaches outside the system.
  const fileEvents = events.filter(
    (e): e is FileIntent => e.type === 'file.intent' || e.type === 'file.write' || e.type === 'file.delete',
  );
  const byPath = new Map<
    string,
    { first: FileIntent; afters: Set<string | null>; host: string; backup: string | null }
  >();
  for (const e of fileEvents) {
    const cur = byPath.get(e.path);
    if (cur) {
      cur.afters.add(e.afterSha);
      continue;
    }
    const host = pathInSystem(sys, e.path, eventsFile);
    const backup = e.backup ? backupInRun(journal.dir, e.backup, eventsFile) : null;
    byPath.set(e.path, { first: e, afters: new Set([e.afterSha]), host, backup });
  }

  const newer = runs.filter(
    (r) => r.seq > me.seq && !r.reverted && r.files.some((f) => byPath.has(f)) && r.runId !== runId,
  );
  if (newer.length) {
    const first = newer[newer.length - 1]!;
    throw fail(
      'revert.newerFirst',
      { run: runId, newer: first.runId, files: first.files.filter((f) => byPath.has(f)).join(', ') },
      ExitCode.failed,
      'revert.newerFirstRemedy',
    );
  }

  // A write the run began and never finished (killed during an in-place write) may have left any bytes:
  // those are the run's own, restored from the backup like the rest.
  const completed = new Set(
    events.flatMap((e) => ((e.type === 'file.write' || e.type === 'file.delete') && e.n !== undefined ? [e.n] : [])),
  );
  const unfinished = new Set(
    me.finished ? [] : events.flatMap((e) => (e.type === 'file.intent' && !completed.has(e.n) ? [e.path] : [])),
  );
  const changed: string[] = [];
  const todo: string[] = [];
  for (const [path, f] of byPath) {
    const now = await readIfExists(f.host, { root: sys.root });
    const nowSha = now ? sha256(now) : null;
    if (nowSha === f.first.beforeSha) continue;
    if (f.afters.has(nowSha) || unfinished.has(path)) todo.push(path);
    else changed.push(path);
  }
  if (changed.length)
    throw fail(
      'revert.changedSince',
      { run: runId, files: changed.join(', ') },
      ExitCode.failed,
      'revert.changedSinceRemedy',
    );
  for (const path of todo) {
    const f = byPath.get(path)!;
    if (!f.first.existed) continue;
    const data = f.backup ? await readIfExists(f.backup) : null;
    if (!data || sha256(data) !== f.first.beforeSha)
      throw fail('revert.backupBad', { run: runId, path, backup: f.backup ?? '-' }, ExitCode.failed);
  }

  // The agent package the run installed: kept when asked (then it is not deactivated either), else removed.
  const isKept = (i: Item): boolean => opts.agent === 'keep' && i.kind === 'undo' && i.agentPackage;
  const all = undoItems(events);
  const items = all.filter((i) => !isKept(i));
  const kept = all.flatMap((i) => (i.kind === 'undo' && isKept(i) ? [i] : []));
  // Removing an activated agent leaves its computer in the manager's console: deactivate it first, when asked.
  const removesAgent = items.some((i) => i.kind === 'undo' && i.agentPackage);
  const activatedWith = removesAgent ? await activatedBeforeRemoval(sys, runId, deactivate) : null;

  journal.append({ type: 'revert.start', pid: process.pid });
  const failures: string[] = [];
  // The first OS error a file met (read-only /etc, a full disk): what the admin fixes before reverting again.
  let cause: DsaError | null = null;
  if (kept.length) {
    const version = await agentVersion(sys);
    for (const k of kept)
      journal.append({ type: 'revert.kept', what: 'agent', command: k.undo.command, args: k.undo.args, version });
  }
  if (activatedWith !== null) await deactivateAgent(sys, journal, outcome);
  for (const item of items.reverse()) {
    if (item.kind === 'unknown') {
      failures.push(cut(item.what));
      continue;
    }
    if (item.kind === 'undo') {
      const failed = await runUndo(sys, journal, item, outcome);
      if (failed) failures.push(failed.what);
      if (failed?.cause) cause ??= failed.cause;
      continue;
    }
    const f = byPath.get(item.path)!;
    if (!todo.includes(item.path)) {
      journal.append({ type: 'revert.file', path: item.path, restored: 'unchanged' });
      continue;
    }
    try {
      if (f.first.existed) {
        const data = await fs.readFile(f.backup!);
        await atomicWrite(f.host, data, { root: sys.root, ...(f.first.mode !== null ? { mode: f.first.mode } : {}) });
      } else await fs.rm(f.host, { force: true });
    } catch (e) {
      // The read-back below decides; the cause is kept for the message.
      const os = await osFailure(e, f.host);
      if (os instanceof DsaError) cause ??= os;
    }
    const now = await readIfExists(f.host, { root: sys.root });
    if ((now ? sha256(now) : null) !== f.first.beforeSha) {
      failures.push(f.backup ? `${item.path} (${f.backup})` : item.path);
      continue;
    }
    const restored = f.first.existed ? 'bytes' : 'deleted';
    journal.append({ type: 'revert.file', path: item.path, restored });
    outcome.files.push({ path: item.path, restored });
  }
  journal.append({ type: 'revert.done', ok: failures.length === 0 });
  if (failures.length) throw incomplete({ run: runId, what: failures.join('; '), dir: journal.dir }, cause);
  outcome.rebootRequired = events.some((e) => e.type === 'step.start' && e.revertNeedsReboot === true);
  if (kept.length) outcome.agent = 'kept';
  return outcome;
}
