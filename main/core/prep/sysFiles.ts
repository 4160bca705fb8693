import { promises as fs } from 'node:fs';
import { readIfExists } from '../fsx.js';
import type { SystemContext } from '../system.js';

/** A text file of the target system, or null when it does not exist. */
export async function readSysText(sys: SystemContext, systemPath: string): Promise<string | null> {
  const b = await readIfExists(sys.path(systemPath));
  return b ? b.toString('utf8') : null;
}

/** Whether a path exists on the target system. */
export async function sysExists(sys: SystemContext, systemPath: string): Promise<boolean> {
  return fs.stat(sys.path(systemPath)).then(
    () => true,
    () => false,
  );
}

/** The names in a directory of the target system (empty when it does not exist), sorted. */
export async function listSysDir(sys: SystemContext, systemPath: string): Promise<string[]> {
  return (await fs.readdir(sys.path(systemPath)).catch(() => [] as string[])).sort();
}
