import { Journal } from '../engine/journal.js';
import { newerActivations } from '../engine/revert.js';
import { runSummaries } from '../engine/runs.js';
import { fail, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import type { RevertPreviewView } from '../ipc/contract.js';
import type { SystemContext } from '../system.js';

/**
 * What reverting a run will undo and what it will leave, read from its journal before anything is touched:
 * the files it wrote (restored), the commands with an undo (run newest first, an agent package this run
 * installed included), and what stays — an agent this run did not install, newer activations (undone only
 * with the explicit choice, `dsa_control -r`).
 */
export function revertPreview(sys: SystemContext, runId: string): RevertPreviewView {
  const me = runSummaries(sys).find((r) => r.runId === runId);
  if (!me)
    throw fail('revert.noSuchRun', msg('revert.noSuchRun', { run: runId, runs: '-' }), { exit: ExitCode.badInput });
  const undo: RevertPreviewView['undo'] = [];
  for (const e of Journal.open(sys, runId).events())
    if (e.type === 'command' && e.revert && !e.readBack)
      undo.unshift({ step: e.step, command: [e.revert.command, ...e.revert.args].join(' ') });
  return {
    runId,
    job: me.job === 'activate' ? 'activate' : 'apply',
    reverted: me.reverted,
    files: me.files,
    undo,
    removesAgent: undo.some((u) => u.step === 'install'),
    activations: newerActivations(sys, runId).map((r) => r.runId),
  };
}
