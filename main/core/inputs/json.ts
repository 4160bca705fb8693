import { decodeTextFile } from './textFile.js';
import { issueAt, type ParseResult } from './issues.js';

/**
 * Parses a JSON input file (a plan, a doctor result) in any encoding an editor or PowerShell saves it in: the
 * value, or an issue at the line and column where the JSON breaks (never a slice of its text: it may hold a secret).
 */
export function parseJsonInput(file: string, data: Buffer): ParseResult<unknown> {
  const decoded = decodeTextFile(file, data);
  if (!decoded.ok) return decoded;
  const text = decoded.value.map((l) => l.text).join('\n');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const at = jsonErrorAt(text, e);
    return { ok: false, issues: [issueAt(file, at?.line ?? 0, at?.column ?? 0, 'inputs.jsonSyntax')] };
  }
}

/**
 * Where JSON.parse stopped in a text, as a 1-based line and column, and whether that is its end (a cut-off file);
 * null when the engine does not say. V8 says "at position N" for most faults and "end of JSON input" at the end.
 */
export function jsonErrorAt(text: string, e: unknown): { line: number; column: number; atEnd: boolean } | null {
  const m = e instanceof Error ? e.message : String(e);
  const at = /at position (\d+)/.exec(m);
  // Without a position ("Unexpected token"), a text that does not even start as JSON breaks at its first character.
  const first = /\S/.exec(text);
  const pos = at
    ? Number(at[1])
    : /end of (JSON )?input|Unterminated/i.test(m)
      ? text.length
      : first && !/[[{"\-0-9tfn]/.test(first[0])
        ? first.index
        : null;
  if (pos === null) return null;
  const before = text.slice(0, pos).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1, atEnd: pos >= text.trimEnd().length };
}
