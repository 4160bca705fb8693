import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { fail, DsaError, ExitCode } from '../core/errors.js';
import { readInputFile } from '../core/inputs/load.js';
import { inspectSystem } from '../core/platform/inspect.js';
import { redactJson, redactText } from '../core/secrets.js';
import { activateText } from './activateText.js';
import { platformKind } from '../core/platformText.js';
import { requestSecrets } from '../core/agent/activationArgs.js';
import { activationRequest, hostnameNotice, type ActivationRequestOptions } from '../core/agent/activationRequest.js';
import { msg, renderMessage } from '../core/message.js';
import { ACTIVATION_DEFAULTS, runActivation, type ActivationRun } from '../core/application/activation.js';
import { agentDownloadUrl, downloadAgentPackage } from '../core/agent/download.js';
import { checkInstallerMatch, expectedAgentPlatform, windowsArch } from '../core/agent/platform.js';
import { action, formatError, intIn, requireAdmin } from './common.js';
import { mismatchError } from '../core/agent/installStep.js';
import { afterPrinting } from './afterPrinting.js';
import { commandDeadline } from '../core/deadline.js';
import { doctorText } from './doctorText.js';

interface ActivateCliOptions extends ActivationRequestOptions {
  reset?: boolean;
  forceReset?: boolean;
  retries: number;
  retryDelay: number;
  timeout: number;
  wait: number;
  hostsFile?: string;
  doctor: boolean;
}

export { activateText } from './activateText.js';

/** Registers `dsa-setup activate`. */
export function registerActivate(program: Command, t: Translate): void {
  program
    .command('activate')
    .description(t('agent.help.activate'))
    .option('--activation-file <file>', t('agent.help.activationFile'))
    .option('--manager <url>', t('agent.help.manager'))
    .option('--tenant-id <id>', t('agent.help.tenantId'))
    .option('--token <token>', t('agent.help.token'))
    .option('--policy-id <n>', t('agent.help.policyId'))
    .option('--group-id <n>', t('agent.help.groupId'))
    .option('--hostname <name>', t('agent.help.hostname'))
    .option('--proxy <host:port>', t('agent.help.proxy'))
    .option('--proxy-auth <user:pass>', t('agent.help.proxyAuth'))
    .option('--password <password>', t('agent.help.password'))
    .option('--reset', t('agent.help.reset'))
    .option('--force-reset', t('agent.help.forceReset'))
    .option('--retries <n>', t('agent.help.retries'), intIn(0, 20), ACTIVATION_DEFAULTS.retries)
    .option('--retry-delay <seconds>', t('agent.help.retryDelay'), intIn(0, 3600), ACTIVATION_DEFAULTS.retryDelaySec)
    .option('--timeout <seconds>', t('agent.help.timeout'), intIn(1, 3600), ACTIVATION_DEFAULTS.timeoutSec)
    .option('--wait <seconds>', t('agent.help.wait'), intIn(0, 3600), ACTIVATION_DEFAULTS.contactWaitSec)
    .option('--hosts-file <file>', t('agent.help.hostsFile'))
    .option('--no-doctor', t('agent.help.noDoctor'))
    .action(
      afterPrinting(async (ctx, o: ActivateCliOptions) => {
        // Every agent command ends by --timeout, the whole run by its attempts, delays and contact wait.
        const delays = Array.from({ length: o.retries }, (_, n) => Math.min(o.retryDelay * 2 ** n, 600));
        // Room for the state queries before (package, service, dsa_query) and the doctor after a failure.
        const budgetSec = o.timeout * (o.retries + 4) + delays.reduce((a, b) => a + b, 0) + o.wait + 10;
        const { sys } = commandDeadline(ctx.sys, budgetSec * 1000, o.timeout * 1000);
        ctx = { ...ctx, sys };
        const req = await activationRequest(ctx.sys, o);
        const secrets = requestSecrets(req);
        ctx.warn(renderMessage(ctx.t, hostnameNotice(req, platformKind((await inspectSystem(ctx.sys)).os))));
        await requireAdmin(ctx);
        let run: ActivationRun;
        try {
          run = await runActivation(
            ctx.sys,
            req,
            {
              reset: Boolean(o.reset),
              forceReset: Boolean(o.forceReset),
              doctor: o.doctor,
              lang: ctx.lang,
              ...(o.hostsFile ? { hostsFile: o.hostsFile } : {}),
              timing: {
                retries: o.retries,
                retryDelaySec: o.retryDelay,
                timeoutSec: o.timeout,
                contactWaitSec: o.wait,
              },
            },
            { progress: (m) => ctx.warn(redactText(renderMessage(ctx.t, m), secrets)) },
          );
        } catch (e) {
          if (e instanceof DsaError) {
            // Every identity problem is named, the first one with its remedy in the error itself.
            const params = e.info.message.params;
            const more = e.code.startsWith('agent.activate.identity.')
              ? String(params.all ?? '')
                  .split(',')
                  .filter((k) => `agent.activate.identity.${k}` !== e.code)
              : [];
            for (const kind of more)
              if (kind)
                ctx.warn(redactText(renderMessage(ctx.t, msg(`agent.activate.identity.${kind}`, params)), secrets));
            throw new DsaError(redactJson(e.info, secrets), { exit: e.exitCode });
          }
          throw e;
        }
        if (ctx.json) ctx.printJson(redactJson(run, secrets));
        else {
          ctx.say(redactText(activateText(ctx.t, run), secrets));
          if (run.doctor) ctx.say('\n' + redactText(doctorText(ctx.t, run.doctor), secrets));
        }
        return run.ok ? ExitCode.ok : ExitCode.failed;
      }),
    );
}

interface DownloadCliOptions {
  managerUrl: string;
  tenantId?: string;
  caFile?: string;
  out: string;
  timeout: number;
}

/** Registers `dsa-setup download`: fetches the package that fits this system from the manager, then checks it. */
export function registerDownload(program: Command, t: Translate): void {
  program
    .command('download')
    .description(t('agent.help.download'))
    .requiredOption('--manager-url <url>', t('agent.help.managerUrl'))
    .option('--tenant-id <id>', t('agent.help.tenantId'))
    .option('--ca-file <file>', t('agent.help.caFile'))
    .option('--out <dir>', t('agent.help.out'), '.')
    .option('--timeout <seconds>', t('agent.help.downloadTimeout'), intIn(1, 3600), 600)
    .action(
      action(async (ctx, o: DownloadCliOptions) => {
        const secrets = o.tenantId ? [o.tenantId] : [];
        const ins = await inspectSystem(ctx.sys);
        const arch = ins.arch ?? (await windowsArch(ctx.sys));
        const platform = expectedAgentPlatform(ins.os, arch);
        if (!platform)
          throw fail(
            'agent.installer.unsupportedOs',
            msg('agent.installer.unsupportedOs', {
              os: `${ins.os.name} (${ins.os.id} ${ins.os.versionId})`,
              arch: arch ?? '?',
            }),
            { remedy: msg('agent.installer.unsupportedOsRemedy') },
          );
        const ca = o.caFile ? (await readInputFile(o.caFile)).toString('utf8') : undefined;
        const url = agentDownloadUrl(o.managerUrl, platform, o.tenantId);
        ctx.warn(
          redactText(ctx.t('agent.download.start', { platform: platform.platform, arch: platform.arch }), secrets),
        );
        const got = await downloadAgentPackage({
          url,
          platform,
          destDir: o.out,
          ...(ca ? { ca } : {}),
          timeoutMs: o.timeout * 1000,
          onProgress: (received, total) =>
            ctx.warn(
              ctx.t('agent.download.progress', {
                mb: (received / 1048576).toFixed(1),
                total: total ? (total / 1048576).toFixed(1) : '?',
              }),
            ),
        });
        const match = await checkInstallerMatch(ctx.sys, got.file);
        const result = { file: got.file, bytes: got.bytes, platform, ok: match.ok, reason: match.reason ?? null };
        if (ctx.json) ctx.printJson(redactJson(result, secrets));
        else {
          ctx.say(ctx.t('agent.download.saved', { file: got.file, bytes: got.bytes }));
          ctx.say(
            match.ok
              ? ctx.t(ctx.sys.os === 'windows' ? 'agent.download.fitsWindows' : 'agent.download.fits', {
                  file: got.file,
                })
              : formatError(ctx.t, mismatchError(match).info),
          );
        }
        return match.ok ? ExitCode.ok : ExitCode.failed;
      }),
    );
}
