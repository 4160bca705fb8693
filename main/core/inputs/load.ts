import { fail, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import { issueAt, type ParseResult } from './issues.js';
import { readBoundedSync } from './readFile.js';
import { parseManagerHosts, type HostsEntry } from './managerHosts.js';
import { parseActivation, type ActivationInput } from './activation.js';
import { parseJsonInput } from './json.js';

/** Problems of one file listed in an error; the rest are counted. */
const MAX_ISSUES_SHOWN = 20;

/** Turns a parser's problems into one bad-input error (exit 2) that lists them (the first 20, and how many more). */
export function unwrapParse<T>(file: string, r: ParseResult<T>): T {
  if (r.ok) return r.value;
  // A wrong file (a log, a whole web page) can have thousands of problems: the first ones say what is wrong.
  const shown = r.issues.slice(0, MAX_ISSUES_SHOWN);
  if (r.issues.length > MAX_ISSUES_SHOWN)
    shown.push(issueAt(file, 0, 0, 'inputs.moreIssues', { n: r.issues.length - MAX_ISSUES_SHOWN }));
  throw fail('input.invalid', msg('inputs.invalidFile', { file, n: r.issues.length }), {
    issues: shown,
    exit: ExitCode.badInput,
  });
}

/**
 * Reads an input file (bounded, never blocking on a pipe or a device); a missing, unreadable or unsuitable one is
 * a bad-input error (exit 2) naming it and why.
 */
export async function readInputFile(file: string): Promise<Buffer> {
  const r = readBoundedSync(file);
  if (r.ok) return r.data;
  return unwrapParse(file, { ok: false, issues: [{ file, line: 0, column: 0, message: r.reason }] });
}

/** Reads and parses the manager hosts file (`VMSecurity_hosts_cln.txt`). */
export async function loadManagerHosts(file: string): Promise<HostsEntry[]> {
  return unwrapParse(file, parseManagerHosts(file, await readInputFile(file)));
}

/** Reads and parses an activation command file or deployment script. */
export async function loadActivation(file: string): Promise<ActivationInput> {
  return unwrapParse(file, parseActivation(file, await readInputFile(file)));
}

/** Reads and parses a JSON input file (a plan, a doctor result), in any encoding an editor or PowerShell saves it in. */
export async function loadJson(file: string): Promise<unknown> {
  return unwrapParse(file, parseJsonInput(file, await readInputFile(file)));
}
