import { queryAgentState } from '../agent/agentState.js';
import { Journal } from '../engine/journal.js';
import { newerActivations } from '../engine/revert.js';
import { isAgentPackageEvent, runSummaries } from '../engine/runs.js';
import { fail, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import type { RevertPreviewView } from '../ipc/contract.js';
import type { SystemContext } from '../system.js';

/**
 * What reverting a run will undo and what it will leave, read from its journal before anything is touched:
 * the files it wrote (restored), the commands with an undo (run newest first), the agent package this run
 * installed (kept unless its removal is chosen; then deactivated first when it is activated), and what
 * stays — newer activations (undone only with the explicit choice, `dsa_control -r`).
 */
export async function revertPreview(sys: SystemContext, runId: string): Promise<RevertPreviewView> {
  const runs = runSummaries(sys);
  const me = runs.find((r) => r.runId === runId);
  if (!me)
    throw fail('revert.noSuchRun', msg('revert.noSuchRun', { run: runId, runs: '-' }), { exit: ExitCode.badInput });
  const undo: RevertPreviewView['undo'] = [];
  let removal: string | null = null;
  for (const e of Journal.open(sys, runId).events())
    if (e.type === 'command' && e.revert && !e.readBack) {
      const command = [e.revert.command, ...e.revert.args].join(' ');
      if (isAgentPackageEvent(e)) removal = command;
      else undo.unshift({ step: e.step, command });
    }
  // Read unprivileged: what cannot be told (the agent's own query may need rights) is null, never a guess.
  const agent = await queryAgentState(sys).catch(() => null);
  return {
    runId,
    job: me.job === 'activate' ? 'activate' : 'apply',
    reverted: me.reverted,
    files: me.files,
    undo,
    agent: {
      removal,
      installed: agent?.installed ?? null,
      version: agent?.version ?? null,
      activatedWith: agent?.activated ? (agent.dsmUrl ?? '?') : null,
    },
    activations: newerActivations(sys, runId, runs).map((r) => r.runId),
  };
}
