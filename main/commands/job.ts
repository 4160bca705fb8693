import { renderMessage } from '../core/message.js';
import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { ExitCode } from '../core/errors.js';
import { createSystemContext } from '../core/system.js';
import { loadJobArgs, runJob } from '../core/application/jobs.js';
import { applyExitCode } from './apply.js';
import { action, requireAdmin } from './common.js';

/**
 * Registers `dsa-setup job --args FILE` (hidden): the elevated half of the app's one elevation mechanism. It
 * reads the 0600 args file the app wrote (every user-given path is in there, none on the command line),
 * validates it, runs the job once and prints one JSON document; progress is in the run's journal.
 */
export function registerJob(program: Command, t: Translate): void {
  program
    .command('job', { hidden: true })
    .description(t('cli.help.job'))
    .requiredOption('--args <file>', t('cli.help.jobArgs'))
    .action(
      action(async (ctx, o: { args: string }) => {
        const args = await loadJobArgs(o.args);
        const sys = createSystemContext(args.root ? { root: args.root } : {});
        await requireAdmin({ ...ctx, sys });
        const out = await runJob(sys, args, { progress: (m) => ctx.warn(renderMessage(ctx.t, m)) });
        ctx.printJson(out);
        if ('outcome' in out) return out.ok ? ExitCode.ok : ExitCode.failed;
        // A revert that printed its outcome restored everything (a failed one throws); a reboot may remain.
        if (!('steps' in out)) return out.rebootRequired ? ExitCode.needsReboot : ExitCode.ok;
        return applyExitCode(out);
      }),
    );
}
