import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fail, ExitCode } from '../errors.js';
import { onPath } from '../fsx.js';
import { msg } from '../message.js';
import type { SystemContext } from '../system.js';

/** Who holds a system's lock. */
export interface LockHolder {
  pid: number;
  /** The job: `apply`, `revert`, `activate`. */
  command: string;
  startedAt: string;
  host: string;
}

/** A held lock: release it when the job ends (also released when the process exits). */
export interface SystemLock {
  holder: LockHolder;
  /** The dead process whose lock was taken over, if any. */
  tookOverFrom: LockHolder | null;
  release(): void;
}

/** How long a second job waits for the lock by default. */
export const LOCK_WAIT_MS = 30_000;

/** The lock file of a system (one per `--root`). */
export function lockPath(sys: SystemContext): string {
  return join(sys.stateDir, 'lock');
}

function readHolder(file: string): LockHolder | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof v.pid === 'number' ? (v as LockHolder) : null;
  } catch {
    return null;
  }
}

/** Whether the process holding a lock is gone (only known for a holder on this machine). */
function holderDead(h: LockHolder): boolean {
  if (h.host !== hostname()) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function tryCreate(file: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    onPath(file, () => {
      writeSync(fd, JSON.stringify(holder) + '\n');
      fsyncSync(fd);
    });
  } catch (e) {
    // A full disk: no empty lock file is left behind for the next job to wait on.
    closeSync(fd);
    rmSync(file, { force: true });
    throw e;
  }
  closeSync(fd);
  return true;
}

/** Removes a stale lock, guarded so that two jobs taking it over at once cannot both win. */
function removeStale(file: string, stale: LockHolder): boolean {
  const guard = `${file}.takeover`;
  try {
    // A guard left by a job killed during a takeover is old: remove it.
    if (Date.now() - statSync(guard).mtimeMs > 10_000) rmSync(guard, { force: true });
  } catch {
    // no guard
  }
  if (!tryCreate(guard, { ...stale, pid: process.pid })) return false;
  try {
    const now = readHolder(file);
    if (!now || now.pid !== stale.pid || now.startedAt !== stale.startedAt) return false;
    rmSync(file, { force: true });
    return true;
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Refuses (exit 2) a directory, link or anything else than a plain file where the lock file goes: no job could take it. */
function notInTheWay(file: string): void {
  let st;
  try {
    st = lstatSync(file);
  } catch {
    return; // gone meanwhile: the next try creates it
  }
  if (st.isFile()) return;
  throw fail('lock.notAFile', msg('lock.notAFile', { file }), {
    remedy: msg('lock.notAFileRemedy', { file }),
    exit: ExitCode.badInput,
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the exclusive lock of a system for one job (apply, revert, activate). A job holding it makes this
 * one wait up to `waitMs` (30 s), then fail (exit 1) naming the holder: pid, command, start time. A lock
 * whose process is dead is taken over (`tookOverFrom` says whose).
 */
export async function acquireSystemLock(
  sys: SystemContext,
  command: string,
  opts: { waitMs?: number; onWait?: (holder: LockHolder) => void } = {},
): Promise<SystemLock> {
  mkdirSync(sys.stateDir, { recursive: true, mode: 0o755 });
  const file = lockPath(sys);
  const holder: LockHolder = { pid: process.pid, command, startedAt: new Date().toISOString(), host: hostname() };
  const envWait = Number(sys.env.DSA_SETUP_LOCK_WAIT_MS);
  const waitMs = opts.waitMs ?? (Number.isFinite(envWait) && envWait >= 0 ? envWait : LOCK_WAIT_MS);
  const deadline = Date.now() + waitMs;
  let tookOverFrom: LockHolder | null = null;
  let told = false;
  for (;;) {
    if (tryCreate(file, holder)) break;
    notInTheWay(file);
    const current = readHolder(file);
    if (current && holderDead(current)) {
      if (removeStale(file, current)) tookOverFrom = current;
      continue;
    }
    if (!current) {
      // A lock file being written, or a torn one from a crash: torn for more than a second is stale.
      const age = (() => {
        try {
          return Date.now() - statSync(file).mtimeMs;
        } catch {
          return 0;
        }
      })();
      if (age > 1_000) rmSync(file, { force: true });
    }
    if (Date.now() >= deadline) {
      const h = current ?? { pid: 0, command: '?', startedAt: '?', host: '?' };
      throw fail(
        'lock.busy',
        msg('lock.busy', {
          pid: h.pid,
          command: h.command,
          started: h.startedAt,
          seconds: Math.round(waitMs / 1000),
          file,
        }),
        { remedy: msg('lock.busyRemedy', { file }) },
      );
    }
    if (current && !told) {
      told = true;
      opts.onWait?.(current);
    }
    await sleep(Math.min(200, Math.max(10, deadline - Date.now())));
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const now = readHolder(file);
    if (now && now.pid === holder.pid && now.startedAt === holder.startedAt) rmSync(file, { force: true });
  };
  process.on('exit', release);
  return { holder, tookOverFrom, release };
}
