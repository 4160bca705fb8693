import { msg } from '../message.js';
import type { SystemContext } from '../system.js';
import { queryServiceState, type ServiceState } from './agentTools.js';
import { noProgress, sleep, type Progress } from '../progress.js';

/** How long the service must keep running once seen running: an agent that starts and then dies is no success. */
const SERVICE_SETTLE_MS = 2_000;

/** What a wait for the agent service saw. */
export interface ServiceWait {
  /** The last state seen. */
  state: ServiceState;
  waitedMs: number;
  /** The service was seen running, then stopped within the settle time (it started, then died). */
  died?: boolean;
}

/**
 * Waits (bounded) for the agent service to run, reporting progress every poll, then checks that it keeps
 * running for `settleMs` (at most the wait itself): a service seen running and then stopped is `died`.
 * `unknown` (a root whose service manager cannot be asked) ends the wait at once.
 */
export async function waitForAgentService(
  sys: SystemContext,
  opts: { timeoutMs: number; pollMs?: number; settleMs?: number; progress?: Progress },
): Promise<ServiceWait> {
  const started = Date.now();
  const poll = opts.pollMs ?? 1_000;
  const settle = Math.min(opts.settleMs ?? SERVICE_SETTLE_MS, opts.timeoutMs);
  const progress = opts.progress ?? noProgress;
  let runningSince: number | null = null;
  for (;;) {
    const state = await queryServiceState(sys);
    const now = Date.now();
    const waitedMs = now - started;
    if (state === 'unknown') return { state, waitedMs };
    if (state === 'running') {
      runningSince ??= now;
      const left = settle - (now - runningSince);
      if (left <= 0) return { state, waitedMs };
      progress(msg('agent.install.confirmingService', { seconds: Math.round(waitedMs / 1000) }));
      await sleep(Math.min(poll, left));
      continue;
    }
    if (runningSince !== null) return { state, waitedMs, died: true };
    if (waitedMs >= opts.timeoutMs) return { state, waitedMs };
    progress(
      msg('agent.install.waitingService', {
        seconds: Math.round(waitedMs / 1000),
        max: Math.round(opts.timeoutMs / 1000),
      }),
    );
    await sleep(Math.min(poll, Math.max(0, opts.timeoutMs - waitedMs)));
  }
}
