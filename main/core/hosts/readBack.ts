import { readIfExists } from '../fsx.js';
import { hostsFilePath, type SystemContext } from '../system.js';
import type { HostsEntry } from '../inputs/managerHosts.js';
import { analyzeHosts, readHostsDocument, type NameState } from './hostsDocument.js';
import { canonicalAddress } from './inetAddress.js';
import { resolverOptions } from './hostConf.js';

/** How one manager name resolves after apply, and by what it was read. */
export interface NameReadBack {
  name: string;
  expected: string;
  /** What the system answers (addresses as printed). */
  answers: string[];
  ok: boolean;
  /** `getent` (the live Linux resolver: nsswitch, host.conf) or `hosts-file` (our reading of the file). */
  via: 'getent' | 'hosts-file';
  /** The file's view of the name (its lines), for the message. */
  state: NameState;
}

/** The addresses `getent hosts NAME` and `getent ahosts NAME` print (first column), in order, once each. */
export function parseGetent(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    const addr = line.trim().split(/\s+/)[0];
    if (addr && !out.includes(addr)) out.push(addr);
  }
  return out;
}

/**
 * Reads back how every manager name resolves, the way the system does: on a live Linux system through
 * `getent hosts` and `getent ahosts` (nsswitch.conf, host.conf `multi`, getaddrinfo's sorting); under `--root`
 * and on Windows by reading the hosts file as the resolver does (hostsResolver.ts). A name is ok when the
 * answers are the manager's address and nothing else.
 */
export async function readBackHosts(sys: SystemContext, entries: HostsEntry[], file: string): Promise<NameReadBack[]> {
  const data = (await readIfExists(hostsFilePath(sys), { root: sys.root })) ?? Buffer.alloc(0);
  const analysis = analyzeHosts(readHostsDocument(data), entries, file, await resolverOptions(sys));
  const results: NameReadBack[] = [];
  for (const state of analysis.names) {
    const want = canonicalAddress(state.expected);
    if (sys.live && sys.os === 'linux') {
      const answers: string[] = [];
      for (const db of ['hosts', 'ahosts']) {
        const r = await sys.exec.run('getent', [db, state.name], { timeoutMs: 15_000 });
        for (const a of parseGetent(r.exitCode === 0 ? r.stdout : '')) if (!answers.includes(a)) answers.push(a);
      }
      const ok = answers.length > 0 && answers.every((a) => canonicalAddress(a) === want);
      results.push({ name: state.name, expected: state.expected, answers, ok, via: 'getent', state });
    } else {
      results.push({
        name: state.name,
        expected: state.expected,
        answers: state.answers,
        ok: state.resolves,
        via: 'hosts-file',
        state,
      });
    }
  }
  return results;
}
