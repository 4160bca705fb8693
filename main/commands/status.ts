import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { ExitCode } from '../core/errors.js';
import {
  agentStatus,
  isProtecting,
  statusVerdictKey,
  toStatusView,
  type AgentStatus,
} from '../core/agent/agentStatus.js';
import { moduleLine, statusRows } from '../core/ipc/statusRows.js';
import { intIn } from './common.js';
import { afterPrinting } from './afterPrinting.js';
import { commandDeadline } from '../core/deadline.js';
import { keyValueLines, painter, type Paint } from './textLayout.js';

/** `status` in plain words: one line per fact, then the modules, then the verdict. */
export function statusText(
  t: Translate,
  s: AgentStatus,
  paint: (format: Paint, text: string) => string = (_f, text) => text,
): string {
  const view = toStatusView(s);
  const lines = keyValueLines(statusRows(t, view));
  if (view.modules.length) {
    lines.push('', t('agent.status.modules'));
    for (const m of view.modules) lines.push(`  ${moduleLine(t, m)}`);
  }
  const plugins = Object.entries(s.plugins);
  if (plugins.length) {
    lines.push('', t('agent.status.plugins'));
    for (const [k, v] of plugins) lines.push(`  ${k}: ${v}`);
  }
  lines.push('', paint(view.protecting ? 'green' : 'red', t(view.verdictKey)));
  return [t('agent.status.header'), ...lines].join('\n');
}

/** Registers `dsa-setup status`. Exit 0 when the agent protects this machine, else 1. */
export function registerStatus(program: Command, t: Translate): void {
  program
    .command('status')
    .description(t('agent.help.status'))
    .option('--timeout <seconds>', t('agent.help.statusTimeout'), intIn(1, 3600), 30)
    .action(
      afterPrinting(async (ctx, o: { timeout: number }) => {
        // The whole status ends by --timeout (+ 0.5 s), whatever the agent's tools do.
        const { sys } = commandDeadline(ctx.sys, o.timeout * 1000);
        const s = await agentStatus(sys);
        const protecting = isProtecting(s);
        if (ctx.json) ctx.printJson({ protecting, ...s, verdict: statusVerdictKey(s).split('.').pop() });
        else ctx.say(statusText(ctx.t, s, painter(process.stdout)));
        return protecting ? ExitCode.ok : ExitCode.failed;
      }),
    );
}
