import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentStatusView } from '../../../main/core/ipc/contract';
import { moduleLine, statusRows } from '../../../main/core/ipc/statusRows';

/** An ISO time as local date and time with the zone (as given when it is not a time). */
export function localTime(iso: string | null, lang: string): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  // dateStyle/timeStyle cannot be combined with timeZoneName: the fields are named one by one.
  return d.toLocaleString(lang, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  });
}

/** The agent's status in plain words: the facts `dsa-setup status` shows, its modules, and the verdict. */
export function AgentStatusCard({ status }: { status: AgentStatusView }) {
  const { t, i18n } = useTranslation();
  // The shared presentation takes a plain translate function.
  const tr = (key: string, params?: Record<string, unknown>): string => t(key, params ?? {});
  // The state in words (the manager's colour kept in brackets), the last contact in local time with its zone.
  const state = status.agentState
    ? t(`ui.activate.agentState.${status.agentState.toLowerCase()}`, { defaultValue: status.agentState })
    : null;
  const rows = statusRows(tr, {
    ...status,
    agentState: state,
    lastContact: localTime(status.lastContact, i18n.language),
  });
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
