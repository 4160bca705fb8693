import type { Command } from 'commander';
import type { Translate } from '../core/i18n.js';
import { ExitCode } from '../core/errors.js';
import { agentStatus, isProtecting, statusVerdictKey, type AgentStatus } from '../core/agent/agentStatus.js';
import { action } from './common.js';
import { keyValueLines } from './textLayout.js';

/** `status` in plain words: one line per fact, then the modules, then the verdict. */
export function statusText(t: Translate, s: AgentStatus): string {
  const st = s.state;
  const unknown = t('common.unknown');
  const rows: [string, string][] = [
    [
      t('agent.status.installed'),
      st.installed === null
        ? unknown
        : st.installed
          ? t('agent.status.installedYes', { version: st.version ?? unknown })
          : t('agent.status.installedNo'),
    ],
    [t('agent.status.service'), t(`agent.status.serviceState.${st.service}`)],
    [
      t('agent.status.activation'),
      st.activated === null ? unknown : st.activated ? t('agent.status.activatedYes') : t('agent.status.activatedNo'),
    ],
    [t('agent.status.manager'), st.dsmUrl || t('common.none')],
    [t('agent.status.agentState'), st.agentState ?? unknown],
    [t('agent.status.lastContact'), st.lastContact || unknown],
  ];
  const lines = keyValueLines(rows);
  if (s.modules.length) {
    lines.push('', t('agent.status.modules'));
    for (const m of s.modules) lines.push(`  ${m.module}: ${m.mode ?? unknown}${m.version ? ` (${m.version})` : ''}`);
  }
  const plugins = Object.entries(s.plugins);
  if (plugins.length) {
    lines.push('', t('agent.status.plugins'));
    for (const [k, v] of plugins) lines.push(`  ${k}: ${v}`);
  }
  lines.push('', t(statusVerdictKey(s)));
  return [t('agent.status.header'), ...lines].join('\n');
}

/** Registers `dsa-setup status`. Exit 0 when the agent protects this machine, else 1. */
export function registerStatus(program: Command, t: Translate): void {
  program
    .command('status')
    .description(t('agent.help.status'))
    .action(
      action(async (ctx) => {
        const s = await agentStatus(ctx.sys);
        const protecting = isProtecting(s);
        if (ctx.json) ctx.printJson({ protecting, ...s, verdict: statusVerdictKey(s).split('.').pop() });
        else ctx.say(statusText(ctx.t, s));
        return protecting ? ExitCode.ok : ExitCode.failed;
      }),
    );
}
