import type { ActivateResult } from '../core/agent/activate.js';
import type { Translate } from '../core/i18n.js';
import { renderMessage } from '../core/message.js';
import { statusValue } from '../core/statusValues.js';

/** The agent's output, indented under a heading, so it cannot be read as dsa-setup's own text. */
function outputBlock(t: Translate, output: string, exitCode: number | null): string[] {
  const head = t('agent.activate.output', { exit: exitCode ?? t('value.unknown') });
  if (!output.trim()) return [head, `  ${t('agent.activate.outputEmpty')}`];
  return [head, ...output.split(/\r?\n/).map((l) => `  | ${l}`)];
}

/**
 * The text of an activation result, in the user's language. A failure shows the reason, the remedy worded for
 * the platform and the manager, and the agent's whole answer (masked) with its exit code; never "registered".
 */
export function activateText(t: Translate, r: ActivateResult): string {
  const lines: string[] = [];
  for (const p of r.identity) lines.push(t(`agent.activate.identity.${p.kind}`, p.params));
  if (r.reset) lines.push(t('agent.activate.didReset', { was: r.previousManager ?? t('value.unknown') }));
  for (const a of r.attempts)
    lines.push(
      t('agent.activate.attemptLine', {
        n: a.n,
        reason: t(`agent.activate.reason.${a.reason}`, { detail: a.detail }),
        ms: a.ms,
      }),
    );
  if (r.outcome.ok) {
    lines.push(t('agent.activate.accepted', { manager: r.manager }));
    if (r.outcome.managerCommands.length)
      lines.push(t('agent.activate.managerCommands', { commands: r.outcome.managerCommands.join(', ') }));
    if (r.contact?.reached) lines.push(t('agent.activate.inContact', { url: r.contact.state.dsmUrl ?? r.manager }));
    else
      lines.push(
        t('agent.activate.noContact', {
          seconds: Math.round((r.contact?.waitedMs ?? 0) / 1000),
          state: renderMessage(t, statusValue(r.contact?.state.agentState)),
        }),
        `${t('cli.remedyPrefix')}: ${t('agent.activate.noContactRemedy')}`,
      );
  } else {
    lines.push(`${t('cli.errorPrefix')}: ${renderMessage(t, r.outcome.message)}`);
    lines.push(`${t('cli.remedyPrefix')}: ${renderMessage(t, r.remedy ?? r.outcome.remedy)}`);
    if (r.previousManager && !r.reset) lines.push(t('agent.activate.stillWith', { was: r.previousManager }));
    else if (r.previousManager) lines.push(t('agent.activate.wasWith', { was: r.previousManager }));
    const last = r.attempts.at(-1);
    if (last) lines.push(...outputBlock(t, last.output, last.exitCode));
  }
  lines.push(t('agent.activate.journal', { run: r.runId, dir: r.journalDir }));
  return lines.join('\n');
}
