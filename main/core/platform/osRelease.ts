/** Parses `/etc/os-release` (KEY=value, values optionally quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!.trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))
      v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    out[m[1]!] = v;
  }
  return out;
}

/** Parses `/etc/redhat-release` ("CentOS release 6.10 (Final)", "Red Hat Enterprise Linux Server release 6.10 (Santiago)"). */
export function parseRedhatRelease(text: string): { id: string; versionId: string; name: string } | null {
  const m = /^(.*?)\s+release\s+(\d+(?:\.\d+)*)/i.exec(text.trim());
  if (!m) return null;
  const name = m[1]!.trim();
  const id = /centos/i.test(name)
    ? 'centos'
    : /red hat/i.test(name)
      ? 'rhel'
      : /oracle/i.test(name)
        ? 'ol'
        : /cloudlinux/i.test(name)
          ? 'cloudlinux'
          : /rocky/i.test(name)
            ? 'rocky'
            : /alma/i.test(name)
              ? 'almalinux'
              : /miracle/i.test(name)
                ? 'miraclelinux'
                : name.toLowerCase().split(/\s+/)[0]!;
  return { id, versionId: m[2]!, name: `${name} ${m[2]}` };
}

/** Parses `reg query "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"` output into value name → data. */
export function parseRegQuery(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m =
      /^\s{2,}(\S(?:.*?\S)?)\s{2,}(REG_[A-Z_]+)\s{2,}(.*)$/.exec(line) ??
      /^\s{2,}(\S(?:.*?\S)?)\s{2,}(REG_[A-Z_]+)\s*$/.exec(line);
    if (!m) continue;
    let v = (m[3] ?? '').trim();
    if (m[2] === 'REG_DWORD' && /^0x[0-9a-f]+$/i.test(v)) v = String(parseInt(v, 16));
    out[m[1]!] = v;
  }
  return out;
}
