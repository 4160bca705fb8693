import { isIPv4, isIPv6 } from 'node:net';

/** An RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
export function isHostName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.endsWith('.') ? name.slice(0, -1).split('.') : name.split('.');
  return labels.every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}

/** An IPv4 or IPv6 literal (no zone index, no leading zeros in IPv4). */
export function isIpAddress(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}

/** Name comparison as the resolver does it: case-insensitive, ignoring one trailing dot. */
export function sameHostName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}
