/**
 * Addresses as the resolver reads them: a port of glibc's `inet_pton` (strict dotted quad without leading
 * zeros; IPv6 with at most one `::`, an optional dotted-quad tail, no zone id), so a hosts line counts as an
 * entry exactly when glibc accepts its address, and two spellings of one address compare equal.
 */

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** glibc's inet_pton4 over s[from, to): four octets or null. */
function pton4(s: string, from: number, to: number): number[] | null {
  const out = [0];
  let sawDigit = false;
  let octets = 0;
  for (let i = from; i < to; i++) {
    const ch = s.charCodeAt(i);
    if (isDigit(ch)) {
      const cur = out[out.length - 1]!;
      const next = cur * 10 + (ch - 48);
      if (sawDigit && cur === 0) return null;
      if (next > 255) return null;
      out[out.length - 1] = next;
      if (!sawDigit) {
        if (++octets > 4) return null;
        sawDigit = true;
      }
    } else if (ch === 46 && sawDigit) {
      if (octets === 4) return null;
      out.push(0);
      sawDigit = false;
    } else return null;
  }
  return octets < 4 ? null : out;
}

/** glibc's inet_pton6: sixteen bytes or null. */
function pton6(s: string): number[] | null {
  const tmp: number[] = [];
  let colonp = -1;
  let i = 0;
  const end = s.length;
  if (end === 0) return null;
  if (s[0] === ':') {
    i++;
    if (i === end || s[i] !== ':') return null;
  }
  let curtok = i;
  let seen = 0;
  let val = 0;
  while (i < end) {
    const ch = s.charCodeAt(i++);
    const d = hexValue(ch);
    if (d >= 0) {
      if (seen === 4) return null;
      val = (val << 4) | d;
      seen++;
      continue;
    }
    if (ch === 58) {
      curtok = i;
      if (seen === 0) {
        if (colonp >= 0) return null;
        colonp = tmp.length;
        continue;
      } else if (i === end) return null;
      if (tmp.length + 2 > 16) return null;
      tmp.push((val >> 8) & 0xff, val & 0xff);
      seen = 0;
      val = 0;
      continue;
    }
    if (ch === 46 && tmp.length + 4 <= 16) {
      const v4 = pton4(s, curtok, end);
      if (v4) {
        tmp.push(...v4);
        seen = 0;
        break;
      }
    }
    return null;
  }
  if (seen > 0) {
    if (tmp.length + 2 > 16) return null;
    tmp.push((val >> 8) & 0xff, val & 0xff);
  }
  if (colonp >= 0) {
    if (tmp.length === 16) return null;
    const tail = tmp.splice(colonp);
    while (tmp.length + tail.length < 16) tmp.push(0);
    tmp.push(...tail);
  }
  return tmp.length === 16 ? tmp : null;
}

export interface InetAddress {
  family: 4 | 6;
  bytes: number[];
}

/** Parses an address the way glibc's inet_pton does (AF_INET first, then AF_INET6), or null. */
export function parseInetAddress(s: string): InetAddress | null {
  const v4 = pton4(s, 0, s.length);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = pton6(s);
  return v6 ? { family: 6, bytes: v6 } : null;
}

/** Whether an IPv6 address is IPv4-mapped (`::ffff:a.b.c.d`). */
export function isV4Mapped(a: InetAddress): boolean {
  return a.family === 6 && a.bytes.slice(0, 10).every((b) => b === 0) && a.bytes[10] === 0xff && a.bytes[11] === 0xff;
}

/** Whether an IPv6 address is the loopback `::1`. */
export function isV6Loopback(a: InetAddress): boolean {
  return a.family === 6 && a.bytes.slice(0, 15).every((b) => b === 0) && a.bytes[15] === 1;
}

/** The address in one canonical text: dotted quad for IPv4 and IPv4-mapped, else eight lower-case hex groups. */
export function addressKey(a: InetAddress): string {
  if (a.family === 4) return a.bytes.join('.');
  if (isV4Mapped(a)) return a.bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((a.bytes[i]! << 8) | a.bytes[i + 1]!).toString(16));
  return groups.join(':');
}

/** Canonical text of an address string, or null when glibc would not read it as an address. */
export function canonicalAddress(s: string): string | null {
  const a = parseInetAddress(s);
  return a ? addressKey(a) : null;
}

/** Whether two address strings name the same address (`2001:db8:0::10` = `2001:db8::10`, `::ffff:a.b.c.d` = `a.b.c.d`). */
export function sameAddress(a: string, b: string): boolean {
  const ka = canonicalAddress(a);
  return ka !== null && ka === canonicalAddress(b);
}
