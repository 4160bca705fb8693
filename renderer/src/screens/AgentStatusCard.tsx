import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentStatusView } from '../../../main/core/ipc/contract';
import { moduleLine, statusRows } from '../../../main/core/ipc/statusRows';

/** The agent's status in plain words: the facts `dsa-setup status` shows, its modules, and the verdict. */
export function AgentStatusCard({ status }: { status: AgentStatusView }) {
  const { t } = useTranslation();
  // The shared presentation takes a plain translate function.
  const tr = (key: string, params?: Record<string, unknown>): string => t(key, params ?? {});
  const rows = statusRows(tr, status);
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
              <li key={m.module}>{moduleLine(tr, m)}</li>
            ))}
          </ul>
        </>
      )}
      <p data-testid="agent-verdict">{t(status.verdictKey)}</p>
    </div>
  );
}
