import { redactJson } from './secrets.js';
import type { ErrorInfo } from './errorInfo.js';
import type { Message } from './message.js';
import type { ParseIssue } from './inputs/issues.js';

export type { ErrorInfo } from './errorInfo.js';

/** Exit codes of the CLI contract (DESIGN.md). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  needsAdmin: 3,
  needsReboot: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What an error carries besides its code and message. */
export interface FailOptions {
  remedy?: Message;
  issues?: ParseIssue[];
  /** The CLI's exit code (default 1, a check or step failed). */
  exit?: ExitCode;
  cause?: unknown;
}

/**
 * An error a user can act on: its ErrorInfo (code, message, remedy, input problems; secrets masked in every
 * parameter, nested messages included) and the exit code it maps to. `Error.message` is for logs only.
 */
export class DsaError extends Error {
  readonly code: string;
  readonly info: ErrorInfo;
  readonly exitCode: ExitCode;

  constructor(info: ErrorInfo, options: { exit?: ExitCode; cause?: unknown } = {}) {
    const safe = redactJson(info);
    super(
      `${safe.code}: ${safe.message.key} ${JSON.stringify(safe.message.params)}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'DsaError';
    this.code = safe.code;
    this.info = safe;
    this.exitCode = options.exit ?? ExitCode.failed;
  }

  /** The plain object form, for JSON output and IPC. */
  toInfo(): ErrorInfo {
    return this.info;
  }
}

/**
 * Builds an error in one line:
 * `throw fail('hosts.brokenBlock', msg('hosts.brokenBlock', { file, line }), { remedy: msg('hosts.brokenBlockRemedy') })`.
 */
export function fail(code: string, message: Message, o: FailOptions = {}): DsaError {
  return new DsaError(
    {
      code,
      message,
      ...(o.remedy ? { remedy: o.remedy } : {}),
      ...(o.issues ? { issues: o.issues } : {}),
    },
    { ...(o.exit !== undefined ? { exit: o.exit } : {}), ...(o.cause !== undefined ? { cause: o.cause } : {}) },
  );
}

/** Builds a bad-input error (exit 2). */
export function inputError(code: string, message: Message, remedy?: Message): DsaError {
  return fail(code, message, { exit: ExitCode.badInput, ...(remedy ? { remedy } : {}) });
}
