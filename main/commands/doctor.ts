import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { runDoctor, DEFAULT_CHECK_TIMEOUT_MS } from '../core/doctor/runDoctor.js';
import { loadDoctorInputs } from '../core/doctor/inputs.js';
import { checkBundleTarget, manifestSummary, prepareSupportBundle } from '../core/bundle/bundle.js';
import { inputError, ExitCode } from '../core/errors.js';
import { msg, renderMessage } from '../core/message.js';
import { intIn } from './common.js';
import { doctorText } from './doctorText.js';
import { painter } from './textLayout.js';
import { exitBy } from '../core/deadline.js';
import { afterPrinting } from './afterPrinting.js';
import { doctorFixPlan, fixText } from '../core/doctor/fixPlan.js';
import { atomicWrite } from '../core/fsx.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

interface DoctorCliOptions {
  hostsFile?: string;
  activationFile?: string;
  manager?: string;
  tenantId?: string;
  token?: string;
  relay?: string[];
  target?: string[];
  ntpServer?: string;
  installer?: string;
  kernelList?: string;
  timeout?: number;
  deadline?: number;
  only?: string[];
  bundle?: string;
  proxy?: string;
  fix?: boolean;
  out?: string;
  force?: boolean;
}

/** Registers `dsa-setup doctor`. */
export function registerDoctor(program: Command, t: Translate): void {
  program
    .command('doctor')
    .description(t('doctor.help.command'))
    .option('--hosts-file <file>', t('doctor.help.hostsFile'))
    .option('--activation-file <file>', t('doctor.help.activationFile'))
    .option('--manager <url>', t('doctor.help.manager'))
    .option('--tenant-id <id>', t('doctor.help.tenantId'))
    .option('--token <token>', t('doctor.help.token'))
    .option('--relay <host[:port]>', t('doctor.help.relay'), collect)
    .option('--target <host:port>', t('doctor.help.target'), collect)
    .option('--ntp-server <host[:port]>', t('doctor.help.ntpServer'))
    .option('--installer <file>', t('doctor.help.installer'))
    .option('--kernel-list <file>', t('doctor.help.kernelList'))
    .option('--timeout <ms>', t('doctor.help.timeout', { ms: DEFAULT_CHECK_TIMEOUT_MS }), intIn(100, 600_000))
    .option('--deadline <ms>', t('doctor.help.deadline'), intIn(100, 600_000))
    .option('--only <id>', t('doctor.help.only'), collect)
    .option('--bundle <file>', t('doctor.help.bundle'))
    .option('--force', t('doctor.help.force'))
    .option('--proxy <host:port>', t('doctor.help.proxy'))
    .option('--fix', t('doctor.help.fix'))
    .option('--out <file>', t('doctor.help.out'))
    .action(doctorAction);
}

const doctorAction = afterPrinting(async (ctx, opts: DoctorCliOptions) => {
  const { timeout, deadline, only, bundle, force, fix, out, ...inputOpts } = opts;
  if (fix && !out)
    throw inputError('doctor.fixNeedsOut', msg('doctor.input.fixNeedsOut'), msg('doctor.input.fixNeedsOutRemedy'));
  if (bundle) await checkBundleTarget(bundle, Boolean(force));
  const timeoutMs = timeout ?? DEFAULT_CHECK_TIMEOUT_MS;
  const deadlineMs = deadline ?? timeoutMs * 2 + 1_000;
  // The run ends by its deadline + 0.5 s whatever holds it.
  // Counted from the process's start (performance.now() is 0 there).
  const hardStop = exitBy(deadlineMs - performance.now());
  const inputs = await loadDoctorInputs(inputOpts, ctx.lang);
  const result = await runDoctor(ctx.sys, inputs, { timeoutMs, deadlineMs, startedAt: 0, ...(only ? { only } : {}) });
  if (!ctx.json) ctx.say(doctorText(ctx.t, result, painter(process.stdout)));
  // The doctor's part is done; the plan and the bundle have their own time limits.
  clearTimeout(hardStop);
  if (fix && out) {
    const fixes = await doctorFixPlan(ctx.sys, inputs, result);
    await atomicWrite(out, JSON.stringify(fixes.plan, null, 2) + '\n', { mode: 0o600 });
    const text = fixText(ctx.t, out, fixes);
    if (ctx.json) ctx.warn(text);
    else ctx.say('\n' + text);
  }
  if (bundle) {
    // The summary (what is in it, what was masked, what was left out) comes before the archive is written.
    const prepared = await prepareSupportBundle(ctx.sys, bundle, { result, inputs, t: ctx.t });
    const show = (text: string): void => (ctx.json ? ctx.warn(text) : ctx.say(text));
    show('\n' + manifestSummary(ctx.t, bundle, prepared.manifest));
    // Who can read it, as read back (Windows and FAT keep no 0600).
    show(renderMessage(ctx.t, await prepared.write(bundle, Boolean(force))));
  }
  // With --json the one document comes last, so a failed bundle leaves only its error on stdout.
  if (ctx.json) ctx.printJson(result);
  return result.summary.fail > 0 ? ExitCode.failed : ExitCode.ok;
});
