import { z } from 'zod';

/** One problem found in an input file: where it is and what was expected, as translation keys. */
export const ParseIssueSchema = z.object({
  file: z.string(),
  line: z.number().int().nonnegative(),
  column: z.number().int().nonnegative(),
  messageKey: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type ParseIssue = z.infer<typeof ParseIssueSchema>;

/** A parser's result: the value, or every problem it found. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ParseIssue[] };

/** Builds an issue at a position (line/column are 1-based; 0 means the whole file). */
export function issueAt(
  file: string,
  line: number,
  column: number,
  messageKey: string,
  params: Record<string, string | number> = {},
): ParseIssue {
  return { file, line, column, messageKey, params };
}
