import { promises as fs } from 'node:fs';
import { networkInterfaces, hostname as osHostname, arch as osArch, release as osKernelRelease } from 'node:os';
import { isIPv4 } from 'node:net';
import { readIfExists } from '../fsx.js';
import type { SystemContext } from '../system.js';
import { parseOsRelease, parseRedhatRelease, parseRegQuery } from './osRelease.js';
import { runConsole } from './consoleEncoding.js';

export type OsFamily = 'rhel' | 'debian' | 'suse' | 'amazon' | 'windows' | 'unknown';

export interface OsInfo {
  family: OsFamily;
  /** os-release ID (`rhel`, `rocky`, `ubuntu`, `sles`…) or `windows`. */
  id: string;
  versionId: string;
  /** Major version as a number (6, 7, 8, 9, 22, 15…); null when unknown. */
  major: number | null;
  name: string;
  /** Windows build number, e.g. "20348.2113". */
  build?: string;
  edition?: string;
}

export interface AddressInfo {
  iface: string;
  address: string;
  family: 'IPv4' | 'IPv6';
  scope: 'global' | 'private' | 'loopback' | 'link-local';
}

export interface AgentPackageInfo {
  installed: boolean | null;
  version?: string;
  /** How it was found: `rpm`, `dpkg`, `registry`, or why it could not be checked. */
  via: string;
}

export interface Inspection {
  root: string;
  live: boolean;
  os: OsInfo;
  kernel: string | null;
  arch: string | null;
  hostname: string | null;
  addresses: AddressInfo[] | null;
  agent: AgentPackageInfo;
  /** The four values the order form asks for. */
  orderForm: { hostname: string | null; globalIp: string | null; osType: string; osVersion: string };
}

const RHEL_LIKE = new Set(['rhel', 'centos', 'rocky', 'almalinux', 'ol', 'miraclelinux', 'cloudlinux', 'fedora']);

/** Classifies an os-release ID (and ID_LIKE) into the families the agent packages follow. */
export function osFamily(id: string, idLike = ''): OsFamily {
  if (id === 'windows') return 'windows';
  if (id === 'amzn') return 'amazon';
  if (RHEL_LIKE.has(id) || /\b(rhel|centos|fedora)\b/.test(idLike)) return 'rhel';
  if (id === 'ubuntu' || id === 'debian' || /\bdebian\b/.test(idLike)) return 'debian';
  if (id.startsWith('sles') || id.startsWith('opensuse') || /\bsuse\b/.test(idLike)) return 'suse';
  return 'unknown';
}

async function readText(sys: SystemContext, p: string): Promise<string | null> {
  const b = await readIfExists(sys.path(p));
  return b ? b.toString('utf8') : null;
}

/** Reads the OS of the target: os-release, else redhat-release (EL6), else the Windows registry. */
export async function detectOs(sys: SystemContext): Promise<OsInfo> {
  if (sys.os === 'windows') {
    const r = await runConsole(sys, 'reg', ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'], {
      timeoutMs: 10_000,
    });
    const v = parseRegQuery(r.stdout);
    const build = v.CurrentBuild ? (v.UBR ? `${v.CurrentBuild}.${v.UBR}` : v.CurrentBuild) : '';
    const name = v.ProductName ?? 'Windows';
    // "Windows Server 2012 R2 Standard" is 2012 R2, a release of its own (not 2012).
    const server = /Server (\d{4})(?: (R2)\b)?/.exec(name);
    const year = server?.[1];
    return {
      family: 'windows',
      id: 'windows',
      versionId: year ? (server[2] ? `${year} R2` : year) : (v.DisplayVersion ?? v.CurrentVersion ?? ''),
      major: year ? Number(year) : null,
      name,
      ...(build ? { build } : {}),
      ...(v.EditionID ? { edition: v.EditionID } : {}),
    };
  }
  const osr = (await readText(sys, '/etc/os-release')) ?? (await readText(sys, '/usr/lib/os-release'));
  if (osr) {
    const f = parseOsRelease(osr);
    const id = (f.ID ?? 'unknown').toLowerCase();
    const versionId = f.VERSION_ID ?? '';
    return {
      family: osFamily(id, (f.ID_LIKE ?? '').toLowerCase()),
      id,
      versionId,
      major: versionId ? Number.parseInt(versionId, 10) || null : null,
      name: f.PRETTY_NAME ?? `${f.NAME ?? id} ${versionId}`.trim(),
    };
  }
  const rh = await readText(sys, '/etc/redhat-release');
  if (rh) {
    const p = parseRedhatRelease(rh);
    if (p)
      return {
        family: 'rhel',
        id: p.id,
        versionId: p.versionId,
        major: Number.parseInt(p.versionId, 10),
        name: p.name,
      };
  }
  return { family: 'unknown', id: 'unknown', versionId: '', major: null, name: 'unknown' };
}

/** A fact of the running kernel: from the root's /proc when it has one, else (live) from this process. */
async function procValue(sys: SystemContext, file: string, live: () => string): Promise<string | null> {
  const v = await readText(sys, `/proc/sys/kernel/${file}`);
  if (v !== null) return v.trim();
  return sys.live ? live() : null;
}

const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i386' };

function scopeOf(address: string, internal: boolean): AddressInfo['scope'] {
  if (internal) return 'loopback';
  if (isIPv4(address)) {
    if (/^169\.254\./.test(address)) return 'link-local';
    if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(address))
      return 'private';
    return 'global';
  }
  if (/^fe80:/i.test(address)) return 'link-local';
  if (/^f[cd]/i.test(address)) return 'private';
  return 'global';
}

/**
 * Whether `reg query … /f` finished its search with no match: its last line counts 0 in any language
 * ("End of search: 0 match(es) found.", "Поиск завершен: найдено совпадений: 0.").
 */
export function noSearchMatch(text: string): boolean {
  const last =
    text
      .split(/\r?\n/)
      .filter((l) => l.trim())
      .pop() ?? '';
  return /^\D*:\D*(?<!\d)0(?!\d)\D*$/.test(last);
}

/** Whether the agent package is installed: rpm `ds_agent`, deb `ds-agent`, or the Windows uninstall entry. */
export async function detectAgentPackage(sys: SystemContext): Promise<AgentPackageInfo> {
  if (sys.os === 'windows') {
    const r = await runConsole(
      sys,
      'reg',
      [
        'query',
        'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
        '/s',
        '/f',
        'Deep Security Agent',
        '/d',
      ],
      { timeoutMs: 15_000 },
    );
    if (r.notFound) return { installed: null, via: 'registry-unavailable' };
    const installed = /Deep Security Agent/i.test(r.stdout);
    // "Not installed" only when reg finished its search and counted no match; a refusal, a timeout or a cut
    // output is "cannot tell" (an install over an agent it did not see would be undone by uninstalling it).
    if (!installed && !(r.exitCode !== null && !r.timedOut && noSearchMatch(r.stdout)))
      return { installed: null, via: 'registry-unreadable' };
    // `/f … /d` prints only the matching DisplayName under its key: the version is asked of that key.
    const key = /^(HKEY_[^\r\n]*?)\s*\r?\n\s+DisplayName\s+REG_SZ\s+[^\r\n]*Deep Security Agent/im.exec(r.stdout)?.[1];
    let v = /DisplayVersion\s+REG_SZ\s+(\S+)/.exec(r.stdout)?.[1];
    if (installed && !v && key) {
      const q = await runConsole(sys, 'reg', ['query', key, '/v', 'DisplayVersion'], { timeoutMs: 15_000 });
      v = q.exitCode === 0 ? parseRegQuery(q.stdout).DisplayVersion : undefined;
    }
    return { installed, ...(v ? { version: v } : {}), via: 'registry' };
  }
  const dpkgStatus = sys.path('/var/lib/dpkg/status');
  let dpkg: boolean | undefined;
  const dbpath = await rpmDbPath(sys);
  if (dbpath) {
    const r = await sys.exec.runReal(
      'rpm',
      [...rpmRootArgs(sys, dbpath), '-q', '--queryformat', '%{VERSION}-%{RELEASE}', 'ds_agent'],
      {
        timeoutMs: 15_000,
      },
    );
    if (!r.notFound && r.exitCode === 0) return { installed: true, version: r.stdout.trim(), via: 'rpm' };
    // A Debian or Ubuntu machine can have rpm installed too (an empty /var/lib/rpm): there dpkg's answer counts.
    dpkg = await exists(dpkgStatus);
    if (!r.notFound && !dpkg) return { installed: false, via: 'rpm' };
  }
  if (dpkg ?? (await exists(dpkgStatus))) {
    const r = await sys.exec.runReal(
      'dpkg-query',
      [`--admindir=${sys.path('/var/lib/dpkg')}`, '-W', '-f', '${Status}|${Version}', 'ds-agent'],
      { timeoutMs: 15_000 },
    );
    if (!r.notFound) {
      const [status, version] = r.stdout.split('|');
      const installed = r.exitCode === 0 && /install ok installed/.test(status ?? '');
      return installed
        ? { installed, version: (version ?? '').trim(), via: 'dpkg' }
        : { installed: false, via: 'dpkg' };
    }
  }
  return { installed: null, via: 'no-package-database' };
}

/** The target's rpm database directory (`/var/lib/rpm`, or `/usr/lib/sysimage/rpm` on newer systems), if any. */
export async function rpmDbPath(sys: SystemContext): Promise<string | null> {
  for (const p of ['/var/lib/rpm', '/usr/lib/sysimage/rpm']) if (await exists(sys.path(p))) return p;
  return null;
}

/** rpm's options to work on the target: `--root` for a sandbox, and always the target's own `--dbpath`. */
export function rpmRootArgs(sys: SystemContext, dbpath: string): string[] {
  return [...(sys.live ? [] : ['--root', sys.root]), '--dbpath', dbpath];
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** Everything `inspect` shows: OS, kernel, arch, host name, addresses, whether the agent is installed. */
export async function inspectSystem(sys: SystemContext): Promise<Inspection> {
  const [os, agent] = await Promise.all([detectOs(sys), detectAgentPackage(sys)]);
  let kernel: string | null;
  let arch: string | null;
  let hostname: string | null;
  if (sys.os === 'windows') {
    kernel = os.build ?? (sys.live ? osKernelRelease() : null);
    arch = sys.live ? (ARCH[osArch()] ?? osArch()) : null;
    hostname = sys.live ? (sys.env.COMPUTERNAME ?? osHostname()) : null;
  } else {
    kernel = await procValue(sys, 'osrelease', osKernelRelease);
    arch = await procValue(sys, 'arch', () => ARCH[osArch()] ?? osArch());
    hostname = (await procValue(sys, 'hostname', osHostname)) ?? (await readText(sys, '/etc/hostname'))?.trim() ?? null;
  }
  let addresses: AddressInfo[] | null = null;
  if (sys.live) {
    addresses = [];
    for (const [iface, list] of Object.entries(networkInterfaces())) {
      for (const a of list ?? []) {
        addresses.push({
          iface,
          address: a.address,
          family: a.family === 'IPv4' ? 'IPv4' : 'IPv6',
          scope: scopeOf(a.address, a.internal),
        });
      }
    }
  }
  const globalIp =
    addresses?.find((a) => a.scope === 'global' && a.family === 'IPv4')?.address ??
    addresses?.find((a) => a.scope === 'global')?.address ??
    null;
  return {
    root: sys.root,
    live: sys.live,
    os,
    kernel,
    arch,
    hostname,
    addresses,
    agent,
    orderForm: {
      hostname,
      globalIp,
      osType: os.family === 'windows' ? 'Windows' : 'Linux',
      osVersion:
        sys.os === 'windows' ? `${os.name}${os.build ? ` (${os.build})` : ''}` : `${os.name} / ${kernel ?? '?'}`,
    },
  };
}
