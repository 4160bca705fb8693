import { constants as fsConstants, promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inputError } from '../errors.js';
import { msg, type Message } from '../message.js';

/**
 * Refuses (exit 2) a `--bundle` target that would overwrite something: an existing file (unless `force`), a
 * folder, a missing parent folder or a parent that is not a folder. Checked before the doctor runs.
 */
export async function checkBundleTarget(file: string, force: boolean): Promise<void> {
  const st = await fs.lstat(file).catch(() => null);
  if (st?.isDirectory())
    throw inputError(
      'bundle.isFolder',
      msg('report.bundle.error.isFolder', { file }),
      msg('report.bundle.error.isFolderRemedy', { file }),
    );
  if (st && !force)
    throw inputError(
      'bundle.exists',
      msg('report.bundle.error.exists', { file }),
      msg('report.bundle.error.existsRemedy'),
    );
  const folder = dirname(resolve(file));
  const parent = await fs.stat(folder).catch(() => null);
  if (!parent)
    throw inputError(
      'bundle.noParent',
      msg('report.bundle.error.noParent', { folder }),
      msg('report.bundle.error.noParentRemedy'),
    );
  if (!parent.isDirectory())
    throw inputError(
      'bundle.parentNotFolder',
      msg('report.bundle.error.parentNotFolder', { folder }),
      msg('report.bundle.error.noParentRemedy'),
    );
}

/**
 * Writes an archive atomically, mode 0600: into a temporary file created exclusively next to `file`, synced, then
 * linked into place (so an existing file is never replaced, even one created meanwhile) — or renamed over it
 * when `force`. The temporary file is removed whatever happens.
 */
export async function writeAtomically(
  file: string,
  force: boolean,
  write: (fh: fs.FileHandle) => Promise<void>,
): Promise<void> {
  await checkBundleTarget(file, force);
  const tmp = join(dirname(resolve(file)), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  try {
    try {
      await write(fh);
      await fh.chmod(0o600);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (force) await fs.rename(tmp, file);
    else {
      try {
        await fs.link(tmp, file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST')
          throw inputError(
            'bundle.exists',
            msg('report.bundle.error.exists', { file }),
            msg('report.bundle.error.existsRemedy'),
          );
        // A file system without hard links (FAT): check again, then rename.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
        await checkBundleTarget(file, false);
        await fs.rename(tmp, file);
      }
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Who can read a written bundle, as read back from the file system: its owner only (mode 0600 kept), or others too
 * — Windows keeps the permissions of the folder, a FAT or network share keeps no mode at all.
 */
export async function bundleReaders(file: string, platform: NodeJS.Platform = process.platform): Promise<Message> {
  if (platform === 'win32') return msg('report.bundle.writtenWindows', { file });
  const mode = (await fs.stat(file)).mode & 0o777;
  return (mode & 0o077) === 0
    ? msg('report.bundle.written', { file })
    : msg('report.bundle.writtenShared', { file, mode: mode.toString(8).padStart(4, '0') });
}
