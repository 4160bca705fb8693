import { renderMessage } from '../core/message.js';
import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { newerActivations, pickRun, revertRun } from '../core/engine/revert.js';
import { runSummaries, type RunSummary } from '../core/engine/runs.js';
import { checkRootDir } from '../core/engine/paths.js';
import { ExitCode } from '../core/errors.js';
import { action, confirmOrRefuse, requireAdmin, type CliContext } from './common.js';

function runLine(ctx: CliContext, r: RunSummary): string {
  const state = r.reverted
    ? ctx.t('revert.list.reverted')
    : !r.finished
      ? ctx.t('revert.list.interrupted')
      : r.changed
        ? ctx.t('revert.list.applied')
        : ctx.t('revert.list.nothing');
  const what = [...r.files, ...r.commands].join(', ') || (r.job === 'activate' ? 'dsa_control -a' : '-');
  return `  #${r.seq} ${r.runId}  ${r.startedAt}  ${r.job}  ${state}\n      ${what}`;
}

/** Registers `dsa-setup revert`. */
export function registerRevert(program: Command, t: Translate): void {
  program
    .command('revert')
    .description(t('cli.help.revert'))
    .option('--run <id>', t('cli.help.run'))
    .option('--list', t('cli.help.revertList'))
    .option('--deactivate', t('cli.help.deactivate'))
    .option('-y, --yes', t('cli.help.yes'))
    .action(
      action(async (ctx, opts: { run?: string; list?: boolean; deactivate?: boolean; yes?: boolean }) => {
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
        const runId = pickRun(ctx.sys, opts.run);
        await requireAdmin(ctx);
        ctx.say(ctx.t('revert.about', { run: runId }));
        if (opts.deactivate) ctx.warn(ctx.t('revert.deactivateSays'));
        for (const a of newerActivations(ctx.sys, runId)) ctx.warn(ctx.t('revert.activationKept', { run: a.runId }));
        if (!(await confirmOrRefuse(ctx, opts.yes, 'revert.confirm'))) {
          ctx.say(ctx.t('apply.cancelled'));
          return ExitCode.failed;
        }
        const outcome = await revertRun(ctx.sys, runId, {
          deactivate: opts.deactivate === true,
          onNotice: (m) => ctx.warn(renderMessage(ctx.t, m)),
        });
        if (ctx.json) ctx.printJson({ ok: true, ...outcome });
        else {
          for (const f of outcome.files) ctx.say(`  ${f.path}: ${ctx.t(`revert.file.${f.restored}`)}`);
          for (const c of outcome.commands) ctx.say(`  $ ${[c.command, ...c.args].join(' ')} (${c.exitCode})`);
          ctx.say(ctx.t(outcome.deactivated ? 'revert.deactivated' : 'revert.done', { run: runId }));
          if (outcome.rebootRequired) ctx.say(ctx.t('revert.rebootNeeded'));
        }
        return outcome.rebootRequired ? ExitCode.needsReboot : ExitCode.ok;
      }),
    );
}
