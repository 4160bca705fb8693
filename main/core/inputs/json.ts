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
    // V8 says "at position N" for most faults and "end of JSON input" for a cut-off file; else no position.
    const m = e instanceof Error ? e.message : String(e);
    const at = /at position (\d+)/.exec(m);
    const pos = at ? Number(at[1]) : /end of (JSON )?input/i.test(m) ? text.length : null;
    if (pos === null) return { ok: false, issues: [issueAt(file, 0, 0, 'inputs.jsonSyntax')] };
    const before = text.slice(0, pos).split('\n');
    return {
      ok: false,
      issues: [issueAt(file, before.length, before[before.length - 1]!.length + 1, 'inputs.jsonSyntax')],
    };
  }
}
