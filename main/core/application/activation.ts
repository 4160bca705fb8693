import { activateAgent, type ActivateOptions, type ActivateResult } from '../agent/activate.js';
import type { ActivationRequest } from '../agent/activationArgs.js';
import { agentStatus, type AgentStatus } from '../agent/agentStatus.js';
import { loadDoctorInputs } from '../doctor/inputs.js';
import { runDoctor, type DoctorResult } from '../doctor/runDoctor.js';
import type { Lang } from '../i18n.js';
import { activationUrl } from '../inputs/activation.js';
import type { SystemContext } from '../system.js';
import type { JobContext } from './jobContext.js';

/** The one timing policy of an activation (the CLI's defaults, the window's in-process and elevated runs). */
export const ACTIVATION_DEFAULTS = {
  retries: 0,
  retryDelaySec: 60,
  timeoutSec: 120,
  contactWaitSec: 120,
} as const satisfies Omit<ActivateOptions, 'reset' | 'progress'>;

/** An activation with what explains it: the doctor's checks on failure, the agent's status on success. */
export interface ActivationRun extends ActivateResult {
  doctor: DoctorResult | null;
  status: AgentStatus | null;
}

export interface ActivationJob {
  reset: boolean;
  /** The manager hosts file, so the doctor checks it on failure. */
  hostsFile?: string;
  /** Run the doctor's checks that bear on a failure (default true). */
  doctor?: boolean;
  timing?: Partial<Omit<ActivateOptions, 'reset' | 'progress'>>;
  lang: Lang;
  /** Told which checks run before the doctor starts (the CLI says so on stderr). */
  onDoctor?: (checks: string[]) => void;
}

/**
 * Activates the agent as one job (progress to `ctx`), then on failure runs the doctor's checks that can tell
 * what is wrong, and after success reads the agent's status (what `dsa-setup status` shows).
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
    progress: (m) => ctx.progress(m),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  let doctor: DoctorResult | null = null;
  if (!result.outcome.ok && job.doctor !== false && result.outcome.doctorChecks.length) {
    const arg = (key: string) => req.args.find((a) => a.key === key)?.value;
    job.onDoctor?.(result.outcome.doctorChecks);
    const tenantId = arg('tenantID');
    const token = arg('token');
    const inputs = await loadDoctorInputs(
      {
        manager: activationUrl(req.manager),
        ...(job.hostsFile ? { hostsFile: job.hostsFile } : {}),
        ...(tenantId ? { tenantId } : {}),
        ...(token ? { token } : {}),
      },
      job.lang,
    );
    doctor = await runDoctor(sys, inputs, { only: result.outcome.doctorChecks });
  }
  const status = result.ok ? await agentStatus(sys) : null;
  return { ...result, doctor, status };
}
