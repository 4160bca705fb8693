import { z } from 'zod';
import { decodeTextFile, lookalikeIssue } from './textFile.js';
import { MAX_TEXT_INPUT_BYTES } from './readFile.js';
import { issueAt, type ParseIssue, type ParseResult } from './issues.js';
import { isHostName } from './names.js';
import { canonicalAddress } from '../hosts/inetAddress.js';
import { asciiLower } from '../hosts/hostsResolver.js';

/** An address the resolver reads (glibc's inet_pton: no zone id, no leading zeros). */
const isResolverAddress = (s: string): boolean => canonicalAddress(s) !== null;

export const HostsEntrySchema = z.object({
  address: z.string().refine(isResolverAddress, 'an IPv4 or IPv6 address'),
  /** Host names without a trailing dot (the resolver compares names exactly: `name.` is not `name`). */
  names: z.array(z.string().refine((n) => isHostName(n) && !n.endsWith('.'), 'a host name')).min(1),
  /** Line in the source file, for messages. */
  line: z.number().int().positive(),
});
export type HostsEntry = z.infer<typeof HostsEntrySchema>;

/**
 * Parses the manager hosts file (`VMSecurity_hosts_cln.txt`): `ADDRESS NAME [NAME…] [# comment]` lines,
 * comments, blank lines, BOM, CRLF, tabs, trailing spaces. Every bad line is an error; nothing is skipped.
 * A name's trailing dot (`dsm.example.jp.`) is dropped: the hosts file maps the name as programs ask for it.
 * An IPv6 zone id (`fe80::1%eth0`) is an error: the resolver ignores a hosts line that has one.
 */
export function parseManagerHosts(file: string, data: Buffer): ParseResult<HostsEntry[]> {
  const decoded = decodeTextFile(file, data, MAX_TEXT_INPUT_BYTES);
  if (!decoded.ok) return decoded;
  const issues: ParseIssue[] = [];
  const entries: HostsEntry[] = [];
  const seen = new Map<string, { address: string; line: number }>();
  for (const { no, text } of decoded.value) {
    const hash = text.indexOf('#');
    const body = hash >= 0 ? text.slice(0, hash) : text;
    if (body.trim() === '') continue;
    const fields: { value: string; col: number }[] = [];
    for (const m of body.matchAll(/[^ \t\u3000]+/g)) fields.push({ value: m[0], col: (m.index ?? 0) + 1 });
    const wide = body.indexOf('\u3000');
    if (wide >= 0) {
      issues.push(issueAt(file, no, wide + 1, 'inputs.hosts.wideSpace'));
      continue;
    }
    const look = lookalikeIssue(file, no, body);
    if (look) {
      issues.push(look);
      continue;
    }
    const [addr, ...names] = fields;
    if (!addr) continue;
    if (addr.value.includes('%') && canonicalAddress(addr.value.slice(0, addr.value.indexOf('%')))) {
      issues.push(issueAt(file, no, addr.col + addr.value.indexOf('%'), 'inputs.hosts.zoneId', { value: addr.value }));
      continue;
    }
    if (!isResolverAddress(addr.value)) {
      // `dsm.example.jp 203.0.113.10`: the order of another tool's list, not of a hosts file.
      const swapped = isHostName(addr.value) && names.find((n) => isResolverAddress(n.value));
      issues.push(
        swapped
          ? issueAt(file, no, addr.col, 'inputs.hosts.swapped', { name: addr.value, address: swapped.value })
          : issueAt(file, no, addr.col, 'inputs.hosts.badAddress', { value: addr.value }),
      );
      continue;
    }
    if (names.length === 0) {
      issues.push(issueAt(file, no, addr.col + addr.value.length, 'inputs.hosts.noName', { address: addr.value }));
      continue;
    }
    const bad = names.find((n) => !isHostName(n.value));
    if (bad) {
      issues.push(issueAt(file, no, bad.col, 'inputs.hosts.badName', { value: bad.value }));
      continue;
    }
    for (const n of names) {
      const key = asciiLower(n.value.replace(/\.$/, ''));
      const prev = seen.get(key);
      if (prev && prev.address !== addr.value) {
        issues.push(
          issueAt(file, no, n.col, 'inputs.hosts.conflict', {
            name: n.value,
            address: addr.value,
            other: prev.address,
            otherLine: prev.line,
          }),
        );
      } else if (!prev) seen.set(key, { address: addr.value, line: no });
    }
    const written = [...new Set(names.map((n) => n.value.replace(/\.$/, '')))];
    entries.push({ address: addr.value, names: written, line: no });
  }
  if (issues.length) return { ok: false, issues };
  if (entries.length === 0) return { ok: false, issues: [issueAt(file, 0, 0, 'inputs.hosts.empty')] };
  return { ok: true, value: entries };
}
