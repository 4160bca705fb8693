import type { Translate } from './i18n.js';
import { loadActivation, loadManagerHosts } from './inputs/load.js';
import { parseActivationUrl } from './inputs/activation.js';
import { inputError } from './errors.js';
import { msg } from './message.js';
import { resolveLikeSystem } from './doctor/probes/dns.js';
import { managerFlavour, openingsReport, type OpeningInputs, type OpeningsReport } from './openings.js';
import type { SystemContext } from './system.js';

/** The files and flags `plan` and `inspect` take that tell the openings (each optional). */
export interface OpeningFiles {
  hostsFile?: string;
  activationFile?: string;
  manager?: string;
}

/**
 * The openings table for `plan` and `inspect`, from the portal's hosts file and the activation file (or
 * `--manager`): names resolved as this system's resolver does (under `--root`, the root's hosts file first),
 * in the language of `t`. Null when neither a hosts file nor a manager is given.
 */
export async function openingsFor(
  sys: SystemContext,
  files: OpeningFiles,
  t: Translate,
  timeoutMs = 3_000,
): Promise<OpeningsReport | null> {
  const inp: OpeningInputs = {};
  if (files.hostsFile) inp.hostsFile = { path: files.hostsFile, entries: await loadManagerHosts(files.hostsFile) };
  let hasTenant = false;
  if (files.manager) {
    const m = parseActivationUrl(files.manager);
    if (!m) throw inputError('agent.activate.badManager', msg('agent.activate.badManager', { value: files.manager }));
    inp.manager = { ...m, saas: managerFlavour(m, false) === 'cloud-one', source: '--manager' };
  } else if (files.activationFile) {
    const a = await loadActivation(files.activationFile);
    hasTenant = a.args.some((x) => x.key === 'tenantID');
    inp.manager = {
      ...a.manager,
      saas: managerFlavour(a.manager, hasTenant) === 'cloud-one',
      source: files.activationFile,
    };
  }
  if (!inp.hostsFile && !inp.manager) return null;
  return openingsReport(inp, t, {
    hasTenant,
    timeoutMs,
    lookup: async (name) => {
      const r = await resolveLikeSystem(sys, name, timeoutMs);
      return r.ok ? [r.address] : [];
    },
  });
}
