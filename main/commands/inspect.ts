import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { action } from './common.js';
import { keyValueLines } from './textLayout.js';
import { openingsFor, type OpeningFiles } from '../core/openingsFor.js';
import { openingsText } from './openingsText.js';
import { prepInspectionRows, systemReport, type SystemReport } from '../core/prep/inspectPrep.js';

/** `inspect` as text: the facts, then the order-form values ready to copy. */
export function inspectionText(t: Translate, i: SystemReport): string {
  const unknown = t('common.unknown');
  const agent =
    i.agent.installed === null
      ? t('inspect.agentUnknown', { via: i.agent.via })
      : i.agent.installed
        ? t('inspect.agentInstalled', { version: i.agent.version ?? unknown })
        : t('inspect.agentNotInstalled');
  const rows: [string, string][] = [
    [t('inspect.os'), `${i.os.name} (${i.os.id} ${i.os.versionId})`],
    [t('inspect.family'), i.os.family],
    [t('inspect.kernel'), i.kernel ?? unknown],
    [t('inspect.arch'), i.arch ?? unknown],
    [t('inspect.hostname'), i.hostname ?? unknown],
    [
      t('inspect.addresses'),
      i.addresses
        ? i.addresses
            .filter((a) => a.scope !== 'loopback')
            .map((a) => `${a.address} (${a.iface}, ${t(`inspect.scope.${a.scope}`)})`)
            .join(', ') || t('common.none')
        : t('inspect.addressesOffline'),
    ],
    [t('inspect.agent'), agent],
    ...prepInspectionRows(t, i.prep),
  ];
  const lines = [t('inspect.header', { root: i.root }), ...keyValueLines(rows)];
  lines.push('', t('inspect.orderFormHeader'));
  const win = i.os.family === 'windows';
  lines.push(
    `  ${t(win ? 'inspect.form.hostnameWindows' : 'inspect.form.hostname')}: ${i.orderForm.hostname ?? unknown}`,
  );
  lines.push(`  ${t('inspect.form.globalIp')}: ${i.orderForm.globalIp ?? t('inspect.form.globalIpUnknown')}`);
  lines.push(`  ${t('inspect.form.osType')}: ${i.orderForm.osType}`);
  lines.push(`  ${t(win ? 'inspect.form.osVersionWindows' : 'inspect.form.osVersion')}: ${i.orderForm.osVersion}`);
  return lines.join('\n');
}

/** Registers `dsa-setup inspect`. */
export function registerInspect(program: Command, t: Translate): void {
  program
    .command('inspect')
    .description(t('cli.help.inspect'))
    .option('--hosts-file <file>', t('inspect.help.hostsFile'))
    .option('--activation-file <file>', t('inspect.help.activationFile'))
    .option('--manager <url>', t('inspect.help.manager'))
    .action(
      action(async (ctx, o: OpeningFiles) => {
        const i = await systemReport(ctx.sys);
        // The security group / ACL openings, when the inputs tell the manager.
        const openings = await openingsFor(ctx.sys, o, ctx.t);
        if (ctx.json) ctx.printJson({ ...i, openings });
        else
          ctx.say([inspectionText(ctx.t, i), ...(openings ? ['', ...openingsText(ctx.t, openings)] : [])].join('\n'));
        return 0;
      }),
    );
}
