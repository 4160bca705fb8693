import { z } from 'zod';
import { HostsEntrySchema } from '../inputs/managerHosts.js';
import { readIfExists, sha256 } from '../fsx.js';
import { hostsFilePath, type SystemContext } from '../system.js';
import { analyzeHosts, applyManagedBlock, readHostsDocument } from '../hosts/hostsDocument.js';
import { fileMode } from './fileAction.js';
import type { StepDescriptor, Verification } from './types.js';

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

/** The manager's lines in one managed block of the hosts file; lines that shadow them commented out. */
export const hostsStep: StepDescriptor<HostsStepInput> = {
  id: 'hosts',
  titleKey: 'steps.hosts.title',
  input: HostsStepInput,
  flags: [{ flags: '--hosts-file <file>', helpKey: 'cli.help.hostsFile' }],
  platforms: ['linux', 'windows'],
  defaultOn: 'all',
  needs: ['hostsFile'],
  fromOptions: (opts, ctx) => (opts.hostsFile ? { source: opts.hostsFile, entries: ctx.entries } : null),

  async plan(sys, input) {
    const { data, exists } = await loadHosts(sys);
    const path = hostsSystemPath(sys);
    const change = applyManagedBlock(
      readHostsDocument(data),
      input.entries,
      path,
      sys.os === 'windows' ? '\r\n' : '\n',
    );
    if (!change.changed) return { changes: [], notes: [], rebootRequired: false, upToDate: true };
    const bytes = change.bytes;
    const diff = [
      ...[...new Map(change.shadowing.map((s) => [s.line, `~ ${s.line}: ${s.text}`])).values()],
      ...change.removedBlockLines.map((l) => `- ${l}`),
      ...change.blockLines.map((l) => `+ ${l}`),
    ];
    return {
      changes: [
        {
          kind: 'file',
          path,
          action: exists ? 'modify' : 'create',
          beforeSha: exists ? sha256(data) : null,
          afterSha: sha256(bytes),
          after: bytes.toString('base64'),
          mode: exists ? await fileMode(hostsFilePath(sys)) : null,
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
