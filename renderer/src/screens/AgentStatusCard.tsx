import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentStatusView } from '../../../main/core/ipc/contract';

/** The agent's status in plain words: the facts `dsa-setup status` shows, its modules, and the verdict. */
export function AgentStatusCard({ status }: { status: AgentStatusView }) {
  const { t } = useTranslation();
  const unknown = t('common.unknown');
  const rows: [string, string][] = [
    [
      t('agent.status.installed'),
      status.installed === null
        ? unknown
        : status.installed
          ? t('agent.status.installedYes', { version: status.version ?? unknown })
          : t('agent.status.installedNo'),
    ],
    [t('agent.status.service'), t(`agent.status.serviceState.${status.service}`)],
    [
      t('agent.status.activation'),
      status.activated === null
        ? unknown
        : status.activated
          ? t('agent.status.activatedYes')
          : t('agent.status.activatedNo'),
    ],
    [t('agent.status.manager'), status.dsmUrl ?? t('common.none')],
    [t('agent.status.agentState'), status.agentState ?? unknown],
    [t('agent.status.lastContact'), status.lastContact ?? unknown],
  ];
  return (
    <div className="card" data-testid="agent-status" data-protecting={String(status.protecting)}>
      <h3>{t('ui.activate.statusHeading')}</h3>
      <dl className="facts">
        {rows.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
      </dl>
      {status.modules.length > 0 && (
        <>
          <h4>{t('agent.status.modules')}</h4>
          <ul data-testid="agent-modules">
            {status.modules.map((m) => (
              <li key={m.module}>
                {m.module}: {m.mode ?? unknown}
                {m.version ? ` (${m.version})` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      <p data-testid="agent-verdict">{t(status.verdictKey)}</p>
    </div>
  );
}
