import { join } from 'node:path';
import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { applyPlan, parsePlan, planAndApply, type ApplyOutcome } from '../core/engine/apply.js';
import { planIsEmpty } from '../core/engine/plan.js';
import { checkRootDir } from '../core/engine/paths.js';
import { summarizeRun } from '../core/engine/runs.js';
import { readEvents, runsDir } from '../core/engine/journal.js';
import { hasStepOptions, planFromOptions, type StepOptions } from '../core/steps/requests.js';
import { fail, ExitCode } from '../core/errors.js';
import { loadJson } from '../core/inputs/load.js';
import { msg, renderMessage, type Message } from '../core/message.js';
import type { Plan } from '../core/steps/types.js';
import { action, confirmOrRefuse, requireAdmin, formatError, type CliContext } from './common.js';
import { isAdmin } from '../core/system.js';
import { planText } from './planText.js';
import { addStepOptions } from './stepOptions.js';

/** Exit code of an apply: 1 when a step failed, 4 when a reboot is needed, else 0. */
export function applyExitCode(o: ApplyOutcome): number {
  if (!o.ok) return o.steps.find((s) => s.status === 'failed' && s.exitCode !== undefined)?.exitCode ?? ExitCode.failed;
  return o.rebootRequired ? ExitCode.needsReboot : ExitCode.ok;
}

function outcomeText(ctx: CliContext, o: ApplyOutcome): string {
  const lines = o.steps.map((s) => {
    // "applied" only when the read-back confirmed it; otherwise the step ran but what it saw says why not.
    const status = s.status === 'applied' && s.verified === false ? 'notConfirmed' : s.status;
    const head = `  [${s.id}] ${ctx.t(`apply.status.${status}`)}`;
    if (s.error) return `${head}\n${formatError(ctx.t, s.error).replace(/^/gm, '    ')}`;
    return s.detail ? `${head}: ${renderMessage(ctx.t, s.detail)}` : head;
  });
  if (o.runId) lines.push(ctx.t('apply.journal', { run: o.runId, dir: o.journalDir ?? '' }));
  if (o.runId && !o.ok) {
    // A run that failed before it touched anything (a full disk at the first backup) has nothing to undo.
    // Only this run's journal is read (not every run's).
    const events = readEvents(join(runsDir(ctx.sys), o.runId));
    const changed = events.length === 0 || summarizeRun(o.runId, 0, events).changed;
    lines.push(changed ? ctx.t('apply.revertHint', { run: o.runId }) : ctx.t('apply.nothingChanged'));
  }
  if (o.rebootRequired) lines.push(ctx.t('apply.rebootNow'));
  return lines.join('\n');
}

/** The answer when the plan has nothing to do: exit 0, no run. */
function nothingToDo(ctx: CliContext, plan: Plan): number {
  if (ctx.json)
    ctx.printJson({
      ok: true,
      runId: null,
      rebootRequired: false,
      steps: plan.steps.map((s) => ({ id: s.id, status: 'unchanged' })),
    });
  return ExitCode.ok;
}

/** Reads and validates a plan file (`apply --plan FILE`): bounded, in any encoding an editor saves it in. */
async function readPlanFile(file: string): Promise<Plan> {
  return parsePlan(file, await loadJson(file));
}

/** Registers `dsa-setup apply`. */
export function registerApply(program: Command, t: Translate): void {
  addStepOptions(program.command('apply').description(t('cli.help.apply')), t)
    .option('--plan <file>', t('cli.help.planFile'))
    .option('-y, --yes', t('cli.help.yes'))
    .action(
      action(async (ctx, opts: StepOptions & { plan?: string; yes?: boolean }) => {
        checkRootDir(ctx.sys.live ? undefined : ctx.sys.root);
        // The plan file says what runs: a step flag next to it would be silently ignored, so it is refused.
        if (opts.plan !== undefined && hasStepOptions(opts))
          throw fail('cli.planWithStepOptions', msg('cli.planWithStepOptions', { file: opts.plan }), {
            exit: ExitCode.badInput,
          });
        const hooks = {
          onProgress: (step: string, m: Message) => ctx.warn(`  [${step}] ${renderMessage(ctx.t, m)}`),
          onNotice: (m: Message) => ctx.warn(renderMessage(ctx.t, m)),
        };
        const report = (outcome: ApplyOutcome): number => {
          if (ctx.json) ctx.printJson(outcome);
          else ctx.say(outcomeText(ctx, outcome));
          return applyExitCode(outcome);
        };
        // Nobody to ask and rights to act: plan holding the lock and run that plan, without planning twice.
        const admin = opts.plan === undefined && opts.yes ? await isAdmin(ctx.sys) : undefined;
        if (admin) {
          const r = await planAndApply(
            ctx.sys,
            () => planFromOptions(ctx.sys, opts),
            (p) => ctx.say(planText(ctx.t, p)),
            hooks,
          );
          return r.outcome ? report(r.outcome) : nothingToDo(ctx, r.plan);
        }
        const plan = opts.plan !== undefined ? await readPlanFile(opts.plan) : await planFromOptions(ctx.sys, opts);
        ctx.say(planText(ctx.t, plan));
        if (planIsEmpty(plan)) return nothingToDo(ctx, plan);
        await requireAdmin(ctx, admin);
        if (!(await confirmOrRefuse(ctx, opts.yes, 'apply.confirm'))) {
          ctx.say(ctx.t('apply.cancelled'));
          return ExitCode.failed;
        }
        return report(await applyPlan(ctx.sys, plan, hooks));
      }),
    );
}
