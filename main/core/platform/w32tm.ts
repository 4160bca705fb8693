/**
 * Readers of `w32tm` outputs. Its labels (`NtpServer:`, `Type:`) are registry value names and stay English on
 * Japanese Windows; the source's suffix is translated (`NT5DS (ローカル)`, `(ポリシー)`), so it is cut by shape.
 */

/** What `w32tm /query /configuration` says w32time syncs from: the peer list and the client type. */
export interface W32tmConfiguration {
  /** `NtpServer` as written: one or more `host,0xN` separated by spaces (null: not shown). */
  peers: string | null;
  /** `NTP`, `NT5DS`, `AllSync`, `NoSync` (null: not shown). */
  type: string | null;
}

/** A value line `Label: value (Local)` without its origin suffix; null when the label is not there. */
function configValue(text: string, label: string): string | null {
  const m = new RegExp(`^\\s*${label}:[ \\t]*([^\\r\\n(]*?)[ \\t]*(?:\\(.*)?$`, 'm').exec(text);
  return m && m[1] ? m[1] : null;
}

/** Reads `NtpServer` (every peer, not the first) and `Type` from `w32tm /query /configuration`. */
export function parseW32tmConfiguration(text: string): W32tmConfiguration {
  return { peers: configValue(text, 'NtpServer'), type: configValue(text, 'Type') };
}

/** The `/syncfromflags` value that restores a client `Type` (null: a type we do not know how to restore). */
export function syncFromFlagsOf(type: string): string | null {
  const flags: Record<string, string> = { ntp: 'manual', nt5ds: 'domhier', allsync: 'all', nosync: 'no' };
  return flags[type.toLowerCase()] ?? null;
}

/**
 * The NTP server `w32tm /query /source` names, without its `,0xN` flags; null for a source that is no NTP server
 * ("Local CMOS Clock", "Free-running System Clock", Hyper-V's "VM IC Time Synchronization Provider") or any text
 * that is not one host name or address (an error, a translated message).
 */
export function parseW32tmSource(text: string): string | null {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length !== 1) return null;
  const host = lines[0]!.replace(/,0x[0-9a-f]+$/i, '');
  return /^(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[?[0-9A-Fa-f:.]+\]?)$/.test(host) ? host : null;
}
