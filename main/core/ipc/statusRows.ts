import type { AgentStatusView } from './contract.js';
import { renderMessage } from '../message.js';
import { statusValue, timeRef } from '../statusValues.js';

type Translate = (key: string, params?: Record<string, unknown>) => string;

/**
 * The agent's status as label/value rows in plain words: installed (version), service, activation, manager,
 * agent state, last contact. One presentation for `dsa-setup status` and the app (pure: the renderer uses it too).
 */
export function statusRows(t: Translate, s: AgentStatusView): [string, string][] {
  const unknown = t('common.unknown');
  const yesNo = (v: boolean | null, yes: string, no: string): string => (v === null ? unknown : v ? yes : no);
  return [
    [
      t('agent.status.installed'),
      yesNo(
        s.installed,
        t('agent.status.installedYes', { version: s.version ?? unknown }),
        t('agent.status.installedNo'),
      ),
    ],
    [t('agent.status.service'), t(`agent.status.serviceState.${s.service}`)],
    [t('agent.status.activation'), yesNo(s.activated, t('agent.status.activatedYes'), t('agent.status.activatedNo'))],
    [t('agent.status.manager'), s.dsmUrl || t('common.none')],
    // Status values in the reader's words (the raw value after them where it is jargon), times local with the zone.
    [t('agent.status.agentState'), s.agentState ? renderMessage(t, statusValue(s.agentState)) : unknown],
    [t('agent.status.lastContact'), s.lastContact ? renderMessage(t, timeRef(s.lastContact)) : unknown],
  ];
}

/** One protection module as a line: `AM: on (20.0.0-2395)`. */
export function moduleLine(t: Translate, m: AgentStatusView['modules'][number]): string {
  const mode = m.mode ? renderMessage(t, statusValue(m.mode)) : t('common.unknown');
  return `${m.module}: ${mode}${m.version ? ` (${m.version})` : ''}`;
}
