import { z } from 'zod';
import { MessageSchema, msg, type Message } from './message.js';
import { ParseIssueSchema, type ParseIssue } from './inputs/issues.js';

/**
 * The serialisable form of an error: a stable code, what went wrong and what to do as messages (the one
 * message type), and the problems found in an input file. Crosses IPC, lands in `--json` output and in plans
 * and journals unchanged; the surface that shows it translates it. No Node imports: the renderer uses it too.
 */
export interface ErrorInfo {
  code: string;
  message: Message;
  remedy?: Message;
  /** Problems found in an input file, each with file, line and column. */
  issues?: ParseIssue[];
}

/** The zod schema of an ErrorInfo (IPC replies, plans and journals read back from disk). */
export const ErrorInfoSchema: z.ZodType<ErrorInfo> = z.object({
  code: z.string(),
  message: MessageSchema,
  remedy: MessageSchema.optional(),
  issues: z.array(ParseIssueSchema).optional(),
}) as z.ZodType<ErrorInfo>;

/** The error a bug shows as ("Internal error: …"), naming the log file that keeps its stack when there is one. */
export function internalErrorInfo(message: string, log?: string): ErrorInfo {
  const file = log ?? '-';
  return {
    code: 'internal',
    message: msg('errors.internal', { message, log: file }),
    remedy: msg('errors.internalRemedy', { log: file }),
  };
}
