import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SystemContext } from '../system.js';
import { pathInSystem } from './paths.js';
import { listRunInfos, readEvents, runsDir, type StampedEvent } from './journal.js';

/** A run as `revert --list` shows it: when, what it changed, finished or not, reverted or not. */
export interface RunSummary {
  runId: string;
  seq: number;
  /** `apply` or `activate`. */
  job: string;
  startedAt: string;
  /** When its last event was written. */
  lastAt: string;
  steps: string[];
  /** Files the run wrote or began to write (paths of the target system). */
  files: string[];
  /** Commands it ran (or began to run). */
  commands: string[];
  /** True when the run changed (or may have changed) something. */
  changed: boolean;
  /** The run ended (with or without success); false: it was killed or is still running. */
  finished: boolean;
  /** Its last revert finished: what that revert undid is back as it was (see `agentKept`). */
  reverted: boolean;
  /** The run installed the agent package (its undo removes it). */
  agentInstalled: boolean;
  /** Reverted with the agent package it installed kept on purpose (`revert --keep-agent`, the window's default). */
  agentKept: boolean;
  /** In one word: `applied`, `interrupted`, `reverted`, `reverted-agent-kept` or `nothing` (changed nothing). */
  state: RunState;
  /** A revert of it began and did not finish. */
  revertInterrupted: boolean;
  pid: number | null;
}

/** What `revert --list` says of a run. */
export type RunState = 'applied' | 'interrupted' | 'reverted' | 'reverted-agent-kept' | 'nothing';

/**
 * True for the journal line of the agent package install: marked `role: package`; in journals written before
 * the mark, the install step's command with an undo (the step's only command that has one).
 */
export function isAgentPackageEvent(e: StampedEvent): boolean {
  if (e.type !== 'command' && e.type !== 'command.intent') return false;
  const undo = e.type === 'command' ? e.revert : e.undo;
  return !!undo && (e.role === 'package' || (e.role === undefined && e.step === 'install'));
}

/** Summarizes a run from its events. */
export function summarizeRun(runId: string, seq: number, events: StampedEvent[]): RunSummary {
  const start = events.find((e) => e.type === 'run.start');
  const files = new Set<string>();
  const commands: string[] = [];
  for (const e of events) {
    if (e.type === 'file.intent' || e.type === 'file.write' || e.type === 'file.delete') files.add(e.path);
    // Every command that began may have changed something (journals of older versions: those with an undo).
    if (e.type === 'command.intent') commands.push([e.command, ...e.args].join(' '));
    if (e.type === 'command' && e.revert && e.n === undefined) commands.push([e.command, ...e.args].join(' '));
  }
  const lastRevert = [...events].reverse().find((e) => e.type === 'revert.start' || e.type === 'revert.done');
  const reverted = lastRevert?.type === 'revert.done' && lastRevert.ok;
  const lastStart = events.map((e) => e.type).lastIndexOf('revert.start');
  const agentKept = reverted && events.slice(lastStart + 1).some((e) => e.type === 'revert.kept');
  const finished = events.some((e) => e.type === 'run.done');
  const job =
    start?.type === 'run.start' ? (start.job ?? (start.steps.includes('activate') ? 'activate' : 'apply')) : '?';
  const changed = files.size > 0 || commands.length > 0 || job === 'activate';
  return {
    runId,
    seq,
    job,
    startedAt: start?.t ?? '',
    lastAt: events[events.length - 1]?.t ?? '',
    steps: start?.type === 'run.start' ? start.steps : [],
    files: [...files],
    commands,
    changed,
    finished,
    reverted,
    agentInstalled: events.some(isAgentPackageEvent),
    agentKept,
    state: reverted
      ? agentKept
        ? 'reverted-agent-kept'
        : 'reverted'
      : !finished
        ? 'interrupted'
        : changed
          ? 'applied'
          : 'nothing',
    revertInterrupted: lastRevert?.type === 'revert.start',
    pid: start?.type === 'run.start' && typeof start.pid === 'number' ? start.pid : null,
  };
}

/** Every run, oldest first (by sequence number). */
export function runSummaries(sys: SystemContext): RunSummary[] {
  return listRunInfos(sys).map((r) => summarizeRun(r.runId, r.seq, readEvents(join(runsDir(sys), r.runId))));
}

function alive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs that did not finish and whose process is gone: killed, or the machine went down. */
export function interruptedRuns(sys: SystemContext): RunSummary[] {
  return runSummaries(sys).filter(
    (r) => ((!r.finished && !r.reverted) || r.revertInterrupted) && (r.pid === process.pid ? false : !alive(r.pid)),
  );
}

/** A temp file of an atomic write (`.hosts.dsa-setup-1a2b3c.tmp`). */
export const TEMP_FILE = /^\..+\.dsa-setup-[0-9a-f]+\.tmp$/;

/**
 * Removes temp files an interrupted run left next to the files it was writing (a killed apply must not
 * leave a copy of the hosts file in /etc). Returns the files removed (host paths).
 */
export async function removeLeftoverTemps(sys: SystemContext, runs: readonly RunSummary[]): Promise<string[]> {
  const dirs = new Set<string>();
  for (const r of runs)
    for (const f of r.files) {
      try {
        dirs.add(dirname(pathInSystem(sys, f, join(runsDir(sys), r.runId, 'events.jsonl'))));
      } catch {
        // A path outside the system is never touched (revert refuses that run and says why).
      }
    }
  const removed: string[] = [];
  for (const dir of dirs) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!TEMP_FILE.test(name)) continue;
      await fs.rm(join(dir, name), { force: true });
      removed.push(join(dir, basename(name)));
    }
  }
  return removed;
}
