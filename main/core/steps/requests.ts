import { fail, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import { buildPlan, type StepRequest } from '../engine/plan.js';
import type { SystemContext } from '../system.js';
import type { Plan, StepOptions } from './types.js';
import { loadManagerHosts } from '../inputs/load.js';
import { STEPS } from './registry.js';

export type { StepOptions } from './types.js';

/** The steps the options select, in registry order, each input built by its own descriptor. */
export async function stepRequests(opts: StepOptions, sys?: SystemContext): Promise<StepRequest[]> {
  const entries = opts.hostsFile ? await loadManagerHosts(opts.hostsFile) : [];
  const out: StepRequest[] = [];
  for (const step of STEPS) {
    const input = await step.fromOptions(opts, { entries, ...(sys ? { sys } : {}) });
    if (input !== null && input !== undefined) out.push({ stepId: step.id, input });
  }
  return out;
}

/** True when any step flag or input is given (`apply --plan` refuses them: the plan file says what runs). */
export function hasStepOptions(opts: StepOptions): boolean {
  return (
    [opts.hostsFile, opts.installer, opts.kernelList, opts.serviceWait, opts.firewallAllow].some(
      (v) => v !== undefined,
    ) ||
    Boolean(
      opts.rewriteUtf16Hosts || opts.disableIpv6 || opts.disableScep || opts.openFirewall || opts.managerInitiated,
    )
  );
}

/** The plan for the steps the options select; no step selected is bad input (exit 2). */
export async function planFromOptions(sys: SystemContext, opts: StepOptions): Promise<Plan> {
  const requests = await stepRequests(opts, sys);
  if (requests.length === 0) throw fail('cli.noSteps', msg('cli.noSteps'), { exit: ExitCode.badInput });
  return buildPlan(sys, requests);
}
