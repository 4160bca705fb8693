import { msg } from '../message.js';
import { z } from 'zod';
import { HostsEntrySchema, type HostsEntry } from '../inputs/managerHosts.js';
import { readBackHosts } from '../hosts/readBack.js';
import { canonicalAddress } from '../hosts/inetAddress.js';
import { assertReplaceable, readIfExists } from '../fsx.js';
import { hostsFilePath, type SystemContext } from '../system.js';
import { applyManagedBlock, readHostsDocument } from '../hosts/hostsDocument.js';
import { fileWriteAction } from './fileAction.js';
import type { StepDescriptor, Verification } from './types.js';

export const HostsStepInput = z.object({
  /** The file the entries came from (for messages). */
  source: z.string(),
  entries: z.array(HostsEntrySchema).min(1),
  /** A UTF-16 hosts file is rewritten as UTF-8 (the CLI's `--rewrite-utf16-hosts`); without it, refused. */
  rewriteUtf16: z.boolean().optional(),
});
export type HostsStepInput = z.infer<typeof HostsStepInput>;

/** The hosts file as a path of the target system (what plans and journals show). */
export function hostsSystemPath(sys: SystemContext): string {
  return sys.os === 'windows' ? 'C:\\Windows\\System32\\drivers\\etc\\hosts' : '/etc/hosts';
}

async function loadHosts(sys: SystemContext): Promise<{ data: Buffer; exists: boolean }> {
  const data = await readIfExists(hostsFilePath(sys), { root: sys.root });
  return { data: data ?? Buffer.alloc(0), exists: data !== null };
}

/** The manager's lines in one managed block of the hosts file; lines that shadow them commented out. */
export const hostsStep: StepDescriptor<HostsStepInput> = {
  id: 'hosts',
  titleKey: 'steps.hosts.title',
  input: HostsStepInput,
  flags: [
    { flags: '--hosts-file <file>', helpKey: 'cli.help.hostsFile' },
    { flags: '--rewrite-utf16-hosts', helpKey: 'cli.help.rewriteUtf16Hosts' },
  ],
  platforms: ['linux', 'windows'],
  defaultOn: 'all',
  needs: ['hostsFile'],
  fromOptions: (opts, ctx) =>
    opts.hostsFile
      ? { source: opts.hostsFile, entries: ctx.entries, ...(opts.rewriteUtf16Hosts ? { rewriteUtf16: true } : {}) }
      : null,

  async plan(sys, input) {
    const { data, exists } = await loadHosts(sys);
    const path = hostsSystemPath(sys);
    const change = applyManagedBlock(
      readHostsDocument(data),
      input.entries,
      path,
      sys.os === 'windows' ? '\r\n' : '\n',
      { rewriteUtf16: input.rewriteUtf16 === true },
    );
    if (!change.changed) return { changes: [], notes: [], rebootRequired: false, upToDate: true };
    await assertReplaceable(hostsFilePath(sys), sys.root);
    const diff = [
      ...[...new Map(change.shadowing.map((s) => [s.line, `~ ${s.line}: ${s.text}`])).values()],
      ...change.removedBlockLines.map((l) => `- ${l}`),
      ...change.blockLines.map((l) => `+ ${l}`),
    ];
    return {
      changes: [await fileWriteAction(sys, path, exists ? data : null, change.bytes, diff)],
      notes: [
        ...(change.rewrittenFrom
          ? [msg('steps.hosts.rewriteUtf16', { encoding: change.rewrittenFrom.toUpperCase() })]
          : []),
        ...change.shadowing.map((s) =>
          msg('steps.hosts.shadowed', { line: s.line, name: s.name, address: s.address, expected: s.expected }),
        ),
      ],
      rebootRequired: false,
      upToDate: false,
    };
  },

  async verify(sys, input): Promise<Verification> {
    return verifyHosts(sys, input.entries, hostsSystemPath(sys));
  },
};

/**
 * apply's read-back: every manager name must resolve, the way the system resolves it (readBackHosts), to the
 * portal's address and nothing else. The detail names the first name that does not, and why: the line that
 * maps it elsewhere ("line N maps it to X; the managed block adds Y"), no answer, or another answer.
 */
export async function verifyHosts(sys: SystemContext, entries: HostsEntry[], file: string): Promise<Verification> {
  const results = await readBackHosts(sys, entries, file);
  const bad = results.filter((r) => !r.ok);
  if (bad.length === 0) return { ok: true, detail: msg('steps.hosts.verified', { n: results.length }) };
  const r = bad[0]!;
  const want = canonicalAddress(r.expected);
  const wrong = r.state.mappings.find((m) => !m.inBlock && canonicalAddress(m.address) !== want);
  const common = { names: bad.map((b) => b.name).join(', '), name: r.name, expected: r.expected, via: r.via };
  if (wrong) {
    return {
      ok: false,
      detail: msg('steps.hosts.wrongLine', { ...common, line: wrong.line, address: wrong.address }),
    };
  }
  if (r.answers.length === 0) return { ok: false, detail: msg('steps.hosts.notResolved', common) };
  return {
    ok: false,
    detail: msg('steps.hosts.resolvesElsewhere', { ...common, answers: r.answers.join(', ') }),
  };
}
