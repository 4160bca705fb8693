import { msg } from '../message.js';
import type { SystemContext } from '../system.js';
import { queryServiceState, type ServiceState } from './agentTools.js';
import { noProgress, sleep, type Progress } from '../progress.js';

/**
 * Waits (bounded) for the agent service to run, reporting progress every poll. Returns the last state seen;
 * `unknown` (a root whose service manager cannot be asked) ends the wait at once.
 */
export async function waitForAgentService(
  sys: SystemContext,
  opts: { timeoutMs: number; pollMs?: number; progress?: Progress },
): Promise<{ state: ServiceState; waitedMs: number }> {
  const started = Date.now();
  const poll = opts.pollMs ?? 1_000;
  for (;;) {
    const state = await queryServiceState(sys);
    const waitedMs = Date.now() - started;
    if (state === 'running' || state === 'unknown') return { state, waitedMs };
    if (waitedMs >= opts.timeoutMs) return { state, waitedMs };
    (opts.progress ?? noProgress)(
      msg('agent.install.waitingService', {
        seconds: Math.round(waitedMs / 1000),
        max: Math.round(opts.timeoutMs / 1000),
      }),
    );
    await sleep(Math.min(poll, Math.max(0, opts.timeoutMs - waitedMs)));
  }
}
