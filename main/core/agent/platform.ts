import { orUnknown } from '../statusValues.js';
import { promises as fs } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fail, DsaError, ExitCode } from '../errors.js';
import { msg, type Message } from '../message.js';
import { inspectSystem, type OsInfo } from '../platform/inspect.js';
import type { SystemContext } from '../system.js';
import { extractCorePackage } from './installerZip.js';
import { runConsole } from '../platform/consoleEncoding.js';

/** The platform string and architecture of an agent package (`RedHat_EL8`, `x86_64`). */
export interface AgentPlatform {
  platform: string;
  arch: string;
}

export type InstallerKind = 'rpm' | 'deb' | 'msi';

/** What an installer file says about itself. */
export interface InstallerMetadata {
  /** The file the user gave (a package or the portal's ZIP). */
  file: string;
  /** The package inside: the file itself, or the Core package extracted from the ZIP. */
  packageFile: string;
  /** The Core package's name inside the ZIP, when the file was a ZIP. */
  zipEntry?: string;
  kind: InstallerKind;
  /** Package name from its metadata (`ds_agent`, `ds-agent`, the MSI ProductName). */
  name: string | null;
  /** Version as the package database reports it after install (`20.0.0-2395`). */
  version: string | null;
  arch: string | null;
  platform: string | null;
  /** Where platform came from: the package's own metadata, or only its file name. */
  platformFrom: 'metadata' | 'fileName' | null;
  /** What the file name says (`Agent-Core-RedHat_EL8-20.0.0-2395.x86_64.rpm`). */
  fileName: { platform: string; version: string; build: string; arch: string } | null;
  /** rpm --checksig (or the MSI/deb equivalent when a tool exists). */
  signature: {
    checked: boolean;
    ok: boolean | null;
    /** What the checking tool printed (empty when no tool ran). */
    detail: string;
    /** Why it was not checked, as a translation key (when no tool could check it). */
    notCheckedKey?: string;
  };
  /** Temporary directory holding the extracted package; remove with disposeInstaller. */
  tempDir?: string;
}

const PLATFORM_TOKEN =
  /(RedHat_EL\d+|Oracle_OL\d+|amzn(?:1|2|2023)|SuSE_\d+|Ubuntu_\d{2}\.\d{2}|Debian_\d+|CloudLinux_\d+|Windows)/;

/** Normalises an architecture name (`amd64`, `x64` → `x86_64`; `arm64` → `aarch64`; `i686` → `i386`). */
export function normalizeArch(arch: string | null | undefined): string | null {
  if (!arch) return null;
  const a = arch.trim().toLowerCase();
  if (a === 'x86_64' || a === 'amd64' || a === 'x64') return 'x86_64';
  if (a === 'aarch64' || a === 'arm64') return 'aarch64';
  if (/^i[3-6]86$/.test(a) || a === 'x86' || a === 'ia32') return 'i386';
  if (a === 'noarch' || a === 'all') return 'noarch';
  return a;
}

/** The platform string of the agent package this OS needs, or null when the agent has none for it. */
export function expectedAgentPlatform(os: OsInfo, arch: string | null): AgentPlatform | null {
  const a = normalizeArch(arch);
  if (!a) return null;
  const major = os.major;
  let platform: string | null = null;
  switch (os.family) {
    case 'windows':
      platform = 'Windows';
      break;
    case 'amazon':
      platform = os.versionId === '2' ? 'amzn2' : os.versionId.startsWith('2023') ? 'amzn2023' : 'amzn1';
      break;
    case 'suse':
      // SLES 12 / 15 take SuSE_12 / SuSE_15; openSUSE Leap 15 is built from SLES 15 and Leap 42 from SLES 12.
      // Tumbleweed (VERSION_ID is a date) has no agent package.
      if (os.id === 'opensuse-tumbleweed' || (major !== null && major > 99)) platform = null;
      else if (os.id === 'opensuse-leap' && major === 42) platform = 'SuSE_12';
      else platform = major ? `SuSE_${major}` : null;
      break;
    case 'debian':
      if (os.id === 'ubuntu') platform = /^\d{2}\.04$/.test(os.versionId) ? `Ubuntu_${os.versionId}` : null;
      else if (os.id === 'debian') platform = major ? `Debian_${major}` : null;
      break;
    case 'rhel':
      if (!major || os.id === 'fedora') platform = null;
      else if (os.id === 'ol') platform = `Oracle_OL${major}`;
      else if (os.id === 'cloudlinux') platform = `CloudLinux_${major}`;
      else platform = `RedHat_EL${major}`;
      break;
    default:
      platform = null;
  }
  return platform ? { platform, arch: a } : null;
}

/** Reads `Agent-Core-<Platform>-<ver>-<build>.<arch>.<ext>` (or the ZIP's `Agent-<Platform>-…`); null if not that form. */
export function parseAgentFileName(
  name: string,
): { platform: string; version: string; build: string; arch: string; core: boolean } | null {
  const m = /^Agent-(Core-|PGPCore-)?(.+?)-(\d+(?:\.\d+)+)-(\d+)\.([A-Za-z0-9_]+)\.(rpm|deb|msi|zip)$/i.exec(
    basename(name),
  );
  if (!m) return null;
  return {
    platform: m[2]!,
    version: m[3]!,
    build: m[4]!,
    arch: normalizeArch(m[5]!) ?? m[5]!,
    core: (m[1] ?? '').toLowerCase() === 'core-',
  };
}

/** The file name of the package to download for a platform (same version as the one given, when known). */
export function suggestedPackageName(
  expected: AgentPlatform,
  version: { version: string; build: string } | null,
): string {
  const ext = expected.platform === 'Windows' ? 'msi' : /^(Ubuntu|Debian)_/.test(expected.platform) ? 'deb' : 'rpm';
  const v = version ? `${version.version}-${version.build}` : '<version>-<build>';
  return `Agent-Core-${expected.platform}-${v}.${expected.arch}.${ext}`;
}

/** Maps an rpm release tag (`2395.el8`, `.amzn2`, `.sles15`) to a platform string. */
function platformFromRelease(release: string): string | null {
  const m = /\.(el|ol|amzn|sles|suse|cloudlinux)(\d+)\b/i.exec(release);
  if (!m) return null;
  const n = m[2]!;
  switch (m[1]!.toLowerCase()) {
    case 'el':
      return `RedHat_EL${n}`;
    case 'ol':
      return `Oracle_OL${n}`;
    case 'amzn':
      return `amzn${n}`;
    case 'cloudlinux':
      return `CloudLinux_${n}`;
    default:
      return `SuSE_${n}`;
  }
}

function platformToken(...texts: (string | undefined)[]): string | null {
  for (const t of texts) {
    const m = t ? PLATFORM_TOKEN.exec(t) : null;
    if (m) return m[1]!;
  }
  return null;
}

function corrupt(file: string, detail: string): DsaError {
  return fail('agent.installer.corrupt', msg('agent.installer.corrupt', { file, detail: detail.trim().slice(-300) }), {
    remedy: msg('agent.installer.corruptRemedy'),
    exit: ExitCode.badInput,
  });
}

function kindOf(file: string): InstallerKind | 'zip' | null {
  const m = /\.(rpm|deb|msi|zip)$/i.exec(file);
  return m ? (m[1]!.toLowerCase() as InstallerKind | 'zip') : null;
}

/** Parses `rpm -qp --queryformat` output written by readInstallerMetadata (fields separated by `\x1f`). */
export function parseRpmQuery(out: string): {
  name: string;
  version: string;
  release: string;
  arch: string;
  summary: string;
  distribution: string;
} | null {
  const f = out.split('\x1f');
  if (f.length < 6 || !f[0]) return null;
  return { name: f[0]!, version: f[1]!, release: f[2]!, arch: f[3]!, summary: f[4]!, distribution: f[5]! };
}

/** Parses `msiinfo export FILE Property` (tab-separated rows) and `msiinfo suminfo FILE` output. */
export function parseMsiProperties(
  propertyTable: string,
  suminfo: string,
): {
  name: string | null;
  version: string | null;
  arch: string | null;
} {
  const props: Record<string, string> = {};
  for (const line of propertyTable.split(/\r?\n/)) {
    const [k, ...v] = line.split('\t');
    if (k && v.length) props[k] = v.join('\t');
  }
  const template = /^Template:\s*([^;\r\n]*)/m.exec(suminfo)?.[1]?.trim() ?? '';
  const arch = template === '' || template === 'Intel' ? 'i386' : normalizeArch(template);
  return { name: props.ProductName ?? null, version: props.ProductVersion ?? null, arch: suminfo ? arch : null };
}

async function checkRpmSignature(sys: SystemContext, file: string): Promise<InstallerMetadata['signature']> {
  const r = await sys.exec.runReal('rpm', ['--checksig', file], { timeoutMs: 60_000 });
  if (r.notFound)
    return { checked: false, ok: null, detail: '', notCheckedKey: 'agent.installer.signatureNotCheckedNoRpm' };
  const out = (r.stdout + r.stderr).trim().replace(/^.*?:\s*/, '');
  const signed = /signature|pgp|gpg|rsa/i.test(out);
  return {
    checked: signed,
    ok: r.exitCode === 0 && !/NOT OK|NOKEY|BAD/i.test(out) ? (signed ? true : null) : false,
    detail: out,
  };
}

/**
 * Reads an installer's own metadata before trusting its file name: `rpm -qp`, `dpkg-deb -f`, the MSI's
 * properties (msitools' `msiinfo`, when installed). A portal ZIP is opened and its Core package read.
 * Throws `agent.installer.corrupt` when the package cannot be read, exit 2 when the file is missing.
 */
export async function readInstallerMetadata(sys: SystemContext, file: string): Promise<InstallerMetadata> {
  const st = await fs.stat(file).catch(() => null);
  if (!st?.isFile())
    throw fail('agent.installer.missing', msg('agent.installer.missing', { file }), { exit: ExitCode.badInput });
  const kind0 = kindOf(file);
  if (!kind0)
    throw fail('agent.installer.unknownType', msg('agent.installer.unknownType', { file }), {
      exit: ExitCode.badInput,
    });
  let packageFile = file;
  let zipEntry: string | undefined;
  let tempDir: string | undefined;
  if (kind0 === 'zip') {
    tempDir = await mkdtemp(join(tmpdir(), 'dsa-installer-'));
    try {
      const extracted = await extractCorePackage(file, tempDir);
      packageFile = extracted.path;
      zipEntry = extracted.entry;
    } catch (e) {
      await rm(tempDir, { recursive: true, force: true });
      if (e instanceof DsaError) throw e;
      throw corrupt(file, (e as Error).message);
    }
  }
  const kind = kindOf(packageFile) as InstallerKind;
  const parsedName = parseAgentFileName(zipEntry ?? file);
  const fileName = parsedName
    ? { platform: parsedName.platform, version: parsedName.version, build: parsedName.build, arch: parsedName.arch }
    : null;
  const base = {
    file,
    packageFile,
    ...(zipEntry ? { zipEntry } : {}),
    ...(tempDir ? { tempDir } : {}),
    kind,
    fileName,
  };
  try {
    if (kind === 'rpm') {
      const r = await sys.exec.runReal(
        'rpm',
        [
          '-qp',
          '--nosignature',
          '--nodigest',
          '--queryformat',
          '%{NAME}\x1f%{VERSION}\x1f%{RELEASE}\x1f%{ARCH}\x1f%{SUMMARY}\x1f%{DISTRIBUTION}',
          packageFile,
        ],
        { timeoutMs: 60_000 },
      );
      const q = r.exitCode === 0 ? parseRpmQuery(r.stdout) : null;
      if (!q) throw corrupt(file, r.stderr || r.stdout || `rpm exit ${r.exitCode}`);
      const fromMeta = platformFromRelease(q.release) ?? platformToken(q.distribution, q.summary);
      return {
        ...base,
        name: q.name,
        version: `${q.version}-${q.release}`,
        arch: normalizeArch(q.arch),
        platform: fromMeta ?? fileName?.platform ?? null,
        platformFrom: fromMeta ? 'metadata' : fileName ? 'fileName' : null,
        signature: await checkRpmSignature(sys, packageFile),
      };
    }
    if (kind === 'deb') {
      const r = await sys.exec.runReal(
        'dpkg-deb',
        ['-f', packageFile, 'Package', 'Version', 'Architecture', 'Description'],
        {
          timeoutMs: 60_000,
        },
      );
      if (r.exitCode !== 0) throw corrupt(file, r.stderr || r.stdout || `dpkg-deb exit ${r.exitCode}`);
      const f: Record<string, string> = {};
      for (const m of r.stdout.matchAll(/^([A-Za-z-]+):\s*(.*)$/gm)) f[m[1]!] = m[2]!;
      if (!f.Package) throw corrupt(file, r.stdout);
      const fromMeta = platformToken(f.Description);
      return {
        ...base,
        name: f.Package,
        version: f.Version ?? null,
        arch: normalizeArch(f.Architecture),
        platform: fromMeta ?? fileName?.platform ?? null,
        platformFrom: fromMeta ? 'metadata' : fileName ? 'fileName' : null,
        signature: { checked: false, ok: null, detail: '', notCheckedKey: 'agent.installer.signatureNotCheckedDeb' },
      };
    }
    // MSI: msitools' msiinfo reads the Property table where it is installed; otherwise only the file name.
    const props = await sys.exec.runReal('msiinfo', ['export', packageFile, 'Property'], { timeoutMs: 30_000 });
    if (!props.notFound && props.exitCode !== 0) throw corrupt(file, props.stderr || props.stdout);
    const sum = props.notFound
      ? null
      : await sys.exec.runReal('msiinfo', ['suminfo', packageFile], { timeoutMs: 30_000 });
    const p = props.notFound ? null : parseMsiProperties(props.stdout, sum?.stdout ?? '');
    return {
      ...base,
      name: p?.name ?? null,
      version: p?.version ?? fileName?.version ?? null,
      arch: p?.arch ?? fileName?.arch ?? null,
      platform: 'Windows',
      platformFrom: p ? 'metadata' : 'fileName',
      signature: { checked: false, ok: null, detail: '', notCheckedKey: 'agent.installer.signatureNotCheckedMsi' },
    };
  } catch (e) {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw e;
  }
}

/** Removes the temporary copy readInstallerMetadata extracted from a ZIP. */
export async function disposeInstaller(meta: InstallerMetadata): Promise<void> {
  if (meta.tempDir) await rm(meta.tempDir, { recursive: true, force: true });
}

/** Installed package names of the agent: rpm `ds_agent`, deb `ds-agent`, MSI product "Trend Micro Deep Security Agent". */
export function isAgentPackageName(kind: InstallerKind, name: string | null): boolean {
  if (name === null) return kind === 'msi';
  if (kind === 'rpm') return name === 'ds_agent';
  if (kind === 'deb') return name === 'ds-agent';
  return /Deep Security Agent/i.test(name);
}

/** The processor architecture of a Windows target from the registry (`AMD64`, `ARM64`, `x86`); null elsewhere. */
export async function windowsArch(sys: SystemContext): Promise<string | null> {
  if (sys.os !== 'windows') return null;
  const r = await runConsole(
    sys,
    'reg',
    ['query', 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment', '/v', 'PROCESSOR_ARCHITECTURE'],
    { timeoutMs: 10_000 },
  );
  const v = /PROCESSOR_ARCHITECTURE\s+REG_SZ\s+(\S+)/i.exec(r.stdout)?.[1];
  return v ? normalizeArch(v) : null;
}

export interface InstallerMatch {
  ok: boolean;
  expected: AgentPlatform | null;
  actual: { platform: string | null; arch: string | null; name: string | null; version: string | null };
  /** Why it does not match (a message under `agent.installer`); its remedy is the key with `Remedy` appended. */
  reason?: Message;
  /** The package to download instead. */
  suggestedPackage?: string;
  metadata?: InstallerMetadata;
}

/**
 * Checks an installer against this system (os-release ID/VERSION_ID and `uname -m`, as `inspect` sees
 * them): right package, right platform, right architecture. A corrupt package is `ok: false` with
 * reason `agent.installer.corrupt`; a missing file throws (exit 2). `keep` leaves an extracted ZIP
 * member in place (metadata.tempDir) for the caller to install and dispose of.
 */
export async function checkInstallerMatch(
  sys: SystemContext,
  installerFile: string,
  opts: { keep?: boolean } = {},
): Promise<InstallerMatch> {
  const ins = await inspectSystem(sys);
  const arch = ins.arch ?? (await windowsArch(sys));
  const expected = expectedAgentPlatform(ins.os, arch);
  let meta: InstallerMetadata;
  try {
    meta = await readInstallerMetadata(sys, installerFile);
  } catch (e) {
    if (e instanceof DsaError && e.code === 'agent.installer.corrupt')
      return {
        ok: false,
        expected,
        actual: { platform: null, arch: null, name: null, version: null },
        reason: e.info.message,
        ...(expected ? { suggestedPackage: suggestedPackageName(expected, null) } : {}),
      };
    throw e;
  }
  const result = (extra: Partial<InstallerMatch>): InstallerMatch => {
    if (!opts.keep) void disposeInstaller(meta);
    return {
      ok: false,
      expected,
      actual: { platform: meta.platform, arch: meta.arch, name: meta.name, version: meta.version },
      metadata: meta,
      ...extra,
    };
  };
  const ver = meta.fileName ? { version: meta.fileName.version, build: meta.fileName.build } : null;
  const suggest = expected ? { suggestedPackage: suggestedPackageName(expected, ver) } : {};
  const file = basename(installerFile);
  if (!isAgentPackageName(meta.kind, meta.name))
    return result({ reason: msg('agent.installer.notAgent', { file, name: orUnknown(meta.name) }), ...suggest });
  if (!expected)
    return result({
      reason: msg(arch ? 'agent.installer.unsupportedOs' : 'agent.installer.unknownArch', {
        os: `${ins.os.name} (${ins.os.id} ${ins.os.versionId})`,
        arch: orUnknown(arch),
      }),
    });
  if (meta.platform !== expected.platform)
    return result({
      reason: msg('agent.installer.wrongPlatform', {
        file,
        actual: orUnknown(meta.platform),
        expected: expected.platform,
        os: ins.os.name,
      }),
      ...suggest,
    });
  if (meta.arch !== expected.arch && meta.arch !== 'noarch')
    return result({
      reason: msg('agent.installer.wrongArch', { file, actual: orUnknown(meta.arch), expected: expected.arch }),
      ...suggest,
    });
  return { ...result({}), ok: true };
}
