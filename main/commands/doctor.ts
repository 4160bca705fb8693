import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { runDoctor, DEFAULT_CHECK_TIMEOUT_MS } from '../core/doctor/runDoctor.js';
import { loadDoctorInputs } from '../core/doctor/inputs.js';
import { checkBundleTarget, manifestSummary, prepareSupportBundle } from '../core/bundle/bundle.js';
import { ExitCode } from '../core/errors.js';
import { action, intIn } from './common.js';
import { doctorText, useColour } from './doctorText.js';

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
    .action(
      action(async (ctx, opts: DoctorCliOptions) => {
        const { timeout, deadline, only, bundle, force, ...inputOpts } = opts;
        if (bundle) await checkBundleTarget(bundle, Boolean(force));
        const inputs = await loadDoctorInputs(inputOpts, ctx.lang);
        const result = await runDoctor(ctx.sys, inputs, {
          ...(timeout ? { timeoutMs: timeout } : {}),
          ...(deadline ? { deadlineMs: deadline } : {}),
          ...(only ? { only } : {}),
        });
        if (!ctx.json) ctx.say(doctorText(ctx.t, result, useColour(process.stdout)));
        if (bundle) {
          // The summary (what is in it, what was masked, what was left out) comes before the archive is written.
          const prepared = await prepareSupportBundle(ctx.sys, bundle, { result, inputs, t: ctx.t });
          const show = (text: string): void => (ctx.json ? ctx.warn(text) : ctx.say(text));
          show('\n' + manifestSummary(ctx.t, bundle, prepared.manifest));
          await prepared.write(bundle, Boolean(force));
          show(ctx.t('report.bundle.written', { file: bundle }));
        }
        // With --json the one document comes last, so a failed bundle leaves only its error on stdout.
        if (ctx.json) ctx.printJson(result);
        return result.summary.fail > 0 ? ExitCode.failed : ExitCode.ok;
      }),
    );
}
