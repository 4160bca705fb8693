import { resolve } from 'node:path';
import { DsaError, ExitCode, inputError } from '../errors.js';
import { buildPlan, type StepRequest } from '../engine/plan.js';
import type { SystemContext } from '../system.js';
import type { Plan } from './types.js';
import { loadManagerHosts } from '../inputs/load.js';
import { prepRequests, type PrepOptions } from '../prep/requests.js';

/** The inputs and flags that select steps (the CLI's options and the GUI's form share this shape). */
export interface StepOptions extends PrepOptions {
  hostsFile?: string;
  /** Rewrite a UTF-16 hosts file as UTF-8 (backed up) instead of refusing it. */
  rewriteUtf16Hosts?: boolean;
  /** Agent package (.rpm/.deb/.msi) or the portal's ZIP: the `install` step. */
  installer?: string;
  /** Supported-kernel list checked by the `install` step. */
  kernelList?: string;
  /** Seconds the `install` step waits for the agent service (default 120). */
  serviceWait?: string;
}

/** The steps whose inputs or flags are given, in registry order, with their inputs loaded and parsed. */
export async function stepRequests(opts: StepOptions): Promise<StepRequest[]> {
  const out: StepRequest[] = [];
  const entries = opts.hostsFile ? await loadManagerHosts(opts.hostsFile) : [];
  if (opts.hostsFile)
    out.push({
      stepId: 'hosts',
      input: { source: opts.hostsFile, entries, ...(opts.rewriteUtf16Hosts ? { rewriteUtf16: true } : {}) },
    });
  out.push(...prepRequests(opts, entries));
  if (opts.kernelList && !opts.installer)
    throw inputError('agent.install.kernelListNeedsInstaller', 'agent.install.kernelListNeedsInstaller', {
      file: opts.kernelList,
    });
  if (opts.installer)
    out.push({
      stepId: 'install',
      input: {
        installer: resolve(opts.installer),
        ...(opts.kernelList ? { kernelList: resolve(opts.kernelList) } : {}),
        ...(opts.serviceWait !== undefined ? { serviceWaitSec: Number(opts.serviceWait) } : {}),
      },
    });
  return out;
}

/** The plan for the steps the options select; no step selected is bad input (exit 2). */
export async function planFromOptions(sys: SystemContext, opts: StepOptions): Promise<Plan> {
  const requests = await stepRequests(opts);
  if (requests.length === 0)
    throw new DsaError({ code: 'cli.noSteps', messageKey: 'cli.noSteps', params: {}, exitCode: ExitCode.badInput });
  return buildPlan(sys, requests);
}
