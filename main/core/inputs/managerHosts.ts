import { z } from 'zod';
import { decodeTextFile } from './textFile.js';
import { issueAt, type ParseIssue, type ParseResult } from './issues.js';
import { isHostName, isIpAddress } from './names.js';

export const HostsEntrySchema = z.object({
  address: z.string().refine(isIpAddress, 'an IPv4 or IPv6 address'),
  names: z.array(z.string().refine(isHostName, 'a host name')).min(1),
  /** Line in the source file, for messages. */
  line: z.number().int().positive(),
});
export type HostsEntry = z.infer<typeof HostsEntrySchema>;

/**
 * Parses the manager hosts file (`VMSecurity_hosts_cln.txt`): `ADDRESS NAME [NAME…] [# comment]` lines,
 * comments, blank lines, BOM, CRLF, tabs, trailing spaces. Every bad line is an error; nothing is skipped.
 */
export function parseManagerHosts(file: string, data: Buffer): ParseResult<HostsEntry[]> {
  const decoded = decodeTextFile(file, data);
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
    const [addr, ...names] = fields;
    if (!addr) continue;
    if (!isIpAddress(addr.value)) {
      issues.push(issueAt(file, no, addr.col, 'inputs.hosts.badAddress', { value: addr.value }));
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
      const key = n.value.toLowerCase().replace(/\.$/, '');
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
    entries.push({ address: addr.value, names: names.map((n) => n.value), line: no });
  }
  if (issues.length) return { ok: false, issues };
  if (entries.length === 0) return { ok: false, issues: [issueAt(file, 0, 0, 'inputs.hosts.empty')] };
  return { ok: true, value: entries };
}
