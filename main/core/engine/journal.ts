import {
  appendFileSync,
  chmodSync,
  chownSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  existsSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SystemContext } from '../system.js';
import { redactJson, redactText } from '../secrets.js';

/** One line of a run's JSON-lines event log. */
export type JournalEvent =
  | { type: 'run.start'; runId: string; root: string; steps: string[] }
  | { type: 'step.start'; step: string }
  | {
      type: 'file.write' | 'file.delete';
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
  | {
      type: 'command';
      step: string;
      command: string;
      args: string[];
      exitCode: number | null;
      timedOut: boolean;
      stdout: string;
      stderr: string;
      /** The command that undoes this one, run by `revert`. */
      revert?: { command: string; args: string[]; real?: boolean };
    }
  | {
      type: 'log.kept';
      step: string;
      /** Where the program wrote its log on the target system. */
      source: string;
      /** The copy (secrets masked), relative to the run directory. */
      file: string;
    }
  | { type: 'step.progress'; step: string; key: string; params: Record<string, string | number> }
  | {
      type: 'step.done';
      step: string;
      verified: boolean;
      detail: { key: string; params: Record<string, string | number> };
    }
  | { type: 'step.skipped'; step: string }
  | {
      type: 'step.failed';
      step: string;
      error: { code: string; messageKey: string; params: Record<string, string | number> };
    }
  | { type: 'run.done'; ok: boolean; rebootRequired: boolean }
  | { type: 'revert.start' }
  | { type: 'revert.file'; path: string; restored: 'bytes' | 'deleted' }
  | { type: 'revert.command'; command: string; args: string[]; exitCode: number | null }
  | { type: 'revert.done'; ok: boolean };

export type StampedEvent = JournalEvent & { t: string };

/** Directory holding all run journals. */
export function runsDir(sys: SystemContext): string {
  return join(sys.stateDir, 'runs');
}

/** An open run journal: a directory with `events.jsonl`, `plan.json` and `backups/`. */
export class Journal {
  readonly runId: string;
  readonly dir: string;
  private backups = 0;

  private constructor(runId: string, dir: string) {
    this.runId = runId;
    this.dir = dir;
  }

  /** Creates the directory of a new run. */
  static create(sys: SystemContext): Journal {
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const runId = `${stamp}-${randomBytes(3).toString('hex')}`;
    const dir = join(runsDir(sys), runId);
    // runs/ and the run directory can be listed by the unprivileged app (it tails the events of an elevated run);
    // the backups and the plan stay readable by root only.
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(runsDir(sys), 0o755);
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'backups'), { mode: 0o700 });
    const journal = new Journal(runId, dir);
    writeFileSync(join(dir, 'events.jsonl'), '', { mode: 0o600 });
    const uid = invokingUid(sys.env);
    if (uid !== null && process.getuid?.() === 0) chownSync(join(dir, 'events.jsonl'), uid, -1);
    return journal;
  }

  /** Opens an existing run. */
  static open(sys: SystemContext, runId: string): Journal {
    const dir = join(runsDir(sys), runId);
    const j = new Journal(runId, dir);
    j.backups = existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')).length : 0;
    return j;
  }

  /** Appends one event (written at once, so a watcher sees progress as it happens). */
  append(event: JournalEvent): void {
    const line = JSON.stringify(redactJson({ t: new Date().toISOString(), ...event })) + '\n';
    appendFileSync(join(this.dir, 'events.jsonl'), line, { mode: 0o600 });
  }

  /** Stores a backup of original bytes; returns its path relative to the run directory. */
  saveBackup(data: Buffer): string {
    this.backups += 1;
    const rel = join('backups', `${String(this.backups).padStart(3, '0')}.bak`);
    writeFileSync(join(this.dir, rel), data, { mode: 0o600 });
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
    writeFileSync(join(this.dir, name), JSON.stringify(redactJson(value), null, 2) + '\n', { mode: 0o600 });
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

/** Reads a run's events (a torn last line, from a run still writing, is left out). */
export function readEvents(dir: string): StampedEvent[] {
  const file = join(dir, 'events.jsonl');
  if (!existsSync(file)) return [];
  const out: StampedEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as StampedEvent);
    } catch {
      break;
    }
  }
  return out;
}

/** Run ids, oldest first. */
export function listRuns(sys: SystemContext): string[] {
  const dir = runsDir(sys);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, 'events.jsonl')))
    .sort();
}
