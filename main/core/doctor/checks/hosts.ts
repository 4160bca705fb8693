import { readIfExists } from '../../fsx.js';
import { analyzeHosts, readHostsDocument } from '../../hosts/hostsDocument.js';
import { hostsFilePath } from '../../system.js';
import { DsaError } from '../../errors.js';
import { textRef, type CheckDef, type CheckOutcome } from '../types.js';

const k = textRef;

/** hosts.entries: every manager line present, and no earlier line mapping a manager name elsewhere. */
export const hostsEntriesCheck: CheckDef = {
  id: 'hosts.entries',
  titleKey: 'doctor.title.hostsEntries',
  defaultClass: 'dns',
  async run(ctx): Promise<CheckOutcome> {
    const input = ctx.inputs.hostsFile;
    if (!input) return { status: 'skip', detail: k('doctor.skip.noHostsFile') };
    const file = hostsFilePath(ctx.sys);
    const data = await readIfExists(file);
    if (!data)
      return {
        status: 'fail',
        class: 'dns',
        detail: k('doctor.hosts.noFile', { file }),
        remedy: k('doctor.hosts.addRemedy', { file, source: input.path }),
      };
    let analysis;
    try {
      analysis = analyzeHosts(readHostsDocument(data), input.entries, file);
    } catch (e) {
      if (!(e instanceof DsaError)) throw e;
      return {
        status: 'fail',
        class: 'input',
        detail: k(e.messageKey, e.params),
        remedy: k(e.remedyKey ?? 'doctor.hosts.addRemedy', { ...e.params, source: input.path }),
      };
    }
    const shadowed = analysis.names.filter(
      (n) => n.firstLine !== null && n.firstAddress?.toLowerCase() !== n.expected.toLowerCase(),
    );
    const missing = analysis.names.filter((n) => n.firstLine === null);
    if (shadowed.length) {
      const s = shadowed[0]!;
      return {
        status: 'fail',
        class: 'dns',
        detail: k('doctor.hosts.shadowed', {
          file,
          line: s.firstLine!,
          name: s.name,
          address: s.firstAddress ?? '',
          expected: s.expected,
          others: shadowed.length - 1,
        }),
        remedy: k('doctor.hosts.shadowedRemedy', { file, line: s.firstLine!, name: s.name, expected: s.expected }),
      };
    }
    if (missing.length)
      return {
        status: 'fail',
        class: 'dns',
        detail: k('doctor.hosts.missing', {
          file,
          names: missing.map((n) => `${n.expected} ${n.name}`).join(', '),
          n: missing.length,
        }),
        remedy: k('doctor.hosts.addRemedy', { file, source: input.path }),
      };
    const later = analysis.shadowing[0];
    if (later)
      return {
        status: 'warn',
        class: 'dns',
        detail: k('doctor.hosts.laterConflict', { file, line: later.line, name: later.name, address: later.address }),
        remedy: k('doctor.hosts.laterConflictRemedy', { file, line: later.line }),
      };
    return {
      status: 'pass',
      detail: k('doctor.hosts.ok', { file, n: analysis.names.length }),
    };
  },
};
