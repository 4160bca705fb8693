/**
 * Decoding of text files the tool copies or reads back (agent logs and configuration, installer logs) whatever
 * their encoding: UTF-8 (with or without BOM), UTF-16 LE/BE (with a BOM, or without one: a log tail cut past it,
 * at an odd offset too), Shift_JIS (CP932, Japanese Windows), EUC-JP (older Japanese Linux) — so that what is masked is the text a person reads,
 * not bytes a secret hides between (a UTF-16 secret read as UTF-8 is one letter between two NUL bytes).
 */

/** The encodings a text file is recognised in. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'shift_jis' | 'euc-jp';

/** UTF-16 without a BOM: most code units of ASCII text have one zero byte, on the same side. */
function utf16Without(data: Buffer, offset: number): 'utf-16le' | 'utf-16be' | null {
  let le = 0;
  let be = 0;
  let other = 0;
  // Code units start at even offsets of the file: `offset` is where `data` starts in it.
  for (let i = offset % 2; i + 1 < data.length; i += 2) {
    const a = data[i]!;
    const b = data[i + 1]!;
    if (a !== 0 && b === 0) le++;
    else if (a === 0 && b !== 0) be++;
    else if (a !== 0) other++;
  }
  const units = le + be + other;
  if (units < 4) return null;
  if (le >= 0.3 * units && le > 4 * be) return 'utf-16le';
  if (be >= 0.3 * units && be > 4 * le) return 'utf-16be';
  return null;
}

/**
 * The Japanese encoding that reads bytes as Japanese text, with that text: of Shift_JIS and EUC-JP, one that decodes them without
 * error and gives the most kana and kanji (the other, when it decodes at all, gives half-width katakana and rare
 * kanji); UTF-8 with replacement characters when neither does.
 */
function japanese(body: Buffer): { text: string; encoding: TextEncoding } {
  let best: { text: string; encoding: TextEncoding; score: number } | null = null;
  for (const encoding of ['shift_jis', 'euc-jp'] as const) {
    let text: string;
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(body);
    } catch {
      continue;
    }
    const score =
      (text.match(/[\u3040-\u30ff\u4e00-\u9fff\u3000-\u303f]/g)?.length ?? 0) -
      (text.match(/[\uff61-\uff9f]/g)?.length ?? 0);
    if (!best || score > best.score) best = { text, encoding, score };
  }
  return best ?? { text: new TextDecoder('utf-8').decode(body), encoding: 'utf-8' };
}

/**
 * Decodes a file's bytes, or its tail (`offset`: where `data` starts in the file; `cut`: the first line may be
 * cut short and is dropped — never the last). A BOM is left out; bytes no encoding explains become U+FFFD.
 */
export function decodeText(
  data: Buffer,
  opts: { offset?: number; cut?: boolean } = {},
): {
  text: string;
  encoding: TextEncoding;
} {
  const offset = opts.offset ?? 0;
  const bom =
    offset === 0 &&
    data.length >= 2 &&
    ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff));
  const wide = bom ? (data[0] === 0xff ? 'utf-16le' : 'utf-16be') : utf16Without(data, offset);
  if (wide) {
    let body = data.subarray(bom ? 2 : offset % 2);
    body = body.subarray(0, body.length - (body.length % 2));
    if (wide === 'utf-16be') body = Buffer.from(body).swap16();
    return { text: dropCutLine(body.toString('utf16le'), opts.cut), encoding: wide };
  }
  let body = data;
  if (opts.cut) {
    // Cut before decoding: the first bytes may be the end of a character (a newline never is, in either).
    const nl = data.indexOf(0x0a);
    if (nl >= 0 && nl < data.length - 1) body = data.subarray(nl + 1);
  }
  // The UTF-8 decoder leaves a BOM out. Decoded once: the strict decode's text is the answer when it succeeds.
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    const { text, encoding } = japanese(body);
    return { text: encoding === 'shift_jis' ? windowsControls(text) : text, encoding };
  }
}

/**
 * Shift_JIS as Windows writes it (CP932): ICU's table (Node's TextDecoder) swaps three control bytes the IBM way
 * (0x1A→U+001C, 0x1C→U+007F, 0x7F→U+001A). They are put back, so a Ctrl-Z at a file's end stays a Ctrl-Z.
 */
function windowsControls(text: string): string {
  if (new TextDecoder('shift_jis').decode(Buffer.from([0x1a])) !== '\u001c') return text;
  const back: Record<string, string> = { '\u001c': '\u001a', '\u007f': '\u001c', '\u001a': '\u007f' };
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u001a\u001c\u007f]/g, (c) => back[c]!);
}

function dropCutLine(text: string, cut: boolean | undefined): string {
  if (!cut) return text;
  const nl = text.indexOf('\n');
  return nl >= 0 && nl < text.length - 1 ? text.slice(nl + 1) : text;
}
