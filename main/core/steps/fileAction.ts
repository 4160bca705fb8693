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
  return {
    kind: 'file',
    path,
    action: before ? 'modify' : 'create',
    beforeSha: before ? sha256(before) : null,
    afterSha: sha256(bytes),
    after: bytes.toString('base64'),
    mode: before ? await fileMode(await resolveLinkTarget(sys.path(path), sys.root)) : null,
    diff: diff ?? lineDiff(before ? before.toString('utf8') : '', bytes.toString('utf8')),
  };
}
