import { appendFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DsaError, type ErrorInfo } from './errors.js';
import { internalErrorInfo } from './errorInfo.js';
import { msg } from './message.js';
import { redactJson, redactText } from './secrets.js';

/**
 * Where internal errors (bugs) are logged with their stack: Windows `%ProgramData%\dsa-setup\logs`;
 * Linux `/var/log/dsa-setup` when root, else the user's state folder (`$XDG_STATE_HOME/dsa-setup`,
 * default `~/.local/state/dsa-setup`). `DSA_SETUP_LOG_DIR` overrides all (tests, unusual layouts).
 */
export function errorLogDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  uid: number | undefined = process.getuid?.(),
): string {
  if (env.DSA_SETUP_LOG_DIR) return env.DSA_SETUP_LOG_DIR;
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'dsa-setup', 'logs');
  if (uid === 0) return '/var/log/dsa-setup';
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'dsa-setup');
}

/** Appends an internal error with its stack (secrets masked) to `errors.log`; returns the file, or null if unwritable. */
export function logInternalError(err: unknown, where: string, dir = errorLogDir()): string | null {
  const file = join(dir, 'errors.log');
  const stack = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    appendFileSync(file, `${new Date().toISOString()} [${where}] ${redactText(stack)}\n\n`, { mode: 0o600 });
    return file;
  } catch {
    return null;
  }
}

/** OS error codes with a remedy of their own (others get the general one). */
const OS_REMEDIES: Record<string, string> = {
  EACCES: 'errors.osRemedy.access',
  EPERM: 'errors.osRemedy.access',
  EROFS: 'errors.osRemedy.readOnly',
  ENOSPC: 'errors.osRemedy.noSpace',
  ENOENT: 'errors.osRemedy.notFound',
};

/** An error the operating system gave (a file not writable, a full disk): the person can act on it, it is no bug. */
function osErrorInfo(err: unknown): ErrorInfo | null {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== 'string' || !/^E[A-Z]+$/.test(e.code) || !e.syscall) return null;
  return redactJson({
    code: `os.${e.code}`,
    message: msg('errors.os', { path: e.path ?? '-', syscall: e.syscall, code: e.code }),
    remedy: msg(OS_REMEDIES[e.code] ?? 'errors.osRemedy.other'),
  });
}

/**
 * The one error chain of the CLI and IPC dispatch: a DsaError passes unchanged; an error of the operating
 * system says which file and why; anything else is a bug, logged with its stack, and reported as "Internal
 * error" naming the log file.
 */
export function describeError(err: unknown, where: string, dir?: string): ErrorInfo {
  if (err instanceof DsaError) return err.toInfo();
  const os = osErrorInfo(err);
  if (os) return os;
  const message = redactText(err instanceof Error ? err.message : String(err));
  return internalErrorInfo(message, logInternalError(err, where, dir) ?? undefined);
}
