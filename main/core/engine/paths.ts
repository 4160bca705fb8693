import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fail, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import type { SystemContext } from '../system.js';

/** Cuts a value quoted in a message at about 200 characters. */
export function cut(value: string, max = 200): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended. */
function realish(p: string): string {
  let cur = resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(cur), ...rest.reverse());
    } catch {
      const up = dirname(cur);
      if (up === cur) return resolve(p);
      rest.push(cur.slice(up.length).replace(/^[\\/]/, ''));
      cur = up;
    }
  }
}

function inside(base: string, p: string): boolean {
  const rel = relative(base, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The host path of a path of the target system read from a journal or a plan: refused (exit 2) unless it
 * stays inside the system (`--root`) once `..` and the links of its directories are resolved.
 */
export function pathInSystem(sys: SystemContext, systemPath: string, from: string): string {
  const host = sys.path(systemPath);
  const root = realish(sys.root);
  const ok =
    typeof systemPath === 'string' &&
    systemPath.length > 0 &&
    !systemPath.includes('\0') &&
    inside(resolve(sys.root), resolve(host)) &&
    inside(root, realish(dirname(host)));
  if (!ok)
    throw fail(
      'journal.pathOutside',
      msg('journal.pathOutside', { path: cut(String(systemPath)), root: sys.root, file: from }),
      { exit: ExitCode.badInput },
    );
  return host;
}

/** The path of a backup named in a run's journal: refused (exit 2) unless it stays inside the run's folder. */
export function backupInRun(runDir: string, rel: string, from: string): string {
  const p = resolve(runDir, rel);
  const ok = typeof rel === 'string' && !rel.includes('\0') && !isAbsolute(rel) && inside(realish(runDir), realish(p));
  if (!ok || !inside(resolve(runDir), p))
    throw fail(
      'journal.backupOutside',
      msg('journal.backupOutside', { path: cut(String(rel)), dir: runDir, file: from }),
      { exit: ExitCode.badInput },
    );
  return p;
}

/** Refuses (exit 2) a `--root` that does not exist or is not a directory, before anything is created. */
export function checkRootDir(root: string | undefined): void {
  if (root === undefined) return;
  const st = (() => {
    try {
      return statSync(root);
    } catch {
      return null;
    }
  })();
  if (!st || !st.isDirectory())
    throw fail(
      st ? 'cli.rootNotDir' : 'cli.rootMissing',
      msg(st ? 'cli.rootNotDir' : 'cli.rootMissing', { root: cut(root) }),
      { exit: ExitCode.badInput },
    );
}
