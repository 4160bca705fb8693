import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { pickRun, revertRun } from '../core/engine/revert.js';
import { ExitCode } from '../core/errors.js';
import { action, confirmOrRefuse, requireAdmin } from './common.js';

/** Registers `dsa-setup revert`. */
export function registerRevert(program: Command, t: Translate): void {
  program
    .command('revert')
    .description(t('cli.help.revert'))
    .option('--run <id>', t('cli.help.run'))
    .option('-y, --yes', t('cli.help.yes'))
    .action(
      action(async (ctx, opts: { run?: string; yes?: boolean }) => {
        const runId = pickRun(ctx.sys, opts.run);
        await requireAdmin(ctx);
        ctx.say(ctx.t('revert.about', { run: runId }));
        if (!(await confirmOrRefuse(ctx, opts.yes, 'revert.confirm'))) {
          ctx.say(ctx.t('apply.cancelled'));
          return ExitCode.failed;
        }
        const outcome = await revertRun(ctx.sys, runId);
        if (ctx.json) ctx.printJson({ ok: true, ...outcome });
        else {
          for (const f of outcome.files) ctx.say(`  ${f.path}: ${ctx.t(`revert.file.${f.restored}`)}`);
          for (const c of outcome.commands) ctx.say(`  $ ${[c.command, ...c.args].join(' ')} (${c.exitCode})`);
          ctx.say(ctx.t('revert.done', { run: runId }));
        }
        return ExitCode.ok;
      }),
    );
}
