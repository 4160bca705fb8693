import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { atomicWrite } from '../core/fsx.js';
import { checkRootDir } from '../core/engine/paths.js';
import { planFromOptions, type StepOptions } from '../core/steps/requests.js';
import { action } from './common.js';
import { planText } from './planText.js';
import { addStepOptions } from './stepOptions.js';
import { openingsFor } from '../core/openingsFor.js';
import { openingsText } from './openingsText.js';

/** Registers `dsa-setup plan`. */
export function registerPlan(program: Command, t: Translate): void {
  addStepOptions(program.command('plan').description(t('cli.help.plan')), t)
    .option('--out <file>', t('cli.help.out'))
    .action(
      action(async (ctx, opts: StepOptions & { out?: string }) => {
        checkRootDir(ctx.sys.live ? undefined : ctx.sys.root);
        const plan = await planFromOptions(ctx.sys, opts);
        if (opts.out) await atomicWrite(opts.out, JSON.stringify(plan, null, 2) + '\n', { mode: 0o600 });
        // What the security group / ACL outside the machine must allow, from the same inputs.
        const openings = await openingsFor(ctx.sys, opts, ctx.t);
        if (ctx.json) ctx.printJson({ ...plan, openings });
        else ctx.say([planText(ctx.t, plan), ...(openings ? ['', ...openingsText(ctx.t, openings)] : [])].join('\n'));
        return 0;
      }),
    );
}
