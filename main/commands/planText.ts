import type { Plan } from '../core/steps/types.js';
import type { Translate } from '../core/i18n.js';
import { renderMessage } from '../core/message.js';

/** A plan as text for the terminal: each step, its exact changes and notes. */
export function planText(t: Translate, plan: Plan): string {
  const out: string[] = [t('plan.header', { n: plan.steps.length })];
  for (const s of plan.steps) {
    out.push(`  [${s.id}] ${t(s.titleKey)} — ${s.upToDate ? t('plan.upToDate') : t('plan.willChange')}`);
    for (const c of s.changes) {
      if (c.kind === 'file') {
        out.push(`    ${c.path} (${t(`plan.action.${c.action}`)})`);
        for (const d of c.diff) out.push(`      ${d}`);
      } else {
        out.push(`    $ ${[c.command, ...c.args].join(' ')}${c.reason ? `   # ${renderMessage(t, c.reason)}` : ''}`);
      }
    }
    for (const n of s.notes) out.push(`    ${t('plan.note')}: ${renderMessage(t, n)}`);
    if (s.rebootRequired && !s.upToDate) out.push(`    ${t('plan.stepNeedsReboot')}`);
  }
  if (plan.steps.length === 0) out.push(`  ${t('plan.noSteps')}`);
  else if (plan.steps.every((s) => s.upToDate)) out.push(t('plan.nothingToDo'));
  if (plan.rebootRequired) out.push(t('plan.rebootRequired'));
  return out.join('\n');
}
