import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite, readIfExists, sha256 } from '../fsx.js';
import { fail as failWith, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import { agentTool, runAgentCommand } from '../agent/agentTools.js';
import { queryAgentState } from '../agent/agentState.js';
import type { SystemContext } from '../system.js';
import { Journal, type StampedEvent } from './journal.js';
import { backupInRun, cut, pathInSystem } from './paths.js';
import { runSummaries, type RunSummary } from './runs.js';
import { withSystemLock, type JobHooks } from './apply.js';

type FileIntent = Extract<StampedEvent, { type: 'file.intent' | 'file.write' | 'file.delete' }>;
type Undo = { command: string; args: string[]; real?: boolean; env?: Record<string, string> };

export interface RevertOutcome {
  runId: string;
  /** Files written back (a file the run never got to change is not listed: its bytes are the original). */
  files: { path: string; restored: 'bytes' | 'deleted' }[];
  commands: { command: string; args: string[]; exitCode: number | null }[];
  /** Undoing the run takes effect after a reboot (the EL6 IPv6 module, the kernel argument). */
  rebootRequired: boolean;
  /** An activation run was undone with `dsa_control -r`. */
  deactivated: boolean;
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
  if (!last) throw fail('revert.noRuns', { dir: sys.stateDir }, ExitCode.failed);
  return last.runId;
}

/** Activation runs newer than the run about to be reverted (kept: the person is told how to undo them). */
export function newerActivations(sys: SystemContext, runId: string): RunSummary[] {
  const runs = runSummaries(sys);
  const me = runs.find((r) => r.runId === runId);
  return runs.filter((r) => me && r.seq > me.seq && r.job === 'activate' && !r.reverted);
}

/** A revert error: its message key is its code, and the remedy (a key) reads the same parameters. */
function fail(code: string, params: Record<string, string | number>, exitCode: ExitCode, remedy?: string) {
  return failWith(code, msg(code, params), { exit: exitCode, ...(remedy ? { remedy: msg(remedy, params) } : {}) });
}

/**
 * Reverts a run from its journal, holding the system's lock. Before touching anything it checks every
 * path (inside the system; backups inside the run's folder, exit 2), that no newer run changed the same
 * files (naming the run to revert first), and that each file is as the run left it or still original.
 * Then it undoes the run's actions newest first — a run killed at any instant included — and reads every
 * file back: "reverted" only when the original bytes are there; otherwise exit 1 naming what it could not
 * restore and where the backup is. An activation run is undone only with `deactivate` (`dsa_control -r`).
 */
export async function revertRun(
  sys: SystemContext,
  runId: string,
  opts: { deactivate?: boolean } & JobHooks = {},
): Promise<RevertOutcome> {
  return withSystemLock(sys, 'revert', opts.onNotice, () => revertLocked(sys, runId, opts.deactivate === true));
}

/** The manager URL the agent is activated with now, or null when it is not activated (or cannot tell). */
async function activatedManager(sys: SystemContext): Promise<string | null> {
  const st = await queryAgentState(sys).catch(() => null);
  return st?.activated ? (st.dsmUrl ?? '?') : null;
}

async function revertLocked(sys: SystemContext, runId: string, deactivate: boolean): Promise<RevertOutcome> {
  const journal = Journal.open(sys, runId);
  const eventsFile = join(journal.dir, 'events.jsonl');
  const events = journal.events();
  const runs = runSummaries(sys);
  const me = runs.find((r) => r.runId === runId);
  if (!me) throw fail('revert.noSuchRun', { run: cut(runId), runs: '-' }, ExitCode.badInput);
  if (me.reverted) throw fail('revert.already', { run: runId }, ExitCode.failed);
  const outcome: RevertOutcome = { runId, files: [], commands: [], rebootRequired: false, deactivated: false };

  if (me.job === 'activate') {
    if (!deactivate) throw fail('revert.activationNeedsDeactivate', { run: runId }, ExitCode.badInput);
    journal.append({ type: 'revert.start', pid: process.pid });
    const c = agentTool(sys, 'dsa_control', ['-r']);
    const r = await runAgentCommand(sys, c, { timeoutMs: 120_000 });
    journal.append({ type: 'revert.command', command: c.command, args: c.args, exitCode: r.exitCode });
    outcome.commands.push({ command: c.command, args: c.args, exitCode: r.exitCode });
    journal.append({ type: 'revert.done', ok: r.exitCode === 0 });
    if (r.exitCode !== 0)
      throw fail(
        'revert.incomplete',
        { run: runId, what: [c.command, '-r'].join(' '), dir: journal.dir },
        ExitCode.failed,
      );
    outcome.deactivated = true;
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

  // Removing an activated agent leaves its computer in the manager's console: deactivate it first, when asked.
  const installedHere =
    events.some((e) => e.type === 'step.start' && e.step === 'install') &&
    events.some((e) => (e.type === 'command' && e.revert) || (e.type === 'command.intent' && e.undo));
  const activatedWith = installedHere ? await activatedManager(sys) : null;
  if (activatedWith !== null && !deactivate)
    throw fail(
      'revert.installNeedsDeactivate',
      { run: runId, url: activatedWith },
      ExitCode.badInput,
      'revert.installNeedsDeactivateRemedy',
    );

  journal.append({ type: 'revert.start', pid: process.pid });
  const failures: string[] = [];
  if (activatedWith !== null) {
    const c = agentTool(sys, 'dsa_control', ['-r']);
    const r = await runAgentCommand(sys, c, { timeoutMs: 120_000 });
    journal.append({ type: 'revert.command', command: c.command, args: c.args, exitCode: r.exitCode });
    outcome.commands.push({ command: c.command, args: c.args, exitCode: r.exitCode });
    if (r.exitCode !== 0) {
      journal.append({ type: 'revert.done', ok: false });
      throw fail(
        'revert.incomplete',
        { run: runId, what: [c.command, '-r'].join(' '), dir: journal.dir },
        ExitCode.failed,
      );
    }
    outcome.deactivated = true;
  }
  // The undo list, newest first: files (restored once, from the first backup) and commands with an undo.
  const doneN = new Set(events.flatMap((e) => (e.type === 'command' && e.n !== undefined ? [e.n] : [])));
  type Item = { kind: 'file'; path: string } | { kind: 'undo'; undo: Undo } | { kind: 'unknown'; what: string };
  const items: Item[] = [];
  const seenPaths = new Set<string>();
  for (const e of events) {
    if (e.type === 'file.intent' || e.type === 'file.write' || e.type === 'file.delete') {
      if (!seenPaths.has(e.path)) items.push({ kind: 'file', path: e.path });
      seenPaths.add(e.path);
    } else if (e.type === 'command' && e.revert && !e.readBack) items.push({ kind: 'undo', undo: e.revert });
    else if (e.type === 'command.intent' && !doneN.has(e.n)) {
      // Killed while the command ran: whether it took effect is unknown, so its undo runs (and must succeed).
      if (e.undo) items.push({ kind: 'undo', undo: e.undo });
      else items.push({ kind: 'unknown', what: [e.command, ...e.args].join(' ') });
    }
  }
  for (const item of items.reverse()) {
    if (item.kind === 'unknown') {
      failures.push(cut(item.what));
      continue;
    }
    if (item.kind === 'undo') {
      const u = item.undo;
      const r = await (u.real ? sys.exec.runReal : sys.exec.run)(u.command, u.args, {
        timeoutMs: 120_000,
        ...(u.env ? { env: u.env } : {}),
      });
      journal.append({ type: 'revert.command', command: u.command, args: u.args, exitCode: r.exitCode });
      outcome.commands.push({ command: u.command, args: u.args, exitCode: r.exitCode });
      if (r.exitCode !== 0) failures.push(cut([u.command, ...u.args].join(' ')));
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
    } catch {
      // The read-back below names the file and its backup.
    }
    const now = await readIfExists(f.host, { root: sys.root });
    if ((now ? sha256(now) : null) !== f.first.beforeSha) {
      failures.push(`${item.path} (${f.backup ?? '-'})`);
      continue;
    }
    const restored = f.first.existed ? 'bytes' : 'deleted';
    journal.append({ type: 'revert.file', path: item.path, restored });
    outcome.files.push({ path: item.path, restored });
  }
  journal.append({ type: 'revert.done', ok: failures.length === 0 });
  if (failures.length)
    throw fail('revert.incomplete', { run: runId, what: failures.join('; '), dir: journal.dir }, ExitCode.failed);
  outcome.rebootRequired = events.some((e) => e.type === 'step.start' && e.revertNeedsReboot === true);
  return outcome;
}
