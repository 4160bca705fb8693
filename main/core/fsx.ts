import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, constants as fsc } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** sha256 of bytes, hex. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads a file, or null when it does not exist. */
export async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export interface WriteOptions {
  /** Keep this mode/owner (defaults to the existing file's, else 0644). */
  mode?: number;
  uid?: number;
  gid?: number;
}

/**
 * Writes a file atomically: a temp file in the same directory, fsync, then rename over the target.
 * Mode and owner of an existing file are kept; on Windows a read-only attribute is cleared for the
 * rename and set again afterwards.
 */
export async function atomicWrite(path: string, data: Buffer | string, opts: WriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const existing = await fs.stat(path).catch(() => null);
  const mode = opts.mode ?? (existing ? existing.mode & 0o7777 : 0o644);
  const tmp = join(dir, `.${basename(path)}.dsa-setup-${randomBytes(6).toString('hex')}.tmp`);
  const wasReadOnly = process.platform === 'win32' && existing !== null && (existing.mode & 0o200) === 0;
  const fh = await fs.open(tmp, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.chmod(tmp, mode);
    const uid = opts.uid ?? existing?.uid;
    const gid = opts.gid ?? existing?.gid;
    if (process.platform !== 'win32' && uid !== undefined && gid !== undefined && process.getuid?.() === 0) {
      await fs.chown(tmp, uid, gid);
    }
    if (wasReadOnly) await fs.chmod(path, mode | 0o200);
    await fs.rename(tmp, path);
    if (wasReadOnly) await fs.chmod(path, mode & ~0o222);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
