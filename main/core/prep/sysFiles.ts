import { promises as fs } from 'node:fs';
import { fileSystemError, readIfExists } from '../fsx.js';
import type { SystemContext } from '../system.js';

/**
 * A file of the target system, or null when it does not exist: links are followed inside the system tree (a link
 * out of it under `--root` is refused, exit 2), and any other OS error names the file and the fix (exit 2).
 */
export async function readSysFile(sys: SystemContext, systemPath: string): Promise<Buffer | null> {
  return readIfExists(sys.path(systemPath), { root: sys.root });
}

/** A text file of the target system (as `readSysFile`), or null when it does not exist. */
export async function readSysText(sys: SystemContext, systemPath: string): Promise<string | null> {
  const b = await readSysFile(sys, systemPath);
  return b ? b.toString('utf8') : null;
}

/** Whether a path exists on the target system. */
export async function sysExists(sys: SystemContext, systemPath: string): Promise<boolean> {
  return fs.stat(sys.path(systemPath)).then(
    () => true,
    () => false,
  );
}

/**
 * The names in a directory of the target system (empty when it does not exist), sorted. A directory that cannot be
 * read (no permission, a file where the directory should be) is an error naming it (exit 2), never an empty list.
 */
export async function listSysDir(sys: SystemContext, systemPath: string): Promise<string[]> {
  const dir = sys.path(systemPath);
  try {
    return (await fs.readdir(dir)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw await fileSystemError(e, dir, 'read');
  }
}
