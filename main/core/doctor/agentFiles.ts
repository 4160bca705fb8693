import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { SystemContext } from '../system.js';
import { specialFileKind } from '../fsx.js';
import { decodeText, type TextEncoding } from '../textDecode.js';

const WIN_DATA = 'C:\\ProgramData\\Trend Micro\\Deep Security Agent';

/** The agent's log files, newest-first candidates, as paths of the target system. */
export function agentLogPaths(sys: SystemContext): string[] {
  if (sys.os === 'windows')
    return [`${WIN_DATA}\\diag\\ds_agent.log`, `${WIN_DATA}\\diag\\ds_agent-err.log`, `${WIN_DATA}\\diag\\ds_am.log`];
  return [
    '/var/opt/ds_agent/diag/ds_agent.log',
    '/var/opt/ds_agent/diag/ds_agent-err.log',
    '/var/opt/ds_agent/diag/ds_am.log',
    '/var/log/ds_agent/ds_agent.log',
    '/var/log/ds_agent/ds_agent-err.log',
  ];
}

/** The agent's configuration files (those that exist are read for a proxy setting and go into the bundle). */
export function agentConfigPaths(sys: SystemContext): string[] {
  if (sys.os === 'windows')
    return [
      `${WIN_DATA}\\dsa_core\\ds_agent.ini`,
      `${WIN_DATA}\\dsa_core\\ds_agent.config`,
      `${WIN_DATA}\\ds_agent.ini`,
    ];
  return [
    '/var/opt/ds_agent/dsa_core/ds_agent.ini',
    '/var/opt/ds_agent/dsa_core/ds_agent.config',
    '/var/opt/ds_agent/ds_agent.ini',
    '/etc/use_dsa_with_iptables',
    '/etc/sysconfig/ds_agent',
    '/etc/default/ds_agent',
  ];
}

/** Why a file was not read: absent, unreadable, a link (not followed), not a regular file, too large. */
export interface FileSkip {
  ok: false;
  reason: 'missing' | 'permission' | 'link' | 'not-a-file' | 'too-large' | 'unreadable';
  /** For `not-a-file`: what is there instead. */
  kind?: 'pipe' | 'socket' | 'device' | 'directory';
  /** For `unreadable`: the operating system's error code (EIO…). */
  code?: string;
  /** The path (of this machine) where it stopped: the file, or the folder that is a link or cannot be read. */
  at: string;
  /** Where a link points. */
  target?: string;
}

/** The bytes of a regular file read without following links. */
export interface FileBytes {
  ok: true;
  data: Buffer;
  size: number;
  truncated: boolean;
  mtimeMs: number;
}

/** Why a file could not be read, from the error of the call: only "no such file" is missing. */
function skipOf(e: unknown, at: string): FileSkip {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return { ok: false, reason: 'permission', at };
  if (code === 'ELOOP') return { ok: false, reason: 'link', at };
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', at };
  if (code === 'EISDIR') return { ok: false, reason: 'not-a-file', at, kind: 'directory' };
  return { ok: false, reason: 'unreadable', at, code: code ?? 'EIO' };
}

/** What a file that is not a regular file is (a folder, a pipe, a socket, a device). */
const kindOf = (st: Stats): NonNullable<FileSkip['kind']> => (st.isDirectory() ? 'directory' : specialFileKind(st));

/**
 * Reads a regular file (its last `max` bytes; `whole`: all of it, or too-large) without following a link anywhere
 * below `base`: every folder is checked with lstat, the file is opened with O_NOFOLLOW and checked with fstat.
 */
export async function readNoFollow(
  base: string,
  real: string,
  max: number,
  opts: { whole?: boolean } = {},
): Promise<FileBytes | FileSkip> {
  const rel = relative(base, real);
  const parts = rel.split(sep).filter(Boolean);
  let at = base;
  let last: Stats | null = null;
  for (const part of parts) {
    at = join(at, part);
    let st: Stats;
    try {
      st = await fs.lstat(at);
    } catch (e) {
      const skip = skipOf(e, at);
      // Permission denied on a name means its folder cannot be searched: name the folder.
      return skip.reason === 'permission' ? { ...skip, at: dirname(at) } : skip;
    }
    if (st.isSymbolicLink()) return { ok: false, reason: 'link', at, target: await fs.readlink(at).catch(() => '?') };
    last = st;
  }
  // A socket cannot be opened at all (ENXIO): what is there is known from its lstat.
  if (last && !last.isFile()) return { ok: false, reason: 'not-a-file', at: real, kind: kindOf(last) };
  let fh: FileHandle;
  try {
    fh = await fs.open(real, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0));
  } catch (e) {
    return skipOf(e, real);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { ok: false, reason: 'not-a-file', at: real, kind: kindOf(st) };
    if (opts.whole && st.size > max) return { ok: false, reason: 'too-large', at: real };
    const len = Math.min(st.size, max);
    const data = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await fh.read(data, got, len - got, st.size - len + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { ok: true, data: data.subarray(0, got), size: st.size, truncated: st.size > max, mtimeMs: st.mtimeMs };
  } catch (e) {
    return skipOf(e, real);
  } finally {
    await fh.close();
  }
}

/**
 * The text of a log tail in whatever encoding it was written (UTF-8, UTF-16 with or without BOM, Shift_JIS: see
 * decodeText; `offset`: where `data` starts in the file): a cut first line dropped (never the last line, with or
 * without a final newline), runs of NUL bytes (a sparse or pre-allocated log) left out, the text on either side
 * kept on lines of its own.
 */
export function tailText(
  data: Buffer,
  truncated: boolean,
  offset = 0,
): { text: string; nulBytes: number; encoding: TextEncoding } {
  const decoded = decodeText(data, { offset, cut: truncated });
  const wide = decoded.encoding.startsWith('utf-16') ? 2 : 1;
  let nulBytes = 0;
  const text = decoded.text.replace(/\0+/g, (run: string, off: number, s: string) => {
    nulBytes += run.length * wide;
    const before = off > 0 ? s[off - 1] : '\n';
    const after = s[off + run.length] ?? '\n';
    return before !== '\n' && after !== '\n' ? '\n' : '';
  });
  return { text, nulBytes, encoding: decoded.encoding };
}

/** The last `max` bytes of a text file as text (see readNoFollow and tailText). */
export async function readTextTail(
  base: string,
  real: string,
  max: number,
): Promise<(Omit<FileBytes, 'data'> & { text: string; nulBytes: number; encoding: TextEncoding }) | FileSkip> {
  const r = await readNoFollow(base, real, max);
  if (!r.ok) return r;
  const { data, ...rest } = r;
  return { ...rest, ...tailText(data, r.truncated, r.truncated ? r.size - data.length : 0) };
}

/** A path of the target system for a path under its root (what manifests and messages show). */
export function systemPathOf(sys: SystemContext, real: string): string {
  if (sys.live) return real;
  const rel = relative(sys.root, real).split(sep);
  return sys.os === 'windows' ? `C:\\${rel.join('\\')}` : `/${rel.join('/')}`;
}
