import { issueAt, type ParseResult } from './issues.js';

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

/**
 * Decodes an input file as a download portal hands it out: UTF-8 with or without BOM, or UTF-16 with BOM
 * (Notepad's "Unicode"); CRLF or LF. Bytes that are not valid UTF-8, or NUL bytes, are an error at their line.
 */
export function decodeTextFile(file: string, data: Buffer): ParseResult<TextLine[]> {
  let text: string;
  if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) text = decodeLogText(data);
  else {
    const body = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? data.subarray(3) : data;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      const bad = firstInvalidUtf8(body);
      const line = body.subarray(0, bad).toString('latin1').split('\n').length;
      return { ok: false, issues: [issueAt(file, line, 0, 'inputs.badEncoding')] };
    }
  }
  const raw = text.split(/\r\n|\n|\r/);
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const lines: TextLine[] = [];
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i]!;
    const nul = t.indexOf('\0');
    if (nul >= 0) return { ok: false, issues: [issueAt(file, i + 1, nul + 1, 'inputs.notText')] };
    lines.push({ no: i + 1, text: t });
  }
  return { ok: true, value: lines };
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
