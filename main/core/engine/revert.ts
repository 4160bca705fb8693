import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite, readIfExists, sha256 } from '../fsx.js';
import { DsaError, ExitCode } from '../errors.js';
import type { SystemContext } from '../system.js';
import { Journal, listRuns, type StampedEvent } from './journal.js';

type FileEvent = Extract<StampedEvent, { type: 'file.write' | 'file.delete' }>;
type CommandEvent = Extract<StampedEvent, { type: 'command' }>;

export interface RevertOutcome {
  runId: string;
  files: { path: string; restored: 'bytes' | 'deleted' }[];
  commands: { command: string; args: string[]; exitCode: number | null }[];
}

/** The run `revert` acts on: the given id, or the latest. */
export function pickRun(sys: SystemContext, runId?: string): string {
  const runs = listRuns(sys);
  if (runId) {
    if (!runs.includes(runId)) {
      throw new DsaError({
        code: 'revert.noSuchRun',
        messageKey: 'revert.noSuchRun',
        params: { run: runId, runs: runs.slice(-5).join(', ') || '-' },
        exitCode: ExitCode.badInput,
      });
    }
    return runId;
  }
  const last = runs[runs.length - 1];
  if (!last)
    throw new DsaError({
      code: 'revert.noRuns',
      messageKey: 'revert.noRuns',
      params: { dir: sys.stateDir },
      exitCode: ExitCode.failed,
    });
  return last;
}

/**
 * Reverts a run from its journal: first checks that every file it wrote is still exactly as it left it
 * (else refuses, naming the files), then restores the original bytes and mode (or removes files it
 * created) and runs the recorded undo commands, newest first.
 */
export async function revertRun(sys: SystemContext, runId: string): Promise<RevertOutcome> {
  const journal = Journal.open(sys, runId);
  const events = journal.events();
  if (events.some((e) => e.type === 'revert.done' && e.ok)) {
    throw new DsaError({
      code: 'revert.already',
      messageKey: 'revert.already',
      params: { run: runId },
      exitCode: ExitCode.failed,
    });
  }
  const fileEvents = events.filter((e): e is FileEvent => e.type === 'file.write' || e.type === 'file.delete');
  // Per path: the original (first event) and what the run left (last event).
  const byPath = new Map<string, { first: FileEvent; last: FileEvent }>();
  for (const e of fileEvents) {
    const cur = byPath.get(e.path);
    byPath.set(e.path, { first: cur?.first ?? e, last: e });
  }
  const changed: string[] = [];
  for (const [path, { last }] of byPath) {
    const now = await readIfExists(sys.path(path), { root: sys.root });
    if ((now ? sha256(now) : null) !== last.afterSha) changed.push(path);
  }
  if (changed.length) {
    throw new DsaError({
      code: 'revert.changedSince',
      messageKey: 'revert.changedSince',
      params: { run: runId, files: changed.join(', ') },
      remedyKey: 'revert.changedSinceRemedy',
      exitCode: ExitCode.failed,
    });
  }
  journal.append({ type: 'revert.start' });
  const outcome: RevertOutcome = { runId, files: [], commands: [] };
  const undo = events
    .filter(
      (e): e is FileEvent | CommandEvent =>
        e.type === 'file.write' || e.type === 'file.delete' || (e.type === 'command' && !!e.revert),
    )
    .reverse();
  const restored = new Set<string>();
  let ok = true;
  for (const e of undo) {
    if (e.type === 'command') {
      const r = await (e.revert!.real ? sys.exec.runReal : sys.exec.run)(e.revert!.command, e.revert!.args);
      journal.append({
        type: 'revert.command',
        command: e.revert!.command,
        args: e.revert!.args,
        exitCode: r.exitCode,
      });
      outcome.commands.push({ command: e.revert!.command, args: e.revert!.args, exitCode: r.exitCode });
      if (r.exitCode !== 0) ok = false;
      continue;
    }
    if (restored.has(e.path)) continue;
    restored.add(e.path);
    const { first } = byPath.get(e.path)!;
    const host = sys.path(e.path);
    if (first.backup) {
      const data = await fs.readFile(join(journal.dir, first.backup));
      await atomicWrite(host, data, { root: sys.root, ...(first.mode !== null ? { mode: first.mode } : {}) });
      journal.append({ type: 'revert.file', path: e.path, restored: 'bytes' });
      outcome.files.push({ path: e.path, restored: 'bytes' });
    } else {
      await fs.rm(host, { force: true });
      journal.append({ type: 'revert.file', path: e.path, restored: 'deleted' });
      outcome.files.push({ path: e.path, restored: 'deleted' });
    }
  }
  journal.append({ type: 'revert.done', ok });
  if (!ok) {
    throw new DsaError({
      code: 'revert.commandFailed',
      messageKey: 'revert.commandFailed',
      params: { run: runId },
      exitCode: ExitCode.failed,
    });
  }
  return outcome;
}
