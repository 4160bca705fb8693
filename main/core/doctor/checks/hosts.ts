import { readIfExists } from '../../fsx.js';
import { msg } from '../../message.js';
import { analyzeHosts, readHostsDocument } from '../../hosts/hostsDocument.js';
import { resolverOptions } from '../../hosts/hostConf.js';
import { canonicalAddress } from '../../hosts/inetAddress.js';
import { hostsFilePath } from '../../system.js';
import { DsaError } from '../../errors.js';
import { type CheckDef, type CheckOutcome } from '../types.js';

const k = msg;

/**
 * hosts.entries: the hosts file, read the way the resolver reads it (host.conf's `multi`), answers every
 * manager name with the manager's address and nothing else. A UTF-16 file fails: no resolver reads it.
 */
export const hostsEntriesCheck: CheckDef = {
  id: 'hosts.entries',
  titleKey: 'doctor.title.hostsEntries',
  defaultClass: 'dns',
  async run(ctx): Promise<CheckOutcome> {
    const input = ctx.inputs.hostsFile;
    if (!input)
      return {
        status: 'skip',
        // Cloud One names resolve through DNS: no portal hosts file to ask for.
        detail: k(ctx.inputs.manager?.saas ? 'doctor.skip.noHostsFileCloudOne' : 'doctor.skip.noHostsFile'),
      };
    const file = hostsFilePath(ctx.sys);
    let analysis;
    try {
      const data = await readIfExists(file, { root: ctx.sys.root });
      if (!data)
        return {
          status: 'fail',
          class: 'dns',
          detail: k('doctor.hosts.noFile', { file }),
          remedy: k('doctor.hosts.addRemedy', { file, source: input.path }),
        };
      analysis = analyzeHosts(readHostsDocument(data), input.entries, file, await resolverOptions(ctx.sys));
    } catch (e) {
      if (!(e instanceof DsaError)) throw e;
      return {
        status: 'fail',
        class: 'input',
        detail: e.info.message,
        remedy: e.info.remedy ?? k('doctor.hosts.addRemedy', { file, source: input.path }),
      };
    }
    if (analysis.encoding !== 'bytes')
      return {
        status: 'fail',
        class: 'dns',
        detail: k('doctor.hosts.utf16', { file, encoding: analysis.encoding.toUpperCase() }),
        remedy: k('doctor.hosts.utf16Remedy', { file, source: input.path }),
      };
    const failing = analysis.names.filter((n) => !n.resolves);
    const shadowed = failing.flatMap((n) => {
      const want = canonicalAddress(n.expected);
      const m = n.mappings.find((x) => !x.inBlock && canonicalAddress(x.address) !== want);
      return m ? [{ n, m }] : [];
    });
    if (shadowed.length) {
      const { n, m } = shadowed[0]!;
      return {
        status: 'fail',
        class: 'dns',
        detail: k('doctor.hosts.shadowed', {
          file,
          line: m.line,
          name: n.name,
          address: m.address,
          expected: n.expected,
          others: shadowed.length - 1,
        }),
        remedy: k('doctor.hosts.shadowedRemedy', { file, line: m.line, name: n.name, expected: n.expected }),
      };
    }
    if (failing.length)
      return {
        status: 'fail',
        class: 'dns',
        detail: k('doctor.hosts.missing', {
          file,
          names: failing.map((n) => `${n.expected} ${n.name}`).join(', '),
          n: failing.length,
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
