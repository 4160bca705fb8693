import { execa } from 'execa';
import { CLI } from './cli.js';

/**
 * Runs `sh -c script` in a private mount namespace (`unshare -m`), so a tmpfs or a read-only mount made there never
 * touches this machine's own file systems. `$NODE` and `$CLI` name this Node and the built CLI; `args` are `$1…`.
 */
export async function inMountNamespace(
  script: string,
  args: string[] = [],
  opts: { network?: boolean } = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa(
    'unshare',
    ['-m', ...(opts.network === false ? ['-n'] : []), '--propagation', 'private', 'sh', '-c', script, 'sh', ...args],
    { reject: false, env: { LANG: 'C', NODE: process.execPath, CLI }, timeout: 120_000 },
  );
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
