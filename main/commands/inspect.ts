import type { Command } from 'commander';
import { inspectSystem, type Inspection } from '../core/platform/inspect.js';
import type { Translate } from '../core/i18n.js';
import { action } from './common.js';
import { prepInspectionRows } from '../core/prep/inspectPrep.js';

/** `inspect` as text: the facts, then the order-form values ready to copy. */
export function inspectionText(t: Translate, i: Inspection): string {
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
  const width = Math.max(...rows.map(([k]) => displayWidth(k)));
  const lines = [
    t('inspect.header', { root: i.root }),
    ...rows.map(([k, v]) => `  ${k}${' '.repeat(width - displayWidth(k))}  ${v}`),
  ];
  lines.push('', t('inspect.orderFormHeader'));
  lines.push(`  ${t('inspect.form.hostname')}: ${i.orderForm.hostname ?? unknown}`);
  lines.push(`  ${t('inspect.form.globalIp')}: ${i.orderForm.globalIp ?? t('inspect.form.globalIpUnknown')}`);
  lines.push(`  ${t('inspect.form.osType')}: ${i.orderForm.osType}`);
  lines.push(`  ${t('inspect.form.osVersion')}: ${i.orderForm.osVersion}`);
  return lines.join('\n');
}

/** Terminal columns a string takes (CJK characters take two). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}

/** Registers `dsa-setup inspect`. */
export function registerInspect(program: Command, t: Translate): void {
  program
    .command('inspect')
    .description(t('cli.help.inspect'))
    .action(
      action(async (ctx) => {
        const i = await inspectSystem(ctx.sys);
        if (ctx.json) ctx.printJson(i);
        else ctx.say(inspectionText(ctx.t, i));
        return 0;
      }),
    );
}
