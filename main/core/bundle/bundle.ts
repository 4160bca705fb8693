import { promises as fs, createWriteStream, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import yazl from 'yazl';
import pkg from '../../../package.json' with { type: 'json' };
import type { Translate } from '../i18n.js';
import { sha256 } from '../fsx.js';
import { hostsFilePath, type SystemContext } from '../system.js';
import { systemReport } from '../prep/inspectPrep.js';
import { listRuns, runsDir } from '../engine/journal.js';
import type { DoctorInputs, DoctorResult } from '../doctor/types.js';
import { agentConfigPaths, agentLogPaths } from '../doctor/agentFiles.js';
import { agentToolPath } from '../agent/agentTools.js';
import { readTail } from '../doctor/checks/agentLog.js';
import { renderHtml } from '../report/render.js';
import { redactWithReport, type KnownSecret, type MaskCount } from './redact.js';

/** Caps that keep a bundle small enough to mail. */
export const BUNDLE_LIMITS = {
  /** Bytes kept from the end of each agent log. */
  logTailBytes: 1024 * 1024,
  /** Largest configuration / journal file taken whole (bigger ones are tailed). */
  fileBytes: 256 * 1024,
  /** Largest agent diagnostic package taken. */
  diagnosticBytes: 64 * 1024 * 1024,
} as const;

export interface ManifestFile {
  /** Path inside the archive. */
  path: string;
  /** Where it came from (a path of the target system, or what produced it). */
  source: string;
  bytes: number;
  sha256: string;
  truncated: boolean;
  /** How it was masked: `text` (scanned and masked) or `opaque` (a binary package the agent made, not scanned). */
  redaction: 'text' | 'opaque';
}

export interface Manifest {
  tool: string;
  createdAt: string;
  format: 'tar.gz' | 'zip';
  files: ManifestFile[];
  /** Every masked field: which file, what kind, how many times. */
  masked: ({ file: string } & MaskCount)[];
  /** What was looked for and not included, and why. */
  omitted: { source: string; reason: string }[];
}

interface Entry {
  path: string;
  data: Buffer;
  source: string;
  truncated: boolean;
  opaque?: boolean;
}

/** The secrets to mask: the activation token and tenant ID (from the inputs) with their kind. */
function knownSecrets(inputs: DoctorInputs): KnownSecret[] {
  return (inputs.secretFields ?? []).concat(
    (inputs.secrets ?? [])
      .filter((v) => !(inputs.secretFields ?? []).some((f) => f.value === v))
      .map((value) => ({ value, kind: 'secret' })),
  );
}

async function fileEntry(
  sys: SystemContext,
  systemPath: string,
  archivePath: string,
  max: number,
): Promise<Entry | null> {
  const real = sys.path(systemPath);
  const tail = await readTail(real, max);
  if (!tail) return null;
  return { path: archivePath, data: Buffer.from(tail.text, 'utf8'), source: systemPath, truncated: tail.truncated };
}

/** Asks the agent for its own diagnostic package (`dsa_control -d`) and returns the file it names, if any. */
async function agentDiagnostic(sys: SystemContext, omitted: Manifest['omitted']): Promise<Entry | null> {
  const tool = agentToolPath(sys, 'dsa_control');
  if (sys.live && !(await fs.stat(tool).catch(() => null))) {
    omitted.push({ source: `${tool} -d`, reason: 'not installed' });
    return null;
  }
  const r = await sys.exec.run(tool, ['-d'], { timeoutMs: 180_000 });
  if (r.notFound || r.timedOut || r.exitCode !== 0) {
    omitted.push({ source: `${tool} -d`, reason: r.timedOut ? 'timed out' : `exit ${r.exitCode ?? '?'}` });
    return null;
  }
  const named = /([A-Za-z]:\\[^\r\n"]+?\.zip|\/[^\s"']+?\.zip)/.exec(r.stdout + '\n' + r.stderr)?.[1];
  if (!named) {
    omitted.push({ source: `${tool} -d`, reason: 'no package path in its output' });
    return null;
  }
  const real = sys.live ? named : sys.path(named);
  const st = await fs.stat(real).catch(() => null);
  if (!st) {
    omitted.push({ source: named, reason: 'missing' });
    return null;
  }
  if (st.size > BUNDLE_LIMITS.diagnosticBytes) {
    omitted.push({ source: named, reason: `larger than ${BUNDLE_LIMITS.diagnosticBytes} bytes` });
    return null;
  }
  return {
    path: `agent/diagnostic/${basename(named.replace(/\\/g, '/'))}`,
    data: await fs.readFile(real),
    source: named,
    truncated: false,
    opaque: true,
  };
}

/** Collects the bundle's files (unmasked): doctor.json, report.html, inspect.json, hosts, agent files, journal. */
async function collect(
  sys: SystemContext,
  result: DoctorResult,
  t: Translate,
  omitted: Manifest['omitted'],
): Promise<Entry[]> {
  const entries: Entry[] = [];
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v, null, 2) + '\n', 'utf8');
  entries.push({ path: 'doctor.json', data: json(result), source: 'dsa-setup doctor', truncated: false });
  entries.push({
    path: 'report.html',
    data: Buffer.from(renderHtml(t, result, result.lang), 'utf8'),
    source: 'dsa-setup report',
    truncated: false,
  });
  entries.push({
    path: 'inspect.json',
    data: json(await systemReport(sys)),
    source: 'dsa-setup inspect',
    truncated: false,
  });
  const hosts = hostsFilePath(sys);
  const hostsData = await fs.readFile(hosts).catch(() => null);
  if (hostsData)
    entries.push({
      path: 'system/hosts',
      data: hostsData.subarray(0, BUNDLE_LIMITS.fileBytes),
      source: hosts,
      truncated: hostsData.length > BUNDLE_LIMITS.fileBytes,
    });
  else omitted.push({ source: hosts, reason: 'missing' });
  for (const p of agentLogPaths(sys)) {
    const e = await fileEntry(sys, p, `agent/logs/${basename(p.replace(/\\/g, '/'))}`, BUNDLE_LIMITS.logTailBytes);
    if (e) entries.push(e);
  }
  for (const p of agentConfigPaths(sys)) {
    const e = await fileEntry(sys, p, `agent/config/${basename(p.replace(/\\/g, '/'))}`, BUNDLE_LIMITS.fileBytes);
    if (e) entries.push(e);
  }
  const diag = await agentDiagnostic(sys, omitted);
  if (diag) entries.push(diag);
  const runs = listRuns(sys);
  const last = runs[runs.length - 1];
  if (last) {
    const logs = existsSync(join(runsDir(sys), last, 'logs'))
      ? readdirSync(join(runsDir(sys), last, 'logs')).map((f) => `logs/${f}`)
      : [];
    for (const name of ['events.jsonl', 'plan.json', ...logs]) {
      const tail = await readTail(join(runsDir(sys), last, name), BUNDLE_LIMITS.fileBytes);
      if (tail)
        entries.push({
          path: `journal/${last}/${name}`,
          data: Buffer.from(tail.text, 'utf8'),
          source: join(runsDir(sys), last, name),
          truncated: tail.truncated,
        });
    }
    omitted.push({ source: join(runsDir(sys), last, 'backups'), reason: 'file backups are not shared' });
  } else omitted.push({ source: runsDir(sys), reason: 'no apply run' });
  return entries;
}

async function writeTarGz(stage: string, names: string[], out: string): Promise<void> {
  await tar.c({ gzip: true, cwd: stage, file: out, portable: true, noMtime: false }, names);
}

async function writeZip(stage: string, names: string[], out: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const n of names) zip.addFile(join(stage, n), n);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(out, { mode: 0o600 }));
}

/**
 * Writes the support bundle: every file masked (tokens, tenant IDs, passwords), sizes bounded, a MANIFEST.json
 * listing each file and each masked field; `.zip` when the name ends so (the Windows default), else `.tar.gz`.
 * Written to a temporary file next to the target and renamed over it, so a reader never sees half a bundle.
 */
export async function writeSupportBundle(
  sys: SystemContext,
  file: string,
  opts: { result: DoctorResult; inputs: DoctorInputs; t: Translate },
): Promise<Manifest> {
  const format: Manifest['format'] =
    /\.zip$/i.test(file) || (!/\.t(ar\.)?gz$/i.test(file) && sys.os === 'windows') ? 'zip' : 'tar.gz';
  const omitted: Manifest['omitted'] = [];
  const known = knownSecrets(opts.inputs);
  const raw = await collect(sys, opts.result, opts.t, omitted);
  const manifest: Manifest = {
    tool: `dsa-setup ${pkg.version}`,
    createdAt: new Date().toISOString(),
    format,
    files: [],
    masked: [],
    omitted,
  };
  const stage = await mkdtemp(join(tmpdir(), 'dsa-bundle-'));
  try {
    for (const e of raw) {
      let data = e.data;
      if (!e.opaque) {
        const r = redactWithReport(e.data.toString('utf8'), known);
        data = Buffer.from(r.text, 'utf8');
        for (const m of r.masked) manifest.masked.push({ file: e.path, ...m });
      }
      await fs.mkdir(dirname(join(stage, e.path)), { recursive: true, mode: 0o700 });
      await fs.writeFile(join(stage, e.path), data, { mode: 0o600 });
      manifest.files.push({
        path: e.path,
        source: redactWithReport(e.source, known).text,
        bytes: data.length,
        sha256: sha256(data),
        truncated: e.truncated,
        redaction: e.opaque ? 'opaque' : 'text',
      });
    }
    await fs.writeFile(join(stage, 'MANIFEST.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    const names = ['MANIFEST.json', ...manifest.files.map((f) => f.path)];
    const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      if (format === 'zip') await writeZip(stage, names, tmp);
      else await writeTarGz(stage, names, tmp);
      const fh = await fs.open(tmp, 'r+');
      await fh.sync();
      await fh.close();
      await fs.chmod(tmp, 0o600);
      await fs.rename(tmp, file);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  return manifest;
}

/** What the admin sees before sending the bundle: files, sizes, masked fields, what was left out. */
export function manifestSummary(t: Translate, file: string, m: Manifest): string {
  const total = m.files.reduce((a, f) => a + f.bytes, 0);
  const lines = [t('report.bundle.header', { file, n: m.files.length + 1, kib: (total / 1024).toFixed(1) })];
  for (const f of m.files)
    lines.push(
      `  ${f.path}  ${(f.bytes / 1024).toFixed(1)} KiB${f.truncated ? `  ${t('report.bundle.truncated')}` : ''}${f.redaction === 'opaque' ? `  ${t('report.bundle.opaque')}` : ''}`,
    );
  lines.push(
    m.masked.length
      ? t('report.bundle.masked', { list: m.masked.map((x) => `${x.file} (${x.kind} ×${x.count})`).join(', ') })
      : t('report.bundle.maskedNone'),
  );
  for (const o of m.omitted) lines.push(`  ${t('report.bundle.omitted', { source: o.source, reason: o.reason })}`);
  return lines.join('\n');
}
