import { redactJson, redactText } from './secrets.js';

/** Exit codes of the CLI contract (DESIGN.md). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  needsAdmin: 3,
  needsReboot: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The serialisable form of an error: crosses IPC and lands in JSON output unchanged. */
export interface ErrorInfo {
  code: string;
  messageKey: string;
  params: Record<string, string | number>;
  remedyKey?: string;
  /** Problems found in an input file, each with file, line and column. */
  issues?: {
    file: string;
    line: number;
    column: number;
    messageKey: string;
    params: Record<string, string | number>;
  }[];
}

/** An error a user can act on: a translated message, optional remedy, and the exit code it maps to. */
export class DsaError extends Error implements ErrorInfo {
  readonly code: string;
  readonly messageKey: string;
  readonly params: Record<string, string | number>;
  readonly remedyKey?: string;
  readonly exitCode: ExitCode;
  readonly issues?: ErrorInfo['issues'];

  constructor(info: ErrorInfo & { exitCode?: ExitCode }, options?: { cause?: unknown }) {
    const params = redactJson(info.params);
    super(`${info.code}: ${info.messageKey} ${JSON.stringify(params)}`, options);
    this.name = 'DsaError';
    this.code = info.code;
    this.messageKey = info.messageKey;
    this.params = params;
    if (info.remedyKey) this.remedyKey = info.remedyKey;
    this.exitCode = info.exitCode ?? ExitCode.failed;
    if (info.issues) this.issues = redactJson(info.issues);
  }

  /** The plain object form, for JSON output and IPC. */
  toInfo(): ErrorInfo {
    return {
      code: this.code,
      messageKey: this.messageKey,
      params: this.params,
      ...(this.remedyKey ? { remedyKey: this.remedyKey } : {}),
      ...(this.issues ? { issues: this.issues } : {}),
    };
  }
}

/** Builds a bad-input error (exit 2). */
export function inputError(
  code: string,
  messageKey: string,
  params: Record<string, string | number> = {},
  remedyKey?: string,
): DsaError {
  return new DsaError({ code, messageKey, params, ...(remedyKey ? { remedyKey } : {}), exitCode: ExitCode.badInput });
}

/** Converts anything thrown into ErrorInfo; an unexpected error is reported as an internal bug with its message. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof DsaError) return err.toInfo();
  const message = redactText(err instanceof Error ? err.message : String(err));
  return { code: 'internal', messageKey: 'errors.internal', params: { message }, remedyKey: 'errors.internalRemedy' };
}
