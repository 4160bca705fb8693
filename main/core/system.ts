import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { execCommand, type Executor, type ExecOptions, type ExecResult } from './exec.js';

export type OsKind = 'linux' | 'windows';

/** Where the app works: the running system, or a system tree mounted at `root` (an offline image, a test sandbox). */
export interface SystemContext {
  /** The directory the system tree is at: `/` (or `C:\`) for the running system. */
  root: string;
  os: OsKind;
  /** True when `root` is the running system, so live facts (uname, interfaces, services) apply. */
  live: boolean;
  exec: Executor;
  /** Maps a path of the target system (`/etc/hosts`, `C:\Windows\…`) to a path on this machine. */
  path(systemPath: string): string;
  /** Directory of the run journals. */
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

/** Where a sandbox root's executor records commands and reads canned replies. */
export const SANDBOX_DIR = '.sandbox';

/** One canned reply of a sandbox root (`<root>/.sandbox/exec-replies.json`). */
export interface SandboxReply {
  command: string;
  /** The reply is used when the call's arguments start with these. */
  args?: string[];
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** Used only once the log holds a call starting with these words (what a tool prints after another changed it). */
  after?: string[];
  /** Files (relative to the root) the call writes, as the real tool would (update-grub writes grub.cfg). */
  writes?: Record<string, string>;
}

/** Exit code the sandbox answers a command with when it has no canned reply for it (as a shell's "not found"). */
export const SANDBOX_UNANSWERED_EXIT = 127;

/** One call a sandbox executor recorded; `unanswered` when no canned reply matched (the call failed). */
export interface SandboxCall {
  command: string;
  args: string[];
  input?: string;
  unanswered?: true;
}

/**
 * An executor for a sandbox root: `run` never touches this machine — it appends the call to
 * `<root>/.sandbox/exec-log.jsonl` and answers from `<root>/.sandbox/exec-replies.json` (first match). A call
 * with no canned reply FAILS (exit 127, a stderr line naming it, recorded as unanswered), so a command nobody
 * expected cannot pass a test unnoticed. `runReal` runs tools that take a root themselves (rpm --root, dpkg --root).
 */
export function sandboxExecutor(root: string): Executor {
  const dir = join(root, SANDBOX_DIR);
  return {
    async run(command: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
      mkdirSync(dir, { recursive: true });
      let replies: SandboxReply[] = [];
      const file = join(dir, 'exec-replies.json');
      if (existsSync(file)) replies = JSON.parse(readFileSync(file, 'utf8')) as SandboxReply[];
      const logged = sandboxExecLog(root).map((c) => [c.command, ...c.args]);
      const seen = (words: string[]): boolean => logged.some((l) => words.every((w, i) => l[i] === w));
      const hit = replies.find(
        (r) =>
          r.command === command &&
          (r.args ?? []).every((a, i) => args[i] === a) &&
          (r.after === undefined || seen(r.after)),
      );
      const call: SandboxCall = {
        command,
        args: [...args],
        ...(opts?.input !== undefined ? { input: opts.input } : {}),
      };
      if (!hit) call.unanswered = true;
      appendFileSync(join(dir, 'exec-log.jsonl'), JSON.stringify(call) + '\n');
      for (const [rel, text] of Object.entries(hit?.writes ?? {})) {
        const file = resolve(root, rel);
        if (!file.startsWith(resolve(root) + sep)) continue;
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      return {
        command,
        args: [...args],
        exitCode: hit ? (hit.exitCode ?? 0) : SANDBOX_UNANSWERED_EXIT,
        stdout: hit?.stdout ?? '',
        stderr: hit ? (hit.stderr ?? '') : `sandbox: no reply for: ${[command, ...args].join(' ')}\n`,
        timedOut: false,
        notFound: false,
        ms: 0,
      };
    },
    runReal: execCommand,
    cannedText: true,
  };
}

/** Reads the commands a sandbox executor recorded (tests and `--root` dry runs). */
export function sandboxExecLog(root: string): SandboxCall[] {
  const file = join(root, SANDBOX_DIR, 'exec-log.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SandboxCall);
}

/** Builds the context for `--root DIR` (or the running system when root is undefined). */
export function createSystemContext(
  opts: { root?: string; env?: NodeJS.ProcessEnv; exec?: Executor } = {},
): SystemContext {
  const env = opts.env ?? process.env;
  const runningOs: OsKind = process.platform === 'win32' ? 'windows' : 'linux';
  const liveRoot = runningOs === 'windows' ? `${env.SystemDrive ?? 'C:'}\\` : '/';
  const root = opts.root ? resolve(opts.root) : liveRoot;
  const live = resolve(root) === resolve(liveRoot);
  const os: OsKind = live ? runningOs : existsSync(join(root, 'Windows', 'System32')) ? 'windows' : 'linux';
  const path = (systemPath: string): string => {
    // `C:\Windows\x` and `/etc/x` both become relative to root.
    const rel = systemPath
      .replace(/^[A-Za-z]:[\\/]/, '')
      .replace(/^[\\/]+/, '')
      .split(/[\\/]/)
      .join(sep);
    return join(root, rel);
  };
  const stateDir =
    os === 'windows'
      ? live
        ? join(env.ProgramData ?? 'C:\\ProgramData', 'dsa-setup')
        : path('ProgramData/dsa-setup')
      : path('/var/lib/dsa-setup');
  return {
    root,
    os,
    live,
    exec: opts.exec ?? (live ? { run: execCommand, runReal: execCommand } : sandboxExecutor(root)),
    path,
    stateDir,
    env,
  };
}

/** The hosts file of the target system. */
export function hostsFilePath(sys: SystemContext): string {
  if (sys.os === 'windows') {
    if (sys.live && sys.env.SystemRoot) return join(sys.env.SystemRoot, 'System32', 'drivers', 'etc', 'hosts');
    return sys.path('Windows/System32/drivers/etc/hosts');
  }
  return sys.path('/etc/hosts');
}

/** Whether this process has administrator rights (root; on Windows, membership that lets `net session` run). */
export async function isAdmin(_sys: SystemContext): Promise<boolean> {
  if (process.platform === 'win32') {
    const r = await execCommand('net', ['session'], { timeoutMs: 10_000 });
    return r.exitCode === 0;
  }
  return process.getuid?.() === 0;
}
