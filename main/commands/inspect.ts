import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { action } from './common.js';
import { keyValueLines } from './textLayout.js';
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
  lines.push(`  ${t('inspect.form.hostname')}: ${i.orderForm.hostname ?? unknown}`);
  lines.push(`  ${t('inspect.form.globalIp')}: ${i.orderForm.globalIp ?? t('inspect.form.globalIpUnknown')}`);
  lines.push(`  ${t('inspect.form.osType')}: ${i.orderForm.osType}`);
  lines.push(`  ${t('inspect.form.osVersion')}: ${i.orderForm.osVersion}`);
  return lines.join('\n');
}

/** Registers `dsa-setup inspect`. */
export function registerInspect(program: Command, t: Translate): void {
  program
    .command('inspect')
    .description(t('cli.help.inspect'))
    .action(
      action(async (ctx) => {
        const i = await systemReport(ctx.sys);
        if (ctx.json) ctx.printJson(i);
        else ctx.say(inspectionText(ctx.t, i));
        return 0;
      }),
    );
}
