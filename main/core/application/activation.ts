import { activateAgent, type ActivateOptions, type ActivateResult } from '../agent/activate.js';
import type { ActivationRequest } from '../agent/activationArgs.js';
import { agentStatus, type AgentStatus } from '../agent/agentStatus.js';
import type { Lang } from '../i18n.js';
import type { SystemContext } from '../system.js';
import type { JobContext } from './jobContext.js';

/** The one timing policy of an activation (the CLI's defaults, the window's in-process and elevated runs). */
export const ACTIVATION_DEFAULTS = {
  retries: 0,
  retryDelaySec: 60,
  timeoutSec: 120,
  contactWaitSec: 120,
} as const satisfies Omit<ActivateOptions, 'reset' | 'progress'>;

/** An activation with what explains it: the doctor's checks on failure (`doctor`), the agent's status on success. */
export interface ActivationRun extends ActivateResult {
  status: AgentStatus | null;
}

export interface ActivationJob {
  reset: boolean;
  /** With `reset`: reset even when the new manager cannot be reached from here. */
  forceReset?: boolean;
  /** The manager hosts file, so the doctor checks it (before a reset, and on failure). */
  hostsFile?: string;
  /** Run the doctor's checks that bear on a failure (default true). */
  doctor?: boolean;
  timing?: Partial<Omit<ActivateOptions, 'reset' | 'progress'>>;
  lang: Lang;
}

/**
 * Activates the agent as one job (progress to `ctx`): a reset only after the doctor reached the new manager, on
 * failure the doctor's checks for that manager (in the result's `doctor`), after success the agent's status
 * (what `dsa-setup status` shows).
 */
export async function runActivation(
  sys: SystemContext,
  req: ActivationRequest,
  job: ActivationJob,
  ctx: JobContext,
): Promise<ActivationRun> {
  const result = await activateAgent(sys, req, {
    ...ACTIVATION_DEFAULTS,
    ...job.timing,
    reset: job.reset,
    forceReset: job.forceReset === true,
    check: { lang: job.lang, ...(job.hostsFile ? { hostsFile: job.hostsFile } : {}) },
    doctorOnFailure: job.doctor !== false,
    progress: (m) => ctx.progress(m),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const status = result.ok ? await agentStatus(sys) : null;
  return { ...result, status };
}
