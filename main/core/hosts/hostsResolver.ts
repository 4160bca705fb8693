import { addressKey, isV4Mapped, isV6Loopback, parseInetAddress, type InetAddress } from './inetAddress.js';
import type { ResolverOptions } from './hostConf.js';

/**
 * The one reading of a hosts line that plan, apply's read-back and the doctor share, modelled on glibc's
 * nss_files (nss_readline.c, files-parse.c, files-hosts.c) as of glibc 2.36:
 * - a line ends at `\n` (a CR-only file is one long line); the C string ends at the first NUL;
 * - leading whitespace is skipped, then a line starting with `#` is a comment; `#` anywhere ends the line;
 * - fields are split on any C whitespace (space, `\t`, `\n`, `\v`, `\f`, `\r`);
 * - nss_readline moves the text after leading whitespace to the start of the buffer without its terminating
 *   NUL, so a line with leading whitespace and no `\n` before its end (the last line, or a NUL) gets its last
 *   few bytes repeated (`  1.2.3.4 dsm` at the end of a file reads as `1.2.3.4 dsmsm`);
 * - the address is what inet_pton accepts (no zone id); a UTF-8 BOM is part of the first field.
 * Windows' DNS client: the same fields, a NUL ends the line, no repeated bytes.
 */
export interface ResolverLine {
  /** The address field as written. */
  address: string;
  parsed: InetAddress;
  /** Every name field, as written (the canonical name first, then aliases). */
  names: string[];
}

const isCSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const FIELD_SPLIT = /[ \t\n\v\f\r]+/;

/**
 * The text glibc parses for one raw line (its bytes up to and including `\n`, one char per byte), or null for a
 * blank line or a comment.
 */
export function effectiveLine(raw: string, dialect: ResolverOptions['dialect']): string | null {
  let lead = 0;
  while (lead < raw.length && isCSpace(raw.charCodeAt(lead))) lead++;
  const nul = raw.indexOf('\0', lead);
  const pEnd = nul < 0 ? raw.length : nul;
  if (pEnd === lead || raw[lead] === '#') return null;
  let s = raw.slice(lead, pEnd);
  if (dialect === 'glibc' && lead > 0) s += raw.slice(s.length, lead + s.length);
  const cut = s.search(/[#\n]/);
  return cut < 0 ? s : s.slice(0, cut);
}

/** The address and names of one raw line as the resolver reads it, or null when it maps nothing. */
export function resolverLine(raw: string, dialect: ResolverOptions['dialect']): ResolverLine | null {
  const text = effectiveLine(raw, dialect);
  if (text === null) return null;
  const fields = text.split(FIELD_SPLIT).filter(Boolean);
  if (fields.length < 2) return null;
  const parsed = parseInetAddress(fields[0]!);
  if (!parsed) return null;
  return { address: fields[0]!, parsed, names: fields.slice(1) };
}

/** Name comparison as glibc's strcasecmp in the C locale: exact, ignoring ASCII case only (`name.` is not `name`). */
export function sameName(a: string, b: string): boolean {
  return a.length === b.length && asciiLower(a) === asciiLower(b);
}

/** Lower-cases ASCII letters only. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** One line that maps a name. */
export interface Mapping {
  /** 1-based line number in the file. */
  line: number;
  /** The address as written on the line. */
  address: string;
  parsed: InetAddress;
  inBlock: boolean;
}

/**
 * The addresses the resolver answers for a name, given every line mapping it in file order (canonical text,
 * see addressKey): glibc's `getent hosts` (gethostbyname2 for AF_INET6, then AF_INET, where `::ffff:a.b.c.d`
 * and `::1` read as IPv4) together with `getent ahosts` (getaddrinfo, AF_UNSPEC). With `multi on` every line
 * counts, without it the first that fits. Windows returns every line.
 */
export function resolverAnswers(mappings: Mapping[], opts: ResolverOptions): string[] {
  const keys = new Set<string>();
  const take = <T>(list: T[]): T[] => (opts.multi ? list : list.slice(0, 1));
  if (opts.dialect === 'windows') {
    for (const m of mappings) keys.add(addressKey(m.parsed));
    return [...keys];
  }
  const v6 = take(mappings.filter((m) => m.parsed.family === 6));
  const v4 = take(mappings.filter((m) => m.parsed.family === 4 || isV4Mapped(m.parsed) || isV6Loopback(m.parsed))).map(
    (m) => (isV6Loopback(m.parsed) ? '127.0.0.1' : addressKey(m.parsed)),
  );
  for (const k of v6.length ? v6.map((m) => addressKey(m.parsed)) : v4) keys.add(k);
  for (const m of take(mappings)) keys.add(addressKey(m.parsed));
  return [...keys];
}
