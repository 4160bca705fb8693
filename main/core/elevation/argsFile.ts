import { lstat, mkdtemp, open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail, DsaError, ExitCode } from '../errors.js';
import { msg } from '../message.js';

/** The args file's name inside its private directory. */
const ARGS_NAME = 'job.json';

/** Creates a private (0700) temp directory for one elevated job. */
export function privateJobDir(parent: string = tmpdir()): Promise<string> {
  return mkdtemp(join(parent, 'dsa-setup-job-'));
}

/**
 * Writes a job's arguments as JSON to `dir/job.json`, created exclusively (O_EXCL: an existing file or a
 * planted link makes it fail) with mode 0600. Returns the file.
 */
export async function writeArgsFile(dir: string, value: unknown): Promise<string> {
  const file = join(dir, ARGS_NAME);
  const fh = await open(file, 'wx', 0o600);
  try {
    await fh.writeFile(JSON.stringify(value, null, 2) + '\n', 'utf8');
  } finally {
    await fh.close();
  }
  return file;
}

function badArgs(file: string, detail: string): DsaError {
  return fail('elevation.badArgs', msg('elevation.badArgs', { file, detail }), { exit: ExitCode.badInput });
}

/**
 * Reads an args file as the elevated run does: a regular file (not a link), not readable or writable by
 * others (on POSIX), holding one JSON document. The caller validates the document's shape.
 */
export async function readArgsFile(file: string, platform: NodeJS.Platform = process.platform): Promise<unknown> {
  const st = await lstat(file).catch(() => null);
  if (!st) throw badArgs(file, 'not found');
  if (!st.isFile()) throw badArgs(file, 'not a regular file');
  if (platform !== 'win32' && (st.mode & 0o077) !== 0) throw badArgs(file, `mode ${(st.mode & 0o777).toString(8)}`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (e) {
    throw badArgs(file, (e as Error).message);
  }
}
