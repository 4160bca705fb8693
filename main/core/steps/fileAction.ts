import { promises as fs } from 'node:fs';
import { resolveLinkTarget, sha256 } from '../fsx.js';
import type { SystemContext } from '../system.js';
import type { FileAction } from './types.js';

/** The permission bits of a file, or null when it does not exist. */
export async function fileMode(hostPath: string): Promise<number | null> {
  const st = await fs.stat(hostPath).catch(() => null);
  return st ? st.mode & 0o7777 : null;
}

/** Line diff of two texts for the plan: lines only in `before` as `- `, lines only in `after` as `+ `. */
export function lineDiff(before: string, after: string): string[] {
  const oldLines = new Set(before.split('\n'));
  const newLines = new Set(after.split('\n'));
  return [
    ...before
      .split('\n')
      .filter((l) => l !== '' && !newLines.has(l))
      .map((l) => `- ${l}`),
    ...after
      .split('\n')
      .filter((l) => l !== '' && !oldLines.has(l))
      .map((l) => `+ ${l}`),
  ];
}

/** A file write action: `before` the bytes now (null: no file), `after` the bytes to write; mode kept. */
export async function fileWriteAction(
  sys: SystemContext,
  path: string,
  before: Buffer | null,
  after: Buffer | string,
  diff?: string[],
): Promise<FileAction> {
  const bytes = typeof after === 'string' ? Buffer.from(after, 'utf8') : after;
  const edit = byteEdit(before ?? Buffer.alloc(0), bytes);
  return {
    kind: 'file',
    path,
    action: before ? 'modify' : 'create',
    beforeSha: before ? sha256(before) : null,
    afterSha: sha256(bytes),
    edit,
    mode: before ? await fileMode(await resolveLinkTarget(sys.path(path), sys.root)) : null,
    diff: diff ?? lineDiff(before ? before.toString('utf8') : '', bytes.toString('utf8')),
  };
}

/** One edit of a file: from byte `at`, `remove` bytes replaced by `text` (UTF-8) or `base64`. */
export type ByteEdit = NonNullable<FileAction['edit']>;

/** The edit that turns `before` into `after`: what differs between their common first and last lines. */
export function byteEdit(before: Buffer, after: Buffer): ByteEdit {
  const max = Math.min(before.length, after.length);
  let p = commonPrefix(before, after, max);
  // Whole lines only, so the inserted text stays valid UTF-8.
  while (p > 0 && before[p - 1] !== 0x0a) p--;
  let s = 0;
  while (s < max - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
  while (s > 0 && before[before.length - s - 1] !== 0x0a) s--;
  const insert = after.subarray(p, after.length - s);
  const text = insert.toString('utf8');
  return {
    at: p,
    remove: before.length - p - s,
    ...(Buffer.from(text, 'utf8').equals(insert) ? { text } : { base64: insert.toString('base64') }),
  };
}

/** How many first bytes (up to `max`) two buffers share: compared 64 KiB at a time natively, then byte by byte. */
function commonPrefix(a: Buffer, b: Buffer, max: number): number {
  const CHUNK = 65536;
  let p = 0;
  while (p + CHUNK <= max && a.compare(b, p, p + CHUNK, p, p + CHUNK) === 0) p += CHUNK;
  while (p < max && a[p] === b[p]) p++;
  return p;
}

/** The bytes an edit gives when applied to `before`. */
export function applyEdit(before: Buffer, e: ByteEdit): Buffer {
  const insert = e.text !== undefined ? Buffer.from(e.text, 'utf8') : Buffer.from(e.base64 ?? '', 'base64');
  return Buffer.concat([before.subarray(0, e.at), insert, before.subarray(e.at + e.remove)]);
}
