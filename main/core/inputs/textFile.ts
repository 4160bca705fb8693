import { issueAt, type ParseIssue, type ParseResult } from './issues.js';
import { formatBytes, MAX_INPUT_BYTES } from './readFile.js';

export interface TextLine {
  /** 1-based line number. */
  no: number;
  /** The line without its line ending. */
  text: string;
}

/** Decodes a program's log leniently: UTF-16 with BOM (msiexec writes these), else UTF-8 with invalid bytes replaced. */
export function decodeLogText(data: Buffer): string {
  if (data[0] === 0xff && data[1] === 0xfe) return data.subarray(2).toString('utf16le');
  if (data[0] === 0xfe && data[1] === 0xff) return Buffer.from(data.subarray(2)).swap16().toString('utf16le');
  return data.toString('utf8').replace(/^\uFEFF/, '');
}

/** UTF-16 without a BOM, told by where its NUL bytes fall (ASCII text has one in every pair); null if not. */
function utf16WithoutBom(data: Buffer): 'le' | 'be' | null {
  const n = Math.min(data.length, 4096) & ~1;
  if (n < 4 || data.length % 2 !== 0) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (data[i] === 0) even++;
    if (data[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  if (odd >= pairs * 0.3 && even <= pairs * 0.02) return 'le';
  if (even >= pairs * 0.3 && odd <= pairs * 0.02) return 'be';
  return null;
}

/**
 * Shift_JIS as Windows writes it (CP932). ICU's table (Node's TextDecoder) swaps three control bytes the IBM way
 * (0x1A→U+001C, 0x1C→U+007F, 0x7F→U+001A): they are put back, so a Ctrl-Z stays a Ctrl-Z. Throws when the
 * bytes are not Shift_JIS.
 */
function decodeShiftJis(body: Buffer): string {
  const decoder = new TextDecoder('shift_jis', { fatal: true });
  const text = decoder.decode(body);
  if (decoder.decode(Buffer.from([0x1a])) !== '\u001c') return text;
  const back: Record<string, string> = { '\u001c': '\u001a', '\u007f': '\u001c', '\u001a': '\u007f' };
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u001a\u001c\u007f]/g, (c) => back[c]!);
}

/**
 * A file's text in the encodings users hand files over in: UTF-8 with or without BOM, UTF-16 LE/BE with or
 * without BOM, else Shift_JIS (CP932); when it is none of these, the offset of the first byte that is not UTF-8.
 */
export function decodeText(data: Buffer): string | { badAt: number } {
  const u16 = utf16WithoutBom(data);
  if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) return decodeLogText(data);
  if (u16 === 'le') return data.toString('utf16le');
  if (u16 === 'be') return Buffer.from(data).swap16().toString('utf16le');
  const body = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? data.subarray(3) : data;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    try {
      return decodeShiftJis(body);
    } catch {
      return { badAt: firstInvalidUtf8(body) + (body === data ? 0 : 3) };
    }
  }
}

/**
 * Decodes an input file as a user hands it over: UTF-8 with or without BOM; UTF-16 LE/BE with or without BOM
 * (Notepad's "Unicode", PowerShell 5's `>`); Shift_JIS (CP932, Japanese Notepad's "ANSI") when it is not UTF-8;
 * CRLF, LF or CR line ends; a DOS end-of-file mark (Ctrl-Z) at the end dropped. Bytes that are none of these, a
 * NUL or another control character (a binary file) are an error at their line and column; a file over `max`
 * bytes is an error before any of it is decoded.
 */
export function decodeTextFile(file: string, data: Buffer, max: number = MAX_INPUT_BYTES): ParseResult<TextLine[]> {
  if (data.length > max)
    return { ok: false, issues: [issueAt(file, 0, 0, 'inputs.tooLarge', { max: formatBytes(max) })] };
  let text = decodeText(data);
  if (typeof text !== 'string') {
    const line = data.subarray(0, text.badAt).toString('latin1').split('\n').length;
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

function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (n === 0) return i;
    for (let k = 1; k < n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n;
  }
  return b.length;
}
