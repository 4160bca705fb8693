import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable, type Readable } from 'node:stream';
import * as tar from 'tar';
import yazl from 'yazl';
import pkg from '../../../package.json' with { type: 'json' };
import type { Translate } from '../i18n.js';
import { sha256 } from '../fsx.js';
import { hostsFilePath, type SystemContext } from '../system.js';
import { systemReport } from '../prep/inspectPrep.js';
import { listRuns, runsDir } from '../engine/journal.js';
import type { DoctorInputs, DoctorResult } from '../doctor/types.js';
import {
  agentConfigPaths,
  agentLogPaths,
  readNoFollow,
  readTextTail,
  systemPathOf,
  type FileSkip,
} from '../doctor/agentFiles.js';
import { agentToolPath } from '../agent/agentTools.js';
import { renderHtml, renderMarkdown } from '../report/render.js';
import { Redactor, processSecrets, type SecretKind } from '../secrets.js';
import type { TextEncoding } from '../textDecode.js';
import { bundleReaders, writeAtomically } from './target.js';
import type { Message } from '../message.js';

export { checkBundleTarget } from './target.js';

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
  /** NUL bytes (a sparse or pre-allocated log) left out of the copy. */
  nulBytes?: number;
  /** The encoding of the original when it was not UTF-8 (the copy is UTF-8, so that it could be masked). */
  encoding?: Exclude<TextEncoding, 'utf-8'>;
  /** How it was masked: `text` (scanned and masked) or `opaque` (a binary package the agent made, not scanned). */
  redaction: 'text' | 'opaque';
}

/** Why something looked for is not in the bundle. */
export type OmitReason =
  'link' | 'permission' | 'notFile' | 'tooLarge' | 'outside' | 'missing' | 'noRun' | 'backups' | 'failed';

export interface ManifestOmission {
  source: string;
  reason: OmitReason;
  /** The same in words: `skipped: link to /etc/shadow`, `left out: permission denied` … */
  note: string;
  /** Where a link points. */
  target?: string;
  /** What failed (the agent's diagnostic package). */
  detail?: string;
}

export interface Manifest {
  tool: string;
  createdAt: string;
  format: 'tar.gz' | 'zip';
  files: ManifestFile[];
  /** Every masking: which file, which line (of the copy in the bundle), what kind. */
  masked: { file: string; line: number; kind: SecretKind }[];
  /** What was looked for and not included, and why. */
  omitted: ManifestOmission[];
}

interface Entry {
  path: string;
  data: Buffer;
  source: string;
  truncated: boolean;
  nulBytes?: number;
  encoding?: TextEncoding;
  opaque?: boolean;
}

const NOTES: Record<OmitReason, (o: { target?: string; detail?: string }) => string> = {
  link: (o) => `skipped: link to ${o.target ?? '?'}`,
  permission: () => 'left out: permission denied',
  notFile: () => 'skipped: not a regular file',
  tooLarge: () => `left out: larger than ${BUNDLE_LIMITS.diagnosticBytes} bytes`,
  outside: () => "skipped: outside the agent's folders",
  missing: () => 'missing',
  noRun: () => 'no apply run',
  backups: () => 'file backups are not shared',
  failed: (o) => `the agent could not make it (${o.detail ?? ''})`,
};

class Collector {
  readonly entries: Entry[] = [];
  readonly omitted: ManifestOmission[] = [];

  constructor(private readonly sys: SystemContext) {}

  omit(source: string, reason: OmitReason, extra: { target?: string; detail?: string } = {}): void {
    if (this.omitted.some((o) => o.source === source && o.reason === reason)) return;
    this.omitted.push({
      source,
      reason,
      note: NOTES[reason](extra),
      ...(extra.target ? { target: extra.target } : {}),
      ...(extra.detail ? { detail: extra.detail } : {}),
    });
  }

  skipped(skip: FileSkip, quietWhenMissing: boolean): void {
    if (skip.reason === 'missing' && quietWhenMissing) return;
    const reason: OmitReason =
      skip.reason === 'not-a-file'
        ? 'notFile'
        : skip.reason === 'too-large'
          ? 'tooLarge'
          : skip.reason === 'unreadable'
            ? 'failed'
            : skip.reason;
    this.omit(systemPathOf(this.sys, skip.at), reason, {
      ...(skip.target ? { target: skip.target } : {}),
      ...(skip.code ? { detail: skip.code } : {}),
    });
  }

  /** Adds the tail of a text file of the target system, read without following links. */
  async text(real: string, archivePath: string, max: number, quietWhenMissing = true): Promise<void> {
    const r = await readTextTail(this.sys.root, real, max);
    if (!r.ok) return this.skipped(r, quietWhenMissing);
    this.entries.push({
      path: archivePath,
      data: Buffer.from(r.text, 'utf8'),
      source: systemPathOf(this.sys, real),
      truncated: r.truncated,
      ...(r.nulBytes ? { nulBytes: r.nulBytes } : {}),
      encoding: r.encoding,
    });
  }

  generated(path: string, source: string, data: string | Buffer): void {
    this.entries.push({
      path,
      source,
      data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'),
      truncated: false,
    });
  }
}

/** The folders the agent writes to: only files under them are collected. */
function agentFolders(sys: SystemContext): string[] {
  return sys.os === 'windows'
    ? ['C:\\ProgramData\\Trend Micro\\Deep Security Agent\\']
    : ['/var/opt/ds_agent/', '/var/log/ds_agent/', '/opt/ds_agent/'];
}

/** Asks the agent for its own diagnostic package (`dsa_control -d`) and adds the file it names, if any. */
async function agentDiagnostic(sys: SystemContext, c: Collector): Promise<void> {
  const tool = agentToolPath(sys, 'dsa_control');
  if (sys.live && !(await fs.stat(tool).catch(() => null))) return c.omit(`${tool} -d`, 'missing');
  const r = await sys.exec.run(tool, ['-d'], { timeoutMs: 180_000 }).catch((e: Error) => e);
  if (r instanceof Error) return c.omit(`${tool} -d`, 'failed', { detail: r.message });
  if (r.notFound || r.timedOut || r.exitCode !== 0)
    return c.omit(`${tool} -d`, 'failed', { detail: r.timedOut ? 'timed out' : `exit ${r.exitCode ?? '?'}` });
  const named = /([A-Za-z]:\\[^\r\n"]+?\.zip|\/[^\s"']+?\.zip)/.exec(r.stdout + '\n' + r.stderr)?.[1];
  if (!named) return c.omit(`${tool} -d`, 'failed', { detail: 'no package path in its output' });
  const norm = (p: string): string => p.replace(/\\/g, '/').toLowerCase();
  if (named.includes('..') || !agentFolders(sys).some((f) => norm(named).startsWith(norm(f))))
    return c.omit(named, 'outside');
  const file = await readNoFollow(sys.root, sys.path(named), BUNDLE_LIMITS.diagnosticBytes, { whole: true });
  if (!file.ok) return c.skipped(file, false);
  c.entries.push({
    path: `agent/diagnostic/${basename(named.replace(/\\/g, '/'))}`,
    data: file.data,
    source: named,
    truncated: false,
    opaque: true,
  });
}

/** Collects the bundle's files (unmasked): doctor.json, the report, inspect.json, hosts, agent files, journal. */
async function collect(sys: SystemContext, result: DoctorResult, t: Translate): Promise<Collector> {
  const c = new Collector(sys);
  const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';
  c.generated('doctor.json', 'dsa-setup doctor', json(result));
  c.generated('report.html', 'dsa-setup report', renderHtml(t, result, result.lang));
  c.generated('report.md', 'dsa-setup report --format md', renderMarkdown(t, result));
  c.generated('inspect.json', 'dsa-setup inspect', json(await systemReport(sys)));
  await c.text(hostsFilePath(sys), 'system/hosts', BUNDLE_LIMITS.fileBytes, false);
  const name = (p: string): string => basename(p.replace(/\\/g, '/'));
  for (const p of agentLogPaths(sys)) await c.text(sys.path(p), `agent/logs/${name(p)}`, BUNDLE_LIMITS.logTailBytes);
  for (const p of agentConfigPaths(sys)) await c.text(sys.path(p), `agent/config/${name(p)}`, BUNDLE_LIMITS.fileBytes);
  await agentDiagnostic(sys, c);
  let last: string | undefined;
  try {
    last = listRuns(sys).at(-1);
  } catch {
    return (c.omit(systemPathOf(sys, runsDir(sys)), 'permission'), c);
  }
  if (!last) return (c.omit(systemPathOf(sys, runsDir(sys)), 'noRun'), c);
  const dir = join(runsDir(sys), last);
  const logs = await fs.readdir(join(dir, 'logs')).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EACCES' || e.code === 'EPERM') c.omit(systemPathOf(sys, join(dir, 'logs')), 'permission');
    return [] as string[];
  });
  for (const n of ['events.jsonl', 'plan.json', ...logs.map((f) => `logs/${f}`)])
    await c.text(join(dir, n), `journal/${last}/${n}`, BUNDLE_LIMITS.fileBytes, n !== 'events.jsonl');
  c.omit(systemPathOf(sys, join(dir, 'backups')), 'backups');
  return c;
}

/** The secrets to mask on top of the process's: those of the doctor's inputs, with their kind. */
function inputSecrets(inputs: DoctorInputs): Redactor {
  const r = new Redactor();
  for (const f of inputs.secretFields ?? []) r.add(f.value, f.kind === 'tenantID' ? 'tenantID' : 'token');
  for (const v of inputs.secrets ?? []) r.add(v);
  return r;
}

/** A bundle collected and masked, waiting to be written (the admin sees its manifest first). */
export interface PreparedBundle {
  manifest: Manifest;
  /** Writes the archive (atomically, 0600; never over an existing file unless `force`); says who can read it. */
  write(file: string, force: boolean): Promise<Message>;
}

/**
 * Collects and masks the support bundle: every text file masked (known secrets and patterns), sizes bounded,
 * only regular files read without following links, a MANIFEST.json listing each file, each masking (file, line,
 * kind) and what was left out; `.zip` when `file` ends so (the Windows default), else `.tar.gz`.
 */
export async function prepareSupportBundle(
  sys: SystemContext,
  file: string,
  opts: { result: DoctorResult; inputs: DoctorInputs; t: Translate },
): Promise<PreparedBundle> {
  const format: Manifest['format'] =
    /\.zip$/i.test(file) || (!/\.t(ar\.)?gz$/i.test(file) && sys.os === 'windows') ? 'zip' : 'tar.gz';
  const extra = [inputSecrets(opts.inputs)];
  const c = await collect(sys, opts.result, opts.t);
  const manifest: Manifest = {
    tool: `dsa-setup ${pkg.version}`,
    createdAt: new Date().toISOString(),
    format,
    files: [],
    masked: [],
    omitted: processSecrets.json(c.omitted, extra),
  };
  const files: { path: string; data: Buffer }[] = [];
  for (const e of c.entries) {
    // A file name can hold a secret too (a diagnostic package or a kept log named after the token).
    const path = processSecrets.text(e.path, extra);
    let data = e.data;
    if (!e.opaque) {
      const r = processSecrets.redactWithReport(e.data.toString('utf8'), extra);
      data = Buffer.from(r.text, 'utf8');
      for (const m of r.masked) manifest.masked.push({ file: path, ...m });
    }
    files.push({ path, data });
    manifest.files.push({
      path,
      source: processSecrets.text(e.source, extra),
      bytes: data.length,
      sha256: sha256(data),
      truncated: e.truncated,
      ...(e.nulBytes ? { nulBytes: e.nulBytes } : {}),
      ...(e.encoding && e.encoding !== 'utf-8' ? { encoding: e.encoding } : {}),
      redaction: e.opaque ? 'opaque' : 'text',
    });
  }
  const all = [
    { path: 'MANIFEST.json', data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8') },
    ...files,
  ];
  return {
    manifest,
    write: async (target, force) => {
      const bytes = await archive(format, all);
      await writeAtomically(target, force, (fh) => fh.writeFile(bytes));
      return bundleReaders(target);
    },
  };
}

/** The archive's bytes (a bundle is bounded by BUNDLE_LIMITS, so it is built in memory). */
async function archive(format: Manifest['format'], files: { path: string; data: Buffer }[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  if (format === 'zip') {
    const zip = new yazl.ZipFile();
    for (const f of files) zip.addBuffer(f.data, f.path, { mode: 0o100600 });
    zip.end();
    await pipeline(zip.outputStream, sink);
  } else {
    const pack = new tar.Pack({ gzip: true, portable: true });
    const mtime = new Date();
    for (const f of files) {
      const entry = new tar.ReadEntry(
        new tar.Header({ path: f.path, mode: 0o600, size: f.data.length, mtime, type: 'File' }),
      );
      pack.add(entry);
      entry.end(f.data);
    }
    pack.end();
    await pipeline(pack as unknown as Readable, sink);
  }
  return Buffer.concat(chunks);
}

/** Collects, masks and writes the support bundle in one go (the app, whose save dialog asked about replacing). */
export async function writeSupportBundle(
  sys: SystemContext,
  file: string,
  opts: { result: DoctorResult; inputs: DoctorInputs; t: Translate; force?: boolean },
): Promise<Manifest> {
  const b = await prepareSupportBundle(sys, file, opts);
  await b.write(file, opts.force ?? false);
  return b.manifest;
}

/** What the admin sees before the bundle is written: files, sizes, each masking, what was left out and why. */
export function manifestSummary(t: Translate, file: string, m: Manifest): string {
  const total = m.files.reduce((a, f) => a + f.bytes, 0);
  const lines = [t('report.bundle.header', { file, n: m.files.length + 1, kib: (total / 1024).toFixed(1) })];
  for (const f of m.files)
    lines.push(
      [
        `  ${f.path}  ${(f.bytes / 1024).toFixed(1)} KiB`,
        f.truncated ? t('report.bundle.truncated') : '',
        f.nulBytes ? t('report.bundle.nul', { n: f.nulBytes }) : '',
        f.encoding
          ? t('report.bundle.encoding', { encoding: f.encoding.toUpperCase().replace('SHIFT_JIS', 'Shift_JIS') })
          : '',
        f.redaction === 'opaque' ? t('report.bundle.opaque') : '',
      ]
        .filter(Boolean)
        .join('  '),
    );
  const byFile = new Map<string, Map<string, number[]>>();
  for (const x of m.masked) {
    const kinds = byFile.get(x.file) ?? new Map<string, number[]>();
    kinds.set(x.kind, [...(kinds.get(x.kind) ?? []), x.line]);
    byFile.set(x.file, kinds);
  }
  const list = [...byFile].map(([file, kinds]) =>
    t('report.bundle.maskedFile', {
      file,
      kinds: [...kinds]
        .map(([kind, ls]) =>
          t('report.bundle.maskedKind', {
            kind,
            n: ls.length,
            lines: [...new Set(ls)].slice(0, 5).join(', ') + (new Set(ls).size > 5 ? ', …' : ''),
          }),
        )
        .join(', '),
    }),
  );
  lines.push(list.length ? t('report.bundle.masked', { list: list.join('; ') }) : t('report.bundle.maskedNone'));
  for (const o of m.omitted)
    lines.push(
      `  ${t('report.bundle.omitted', {
        source: o.source,
        reason: t(`report.bundle.reason.${o.reason}`, {
          target: o.target ?? '',
          bytes: BUNDLE_LIMITS.diagnosticBytes,
          detail: o.detail ?? '',
        }),
      })}`,
    );
  return lines.join('\n');
}
