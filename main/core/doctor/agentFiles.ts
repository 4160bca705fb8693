import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { SystemContext } from '../system.js';
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
  reason: 'missing' | 'permission' | 'link' | 'not-a-file' | 'too-large';
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

const skipOf = (code: string | undefined): FileSkip['reason'] =>
  code === 'EACCES' || code === 'EPERM' ? 'permission' : code === 'ELOOP' ? 'link' : 'missing';

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
  for (const part of parts) {
    at = join(at, part);
    let st: Stats;
    try {
      st = await fs.lstat(at);
    } catch (e) {
      const reason = skipOf((e as NodeJS.ErrnoException).code);
      // Permission denied on a name means its folder cannot be searched: name the folder.
      return { ok: false, reason, at: reason === 'permission' ? dirname(at) : at };
    }
    if (st.isSymbolicLink()) return { ok: false, reason: 'link', at, target: await fs.readlink(at).catch(() => '?') };
  }
  let fh: FileHandle;
  try {
    fh = await fs.open(real, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0));
  } catch (e) {
    return { ok: false, reason: skipOf((e as NodeJS.ErrnoException).code), at: real };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { ok: false, reason: 'not-a-file', at: real };
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
    return { ok: false, reason: skipOf((e as NodeJS.ErrnoException).code), at: real };
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
