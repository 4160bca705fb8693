import { promises as fs } from 'node:fs';
import { fail, DsaError, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import { issueAt, type ParseResult } from './issues.js';
import { parseManagerHosts, type HostsEntry } from './managerHosts.js';
import { parseActivation, type ActivationInput } from './activation.js';

/** Turns a parser's problems into one bad-input error (exit 2) that lists them all. */
export function unwrapParse<T>(file: string, r: ParseResult<T>): T {
  if (r.ok) return r.value;
  throw fail('input.invalid', msg('inputs.invalidFile', { file, n: r.issues.length }), {
    issues: r.issues,
    exit: ExitCode.badInput,
  });
}

/** Reads an input file; a missing or unreadable one is a bad-input error naming it. */
export async function readInputFile(file: string): Promise<Buffer> {
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (st.size > 16 * 1024 * 1024)
      return unwrapParse(file, { ok: false, issues: [issueAt(file, 0, 0, 'inputs.tooLarge', { max: '16 MiB' })] });
    return await fs.readFile(file);
  } catch (e) {
    if (e instanceof DsaError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    return unwrapParse(file, {
      ok: false,
      issues: [
        issueAt(
          file,
          0,
          0,
          code === 'ENOENT' ? 'inputs.notFound' : code === 'EISDIR' ? 'inputs.isDirectory' : 'inputs.unreadable',
          { code },
        ),
      ],
    });
  }
}

/** Reads and parses the manager hosts file (`VMSecurity_hosts_cln.txt`). */
export async function loadManagerHosts(file: string): Promise<HostsEntry[]> {
  return unwrapParse(file, parseManagerHosts(file, await readInputFile(file)));
}

/** Reads and parses an activation command file or deployment script. */
export async function loadActivation(file: string): Promise<ActivationInput> {
  return unwrapParse(file, parseActivation(file, await readInputFile(file)));
}
