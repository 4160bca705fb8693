import { execa } from 'execa';
import { chmodSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const PROJECT = resolve(import.meta.dirname, '../..');
export const CLI = resolve(PROJECT, 'out/main/cli.js');

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Lets other users search (not list) every directory on the way to `path`: a run as `nobody` without
 * capabilities must reach this Node and the built CLI even when the checkout sits in a `mktemp -d` (0700) folder.
 * Only the search bit (o+x) is added, and only where it is missing.
 */
export function letOthersReach(path: string): void {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    if (dir === dirname(dir)) break;
  }
}

/**
 * Runs the built `dsa-setup` CLI (the same file `npx dsa-setup` runs) with this Node, no terminal on stdin,
 * LANG=C unless given. `asUser` runs it as that user through setpriv (for the exit-3 tests), allowed to read
 * anything but to write nothing its own rights do not allow; with `plainUser`, with that user's rights only (it
 * must be able to reach the checkout).
 */
export async function runCli(
  args: string[],
  opts: {
    env?: Record<string, string>;
    input?: string;
    asUser?: string;
    plainUser?: boolean;
    timeoutMs?: number;
    cwd?: string;
  } = {},
): Promise<CliRun> {
  if (opts.plainUser) [process.execPath, CLI].forEach(letOthersReach);
  const [cmd, cmdArgs] = opts.asUser
    ? [
        'setpriv',
        [
          `--reuid=${opts.asUser}`,
          '--regid=nogroup',
          '--clear-groups',
          // Read and search only (no write): the checkout may sit in a directory only root can enter (mktemp -d).
          ...(opts.plainUser ? [] : ['--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search']),
          process.execPath,
          CLI,
          ...args,
        ],
      ]
    : [process.execPath, [CLI, ...args]];
  const r = await execa(cmd as string, cmdArgs as string[], {
    reject: false,
    env: { LANG: 'C', LC_ALL: '', LC_MESSAGES: '', ...opts.env },
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
    timeout: opts.timeoutMs ?? 60_000,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs the CLI and parses its stdout as the one JSON document `--json` promises. */
export async function runCliJson<T = unknown>(
  args: string[],
  opts: Parameters<typeof runCli>[1] = {},
): Promise<CliRun & { json: T }> {
  const r = await runCli([...args, '--json'], opts);
  let json: T;
  try {
    json = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.exitCode}):\n${r.stdout}\n--- stderr:\n${r.stderr}`);
  }
  return { ...r, json };
}

/** `unshare` arguments that run a command with `file` bind-mounted over `target` in a private mount namespace. */
export function withBindMount(file: string, target: string): string[] {
  return [
    'unshare',
    '-m',
    '--propagation',
    'private',
    '--',
    'sh',
    '-c',
    `mount --bind "$1" ${target} && shift && exec "$@"`,
    'sh',
    file,
  ];
}

/**
 * Runs `PREFIX… node CLI ARGS --json` (a network namespace, a mount namespace) with LANG=C, and parses the one
 * JSON document; `wallMs` is the whole process's wall time.
 */
export async function runCliJsonIn<T = unknown>(
  prefix: string[],
  args: string[],
  env: Record<string, string> = {},
): Promise<{ exitCode: number; json: T; wallMs: number; stderr: string }> {
  const started = performance.now();
  const [cmd, ...pre] = prefix;
  const r = await execa(cmd!, [...pre, process.execPath, CLI, ...args, '--json'], {
    reject: false,
    env: { LANG: 'C', ...env },
    timeout: 60_000,
  });
  const wallMs = performance.now() - started;
  try {
    return { exitCode: r.exitCode ?? -1, json: JSON.parse(String(r.stdout)) as T, wallMs, stderr: String(r.stderr) };
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.exitCode}):\n${r.stdout}\n--- stderr:\n${r.stderr}`);
  }
}
