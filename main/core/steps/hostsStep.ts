import { z } from 'zod';
import { HostsEntrySchema } from '../inputs/managerHosts.js';
import { readIfExists, sha256 } from '../fsx.js';
import { hostsFilePath, type SystemContext } from '../system.js';
import { analyzeHosts, applyManagedBlock, readHostsDocument } from '../hosts/hostsDocument.js';
import type { Step, Verification } from './types.js';

export const HostsStepInput = z.object({
  /** The file the entries came from (for messages). */
  source: z.string(),
  entries: z.array(HostsEntrySchema).min(1),
});
export type HostsStepInput = z.infer<typeof HostsStepInput>;

/** The hosts file as a path of the target system (what plans and journals show). */
export function hostsSystemPath(sys: SystemContext): string {
  return sys.os === 'windows' ? 'C:\\Windows\\System32\\drivers\\etc\\hosts' : '/etc/hosts';
}

async function loadHosts(sys: SystemContext): Promise<{ data: Buffer; exists: boolean }> {
  const data = await readIfExists(hostsFilePath(sys));
  return { data: data ?? Buffer.alloc(0), exists: data !== null };
}

function compute(sys: SystemContext, data: Buffer, input: HostsStepInput) {
  const file = hostsSystemPath(sys);
  return applyManagedBlock(readHostsDocument(data), input.entries, file, sys.os === 'windows' ? '\r\n' : '\n');
}

/** The manager's lines in one managed block of the hosts file; lines that shadow them commented out. */
export const hostsStep: Step<HostsStepInput> = {
  id: 'hosts',
  titleKey: 'steps.hosts.title',
  input: HostsStepInput,

  async detect(sys, input) {
    const { data, exists } = await loadHosts(sys);
    return { exists, ...analyzeHosts(readHostsDocument(data), input.entries, hostsSystemPath(sys)) };
  },

  async plan(sys, input) {
    const { data, exists } = await loadHosts(sys);
    const change = compute(sys, data, input);
    if (!change.changed) return { changes: [], notes: [], rebootRequired: false, upToDate: true };
    const diff = [
      ...[...new Map(change.shadowing.map((s) => [s.line, `~ ${s.line}: ${s.text}`])).values()],
      ...change.removedBlockLines.map((l) => `- ${l}`),
      ...change.blockLines.map((l) => `+ ${l}`),
    ];
    return {
      changes: [
        {
          kind: 'file',
          path: hostsSystemPath(sys),
          action: exists ? 'modify' : 'create',
          beforeSha: exists ? sha256(data) : null,
          diff,
        },
      ],
      notes: change.shadowing.map((s) => ({
        key: 'steps.hosts.shadowed',
        params: { line: s.line, name: s.name, address: s.address, expected: s.expected },
      })),
      rebootRequired: false,
      upToDate: false,
    };
  },

  async apply(sys, input, tx) {
    const { data } = await loadHosts(sys);
    const change = compute(sys, data, input);
    if (change.changed) await tx.writeFile(hostsSystemPath(sys), change.bytes);
  },

  async verify(sys, input): Promise<Verification> {
    const { data } = await loadHosts(sys);
    const { names } = analyzeHosts(readHostsDocument(data), input.entries, hostsSystemPath(sys));
    const wrong = names.filter(
      (n) => n.firstAddress === null || n.firstAddress.toLowerCase() !== n.expected.toLowerCase(),
    );
    return wrong.length === 0
      ? { ok: true, detail: { key: 'steps.hosts.verified', params: { n: names.length } } }
      : {
          ok: false,
          detail: { key: 'steps.hosts.notVerified', params: { names: wrong.map((w) => w.name).join(', ') } },
        };
  },
};
