import type { Message } from '../message.js';
import type { ErrorInfo } from '../errorInfo.js';
import type { UndoCheck } from '../steps/types.js';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  writeFileSync,
  writeSync,
  constants as fsc,
} from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SystemContext } from '../system.js';
import { redactJson, redactText } from '../secrets.js';
import { onPath } from '../fsx.js';

/** What the journal records of a file action: enough for revert to bring the original back. */
export interface FileRecord {
  step: string;
  /** Path on the target system. */
  path: string;
  existed: boolean;
  /** Backup of the original bytes, relative to the run directory (null: the file did not exist). */
  backup: string | null;
  mode: number | null;
  beforeSha: string | null;
  afterSha: string | null;
}

/** One line of a run's JSON-lines event log. */
export type JournalEvent =
  | {
      type: 'run.start';
      runId: string;
      root: string;
      steps: string[];
      /** Order of runs on this system (runs started in the same second still sort right). */
      seq?: number;
      /** What started the run: `apply` or `activate`. */
      job?: string;
      pid?: number;
    }
  | { type: 'step.start'; step: string; revertNeedsReboot?: boolean }
  | ({
      /** Written and fsynced before the file is touched: what revert needs if the run dies at any instant. */
      type: 'file.intent';
      n: number;
    } & FileRecord)
  | ({
      /** The file is written and read back. */
      type: 'file.write' | 'file.delete';
      n?: number;
      /** The file written when `path` is a symlink (the link kept). */
      target?: string;
      /** The rename was refused (a bind mount): the bytes were written in place. */
      inPlace?: boolean;
    } & FileRecord)
  | {
      /** Written and fsynced before the command runs (secrets masked). */
      type: 'command.intent';
      n: number;
      step: string;
      /** `package`: the agent package install (revert can keep what it installed). */
      role?: 'package';
      command: string;
      args: string[];
      undo?: { command: string; args: string[]; real?: boolean; env?: Record<string, string>; check?: UndoCheck };
    }
  | {
      type: 'command';
      n?: number;
      step: string;
      role?: 'package';
      command: string;
      args: string[];
      exitCode: number | null;
      timedOut: boolean;
      stdout: string;
      stderr: string;
      /** A read-back (its output shows what the action left), not an action. */
      readBack?: boolean;
      /** The command that undoes this one, run by `revert`. */
      revert?: { command: string; args: string[]; real?: boolean; env?: Record<string, string>; check?: UndoCheck };
    }
  | {
      type: 'log.kept';
      step: string;
      /** Where the program wrote its log on the target system. */
      source: string;
      /** The copy (secrets masked), relative to the run directory. */
      file: string;
    }
  | { type: 'step.progress'; step: string; key: string; params: Message['params'] }
  | { type: 'step.done'; step: string; verified: boolean; detail: Message }
  | { type: 'step.skipped'; step: string }
  | { type: 'step.failed'; step: string; error: ErrorInfo }
  | { type: 'run.done'; ok: boolean; rebootRequired: boolean }
  | { type: 'run.interrupted'; runId: string }
  | { type: 'revert.start'; pid?: number }
  | { type: 'revert.file'; path: string; restored: 'bytes' | 'deleted' | 'unchanged' }
  | {
      type: 'revert.command';
      command: string;
      args: string[];
      exitCode: number | null;
      /** After removing the agent package: whether the package database still lists it (null: cannot tell). */
      agentInstalled?: boolean | null;
      /** Not run: the agent package had already been removed (by hand) since the run installed it. */
      skipped?: 'alreadyRemoved';
      /** The undo's read-back: what it printed, and whether it showed the undo took. */
      check?: { command: string; args: string[]; exitCode: number | null; stdout: string; ok: boolean; seen: string };
    }
  | {
      /** The undo of the agent package install, not run on purpose: the package stays installed. */
      type: 'revert.kept';
      what: 'agent';
      command: string;
      args: string[];
      /** The installed version read back when it was kept (null: not installed, or cannot tell). */
      version: string | null;
    }
  | { type: 'revert.done'; ok: boolean };

export type StampedEvent = JournalEvent & { t: string };

/** Directory holding all run journals. */
export function runsDir(sys: SystemContext): string {
  return join(sys.stateDir, 'runs');
}

/** Appends one line and fsyncs it: the line is on disk before the caller goes on. */
function appendDurable(file: string, line: string): void {
  onPath(file, () => {
    const fd = openSync(file, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT, 0o600);
    try {
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** Writes a file and fsyncs it and its directory. */
function writeDurable(file: string, data: Buffer | string, dir: string): void {
  onPath(file, () => {
    const fd = openSync(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC, 0o600);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
  fsyncDir(dir);
}

function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  onPath(dir, () => {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** An open run journal: a directory with `events.jsonl`, `plan.json` and `backups/`. */
export class Journal {
  readonly runId: string;
  readonly dir: string;
  readonly seq: number;
  private backups = 0;

  private constructor(runId: string, dir: string, seq: number) {
    this.runId = runId;
    this.dir = dir;
    this.seq = seq;
  }

  /** Creates the directory of a new run, numbered after every run there is (take the system lock first). */
  static create(sys: SystemContext): Journal {
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const runId = `${stamp}-${randomBytes(3).toString('hex')}`;
    const seq = Math.max(0, ...listRunInfos(sys).map((r) => r.seq)) + 1;
    const dir = join(runsDir(sys), runId);
    // runs/ and the run directory can be listed by the unprivileged app (it tails the events of an elevated run);
    // the backups and the plan stay readable by root only.
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(runsDir(sys), 0o755);
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'backups'), { mode: 0o700 });
    const journal = new Journal(runId, dir, seq);
    writeFileSync(join(dir, 'events.jsonl'), '', { mode: 0o600 });
    const uid = invokingUid(sys.env);
    if (uid !== null && process.getuid?.() === 0) chownSync(join(dir, 'events.jsonl'), uid, -1);
    fsyncDir(runsDir(sys));
    return journal;
  }

  /** Opens an existing run. */
  static open(sys: SystemContext, runId: string): Journal {
    const dir = join(runsDir(sys), runId);
    const j = new Journal(runId, dir, runInfo(dir, runId)?.seq ?? 0);
    j.backups = existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')).length : 0;
    return j;
  }

  /** Appends one event, fsynced (a watcher sees progress as it happens; a crash never loses a written intent). */
  append(event: JournalEvent): void {
    // The run's number and owner go into its first event, whoever starts the run.
    if (event.type === 'run.start')
      event = {
        ...event,
        seq: this.seq,
        pid: process.pid,
        job: event.job ?? (event.steps.includes('activate') ? 'activate' : 'apply'),
      };
    appendDurable(
      join(this.dir, 'events.jsonl'),
      JSON.stringify(redactJson({ t: new Date().toISOString(), ...event })) + '\n',
    );
  }

  /** Stores a backup of original bytes, fsynced; returns its path relative to the run directory. */
  saveBackup(data: Buffer): string {
    this.backups += 1;
    const rel = join('backups', `${String(this.backups).padStart(3, '0')}.bak`);
    writeDurable(join(this.dir, rel), data, join(this.dir, 'backups'));
    return rel;
  }

  /** Keeps a program's log (already masked) as `logs/NAME`; returns its path relative to the run directory. */
  saveLog(name: string, text: string): string {
    const rel = join('logs', name);
    mkdirSync(join(this.dir, 'logs'), { recursive: true, mode: 0o700 });
    writeFileSync(join(this.dir, rel), redactText(text), { mode: 0o600 });
    return rel;
  }

  writeJson(name: string, value: unknown): void {
    writeDurable(join(this.dir, name), JSON.stringify(redactJson(value), null, 2) + '\n', this.dir);
  }

  events(): StampedEvent[] {
    return readEvents(this.dir);
  }
}

/** The user who asked for elevation (sudo or pkexec), whose app reads the events; null when not elevated that way. */
function invokingUid(env: NodeJS.ProcessEnv): number | null {
  const v = env.SUDO_UID ?? env.PKEXEC_UID;
  return v && /^\d+$/.test(v) && v !== '0' ? Number(v) : null;
}

/**
 * Parses one line of `events.jsonl`: the event, or null for a line that is not one (a torn line of a run
 * that was killed while writing it). Every reader of journals uses this, and skips what it rejects.
 */
export function parseJournalLine(line: string): StampedEvent | null {
  if (!line.trim()) return null;
  try {
    const v = JSON.parse(line) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
    const e = v as Record<string, unknown>;
    return typeof e.type === 'string' && typeof e.t === 'string' ? (v as StampedEvent) : null;
  } catch {
    return null;
  }
}

/** Reads a run's events (lines that are not events are skipped). */
export function readEvents(dir: string): StampedEvent[] {
  const file = join(dir, 'events.jsonl');
  if (!existsSync(file)) return [];
  const out: StampedEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const e = parseJournalLine(line);
    if (e) out.push(e);
  }
  return out;
}

/** A run's id and its place in the order of runs. */
export interface RunInfo {
  runId: string;
  seq: number;
}

/** The first event of a run (read without loading the whole journal). */
function runInfo(dir: string, runId: string): RunInfo | null {
  const file = join(dir, 'events.jsonl');
  if (!existsSync(file)) return null;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const first = parseJournalLine(buf.subarray(0, n).toString('utf8').split('\n')[0] ?? '');
    const seq = first?.type === 'run.start' && typeof first.seq === 'number' ? first.seq : 0;
    return { runId, seq };
  } finally {
    closeSync(fd);
  }
}

/** Every run with its sequence number, oldest first (runs of older versions, without one, first by id). */
export function listRunInfos(sys: SystemContext): RunInfo[] {
  const dir = runsDir(sys);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((d) => runInfo(join(dir, d), d))
    .filter((r): r is RunInfo => r !== null)
    .sort((a, b) => a.seq - b.seq || a.runId.localeCompare(b.runId));
}

/** Run ids, oldest first. */
export function listRuns(sys: SystemContext): string[] {
  return listRunInfos(sys).map((r) => r.runId);
}
