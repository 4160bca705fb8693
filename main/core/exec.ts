import { spawn } from 'node:child_process';

export interface ExecResult {
  command: string;
  args: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Set when the run was cut off: its timeout passed or the caller's signal aborted it (the group was killed). */
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  notFound: boolean;
  ms: number;
}

export interface ExecOptions {
  /** Hard limit: at this point the whole process group gets SIGTERM, then SIGKILL after a short grace. */
  timeoutMs?: number;
  /** Aborting kills the whole process group the same way as the timeout (e.g. the doctor's deadline). */
  signal?: AbortSignal;
  input?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /**
   * How the program's output is decoded: a WHATWG encoding label (`utf-8`, `shift_jis` for CP932, …).
   * Windows console programs (netsh, sc, reg) print in the console's code page: see platform/consoleEncoding.ts.
   */
  encoding?: string;
}

/** Runs programs. Every process the app starts goes through one of these, never a shell string. */
export interface Executor {
  /** Runs a command against the system (for a sandbox root: recorded, with canned replies). */
  run(command: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Runs a command for real even under a sandbox root (tools that take `--root` themselves: rpm, dpkg). */
  runReal(command: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Set when `run` answers with text already (a sandbox's canned replies): no code page to ask or decode. */
  cannedText?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Between SIGTERM and SIGKILL to the process group. */
export const KILL_GRACE_MS = 500;

/** After SIGKILL: a process that left the group (setsid) may still hold our pipes; stop reading them then. */
const DETACH_GRACE_MS = 1_000;

/** Kills a process and everything it started: its process group on POSIX, its tree on Windows. */
function killTree(pid: number, signal: NodeJS.Signals): void {
  if (process.platform === 'win32') {
    // taskkill /T takes the whole tree; /F at once (Windows has no TERM to ignore), so once is enough.
    if (signal !== 'SIGTERM') return;
    spawn('taskkill', ['/T', '/F', '/PID', String(pid)], { stdio: 'ignore', windowsHide: true }).on(
      'error',
      () => undefined,
    );
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/**
 * Runs one program with an argument array, a hard timeout and captured output; never throws for a non-zero exit.
 * The program runs in its own process group; at the timeout (or when `signal` aborts) the whole group gets
 * SIGTERM and, after KILL_GRACE_MS, SIGKILL — so a tool that ignores SIGTERM or leaves a child cannot hold the run.
 */
export async function execCommand(
  command: string,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const stop = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const done = (r: Partial<ExecResult>): ExecResult => ({
    command,
    args: [...args],
    exitCode: null,
    stdout: '',
    stderr: '',
    timedOut: false,
    notFound: false,
    ...r,
    ms: Math.round(performance.now() - started),
  });
  if (stop.aborted) return done({ timedOut: true });

  // Loaded on first use: most commands never start a process, and execa costs ~150 ms to load.
  const { execa } = await import('execa');
  const child = execa(command, [...args], {
    reject: false,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    // Its own process group (POSIX), so the whole group can be killed; Windows kills the tree instead.
    detached: process.platform !== 'win32',
    encoding: 'buffer',
    stripFinalNewline: false,
    windowsHide: true,
  });

  let cut = false;
  const timers: NodeJS.Timeout[] = [];
  const onStop = (): void => {
    cut = true;
    const pid = child.pid;
    if (pid === undefined) return;
    killTree(pid, 'SIGTERM');
    timers.push(
      setTimeout(() => {
        killTree(pid, 'SIGKILL');
        timers.push(
          setTimeout(() => {
            child.stdout?.destroy();
            child.stderr?.destroy();
          }, DETACH_GRACE_MS),
        );
      }, KILL_GRACE_MS),
    );
  };
  stop.addEventListener('abort', onStop, { once: true });

  const r = await child;
  stop.removeEventListener('abort', onStop);
  // The KILL goes out even when the leader died of the TERM: a child that ignored it may be left in the group.
  for (const t of timers) clearTimeout(t);
  if (cut && child.pid !== undefined) killTree(child.pid, 'SIGKILL');
  const decoder = new TextDecoder(opts.encoding ?? 'utf-8');
  const text = (b: unknown): string => (b instanceof Uint8Array ? decoder.decode(b) : typeof b === 'string' ? b : '');
  const code = (r as { code?: string }).code;
  return done({
    exitCode: typeof r.exitCode === 'number' ? r.exitCode : null,
    stdout: text(r.stdout),
    stderr: text(r.stderr),
    timedOut: cut,
    notFound: code === 'ENOENT' || code === 'EACCES',
  });
}
