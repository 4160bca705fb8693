export interface ExecResult {
  command: string;
  args: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  notFound: boolean;
  ms: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Runs programs. Every process the app starts goes through one of these, never a shell string. */
export interface Executor {
  /** Runs a command against the system (for a sandbox root: recorded, with canned replies). */
  run(command: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Runs a command for real even under a sandbox root (tools that take `--root` themselves: rpm, dpkg). */
  runReal(command: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Runs one program with an argument array, a timeout and captured output; never throws for a non-zero exit. */
export async function execCommand(
  command: string,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const started = performance.now();
  // Loaded on first use: most commands never start a process, and execa costs ~150 ms to load.
  const { execa } = await import('execa');
  const r = await execa(command, [...args], {
    reject: false,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    encoding: 'utf8',
    stripFinalNewline: false,
    windowsHide: true,
  });
  const code = (r as { code?: string }).code;
  return {
    command,
    args: [...args],
    exitCode: typeof r.exitCode === 'number' ? r.exitCode : null,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    timedOut: Boolean(r.timedOut),
    notFound: code === 'ENOENT' || code === 'EACCES',
    ms: Math.round(performance.now() - started),
  };
}

/** The executor for the live system: every command runs for real. */
export const liveExecutor: Executor = { run: execCommand, runReal: execCommand };
