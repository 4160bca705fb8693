import { z } from 'zod';
import { MessageSchema, msg, type Message, type MessageParam } from '../message.js';

/** One problem found in an input file: where it is and what was expected, as a message. */
export const ParseIssueSchema = z.object({
  file: z.string(),
  line: z.number().int().nonnegative(),
  column: z.number().int().nonnegative(),
  message: MessageSchema,
});
export interface ParseIssue {
  file: string;
  line: number;
  column: number;
  message: Message;
}

/** A parser's result: the value, or every problem it found. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ParseIssue[] };

/** Builds an issue at a position (line/column are 1-based; 0 means the whole file). */
export function issueAt(
  file: string,
  line: number,
  column: number,
  key: string,
  params: Record<string, MessageParam> = {},
): ParseIssue {
  return { file, line, column, message: msg(key, params) };
}
