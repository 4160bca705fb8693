import { msg, renderMessage } from '../core/message.js';
import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import {
  checkNotReverted,
  newerActivations,
  pickRun,
  revertRun,
  type AgentChoice,
  type RevertOutcome,
} from '../core/engine/revert.js';
import { runSummaries, type RunState, type RunSummary } from '../core/engine/runs.js';
import { checkRootDir } from '../core/engine/paths.js';
import { revertPreview } from '../core/application/revertPreview.js';
import { ExitCode, inputError } from '../core/errors.js';
import { action, confirmOrRefuse, requireAdmin, type CliContext } from './common.js';

const STATE_KEY: Record<RunState, string> = {
  applied: 'revert.list.applied',
  interrupted: 'revert.list.interrupted',
  reverted: 'revert.list.reverted',
  'reverted-agent-kept': 'revert.list.revertedAgentKept',
  nothing: 'revert.list.nothing',
};

function runLine(ctx: CliContext, r: RunSummary): string {
  const what = [...r.files, ...r.commands].join(', ') || (r.job === 'activate' ? 'dsa_control -a' : '-');
  return `  #${r.seq} ${r.runId}  ${r.startedAt}  ${r.job}  ${ctx.t(STATE_KEY[r.state])}\n      ${what}`;
}

/** The closing line of a revert: what happened to the agent package the run installed, in the admin's words. */
function doneLine(ctx: CliContext, o: RevertOutcome): string {
  if (o.agent === 'kept') return ctx.t('revert.doneAgentKept', { run: o.runId });
  if (o.agent === 'alreadyRemoved') return ctx.t('revert.doneAgentAlreadyRemoved', { run: o.runId });
  if (o.agent === 'removed')
    return ctx.t(o.deactivated ? 'revert.doneAgentDeactivatedRemoved' : 'revert.doneAgentRemoved', { run: o.runId });
  return ctx.t(o.deactivated ? 'revert.deactivated' : 'revert.done', { run: o.runId });
}

/** `--keep-agent` / `--remove-agent` as the engine's choice (unset: the default, removal). */
function agentChoice(opts: { keepAgent?: boolean; removeAgent?: boolean }): AgentChoice | undefined {
  if (opts.keepAgent && opts.removeAgent)
    throw inputError('revert.agentChoiceConflict', msg('revert.agentChoiceConflict'));
  return opts.keepAgent ? 'keep' : opts.removeAgent ? 'remove' : undefined;
}

type RevertFlags = {
  run?: string;
  list?: boolean;
  deactivate?: boolean;
  keepAgent?: boolean;
  removeAgent?: boolean;
  yes?: boolean;
};

/** Registers `dsa-setup revert`. */
export function registerRevert(program: Command, t: Translate): void {
  program
    .command('revert')
    .description(t('cli.help.revert'))
    .option('--run <id>', t('cli.help.run'))
    .option('--list', t('cli.help.revertList'))
    .option('--deactivate', t('cli.help.deactivate'))
    .option('--keep-agent', t('cli.help.keepAgent'))
    .option('--remove-agent', t('cli.help.removeAgent'))
    .option('-y, --yes', t('cli.help.yes'))
    .action(
      action(async (ctx, opts: RevertFlags) => {
        checkRootDir(ctx.sys.live ? undefined : ctx.sys.root);
        if (opts.list) {
          const runs = runSummaries(ctx.sys);
          if (ctx.json) ctx.printJson({ runs: [...runs].reverse() });
          else
            ctx.say(
              [
                ctx.t('revert.list.header', { n: runs.length }),
                ...[...runs].reverse().map((r) => runLine(ctx, r)),
              ].join('\n'),
            );
          return ExitCode.ok;
        }
        const agent = agentChoice(opts);
        const runId = pickRun(ctx.sys, opts.run);
        const me = runSummaries(ctx.sys).find((r) => r.runId === runId);
        if (me) checkNotReverted(me, agent ? { agent } : {});
        // Keeping the agent leaves its activation alone: --deactivate would do nothing, so it is refused.
        if (agent === 'keep' && opts.deactivate && me?.job !== 'activate')
          throw inputError('revert.keepAgentNoDeactivate', msg('revert.keepAgentNoDeactivate'));
        await requireAdmin(ctx);
        ctx.say(ctx.t('revert.about', { run: runId }));
        // What becomes of the agent package this run installed is said before the question.
        const pkg = me?.agentInstalled ? (await revertPreview(ctx.sys, runId)).agent : null;
        const removal = pkg?.removal;
        if (removal && me?.agentKept && agent === 'remove')
          ctx.warn(ctx.t('revert.keptAgentWillBeRemoved', { run: runId, command: removal }));
        else if (removal && !me?.reverted && agent === 'keep')
          ctx.say(ctx.t('revert.agentWillStay', { version: pkg.version ?? ctx.t('value.unknown') }));
        else if (removal && !me?.reverted) ctx.warn(ctx.t('revert.agentWillBeRemoved', { command: removal }));
        if (opts.deactivate) ctx.warn(ctx.t('revert.deactivateSays'));
        for (const a of newerActivations(ctx.sys, runId)) ctx.warn(ctx.t('revert.activationKept', { run: a.runId }));
        if (!(await confirmOrRefuse(ctx, opts.yes, 'revert.confirm'))) {
          ctx.say(ctx.t('apply.cancelled'));
          return ExitCode.failed;
        }
        const outcome = await revertRun(ctx.sys, runId, {
          deactivate: opts.deactivate === true,
          ...(agent ? { agent } : {}),
          onNotice: (m) => ctx.warn(renderMessage(ctx.t, m)),
        });
        if (ctx.json) ctx.printJson({ ok: true, ...outcome });
        else {
          for (const f of outcome.files) ctx.say(`  ${f.path}: ${ctx.t(`revert.file.${f.restored}`)}`);
          for (const c of outcome.commands) ctx.say(`  $ ${[c.command, ...c.args].join(' ')} (${c.exitCode})`);
          ctx.say(doneLine(ctx, outcome));
          if (outcome.rebootRequired) ctx.say(ctx.t('revert.rebootNeeded'));
        }
        return outcome.rebootRequired ? ExitCode.needsReboot : ExitCode.ok;
      }),
    );
}
