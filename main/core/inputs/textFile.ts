import { decodeText } from '../textDecode.js';
import { issueAt, type ParseIssue, type ParseResult } from './issues.js';
import { formatBytes, MAX_INPUT_BYTES } from './readFile.js';

export interface TextLine {
  /** 1-based line number. */
  no: number;
  /** The line without its line ending. */
  text: string;
}

/**
 * Decodes an input file as a user hands it over (through the one decoder, `decodeText`): UTF-8 with or without
 * BOM; UTF-16 LE/BE with or without BOM (Notepad's "Unicode", PowerShell 5's `>`); Shift_JIS (Japanese Notepad's
 * "ANSI") or EUC-JP when it is not UTF-8; CRLF, LF or CR line ends; a DOS end-of-file mark (Ctrl-Z) at the end
 * dropped. Bytes that are none of these, a NUL or another control character (a binary file) are an error at their
 * line and column; a file over `max` bytes is an error before any of it is decoded.
 */
export function decodeTextFile(file: string, data: Buffer, max: number = MAX_INPUT_BYTES): ParseResult<TextLine[]> {
  if (data.length > max)
    return { ok: false, issues: [issueAt(file, 0, 0, 'inputs.tooLarge', { max: formatBytes(max) })] };
  let { text } = decodeText(data);
  // Bytes no encoding explains were replaced: the first one's line is named, nothing is guessed.
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    const line = text.slice(0, bad).split(/\r\n|\n|\r/).length;
    return { ok: false, issues: [issueAt(file, line, 0, 'inputs.badEncoding')] };
  }
  // A DOS end-of-file mark (Ctrl-Z, which `copy` appends) ends the text; it is not part of the last value.
  while (text.endsWith('\u001a')) text = text.slice(0, -1);
  const raw = text.split(/\r\n|\n|\r/);
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const lines: TextLine[] = [];
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i]!;
    const nul = t.indexOf('\0');
    if (nul >= 0) return { ok: false, issues: [issueAt(file, i + 1, nul + 1, 'inputs.notText')] };
    // eslint-disable-next-line no-control-regex
    const ctl = /[\x01-\x08\x0b-\x1f\x7f-\x9f]/.exec(t);
    if (ctl)
      return {
        ok: false,
        issues: [issueAt(file, i + 1, ctl.index + 1, 'inputs.controlChar', { code: codePoint(ctl[0]) })],
      };
    lines.push({ no: i + 1, text: t });
  }
  return { ok: true, value: lines };
}

/** `U+200B` for a character. */
function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Invisible characters a web page or a word processor leaves in pasted text (zero-width, bidi marks, NBSP…). */
const INVISIBLE = /[\u00a0\u00ad\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\ufeff]/;
/** Typographic quotes and primes a web page or a word processor puts for `"` and `'`. */
const SMART_QUOTES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u00b4': "'",
  '\uff07': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u301d': '"',
  '\u301e': '"',
  '\u301f': '"',
  '\uff02': '"',
};

/**
 * The first character of a command or an address that only looks like what the program reads: a typographic
 * quote, a full-width letter, digit, sign or space (an IME left on), or an invisible one (zero-width space,
 * no-break space) — each pasted from a web page or a document. An issue at its column saying which ASCII
 * character was meant; null when there is none. The character is named, never the text around it (a secret).
 */
export function lookalikeIssue(file: string, line: number, text: string, offset = 0): ParseIssue | null {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const col = offset + i + 1;
    const quote = SMART_QUOTES[ch];
    if (quote)
      return issueAt(file, line, col, 'inputs.lookalike.quote', { char: ch, code: codePoint(ch), ascii: quote });
    const c = ch.charCodeAt(0);
    if (c >= 0xff01 && c <= 0xff5e)
      return issueAt(file, line, col, 'inputs.lookalike.fullWidth', {
        char: ch,
        code: codePoint(ch),
        ascii: String.fromCharCode(c - 0xfee0),
      });
    if (c === 0x3000) return issueAt(file, line, col, 'inputs.lookalike.wideSpace', { code: codePoint(ch) });
    if (INVISIBLE.test(ch)) return issueAt(file, line, col, 'inputs.lookalike.invisible', { code: codePoint(ch) });
  }
  return null;
}
