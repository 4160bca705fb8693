import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { RevertPreviewView } from '../../../main/core/ipc/contract';
import { ownsAgent, useApp } from '../store';

/** One explicit choice of the confirmation: a checkbox named by its label. */
function Choice(props: { testId: string; checked: boolean; onChange(on: boolean): void; children: ReactNode }) {
  return (
    <label className="check-option">
      <input
        type="checkbox"
        data-testid={props.testId}
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />{' '}
      {props.children}
    </label>
  );
}

/**
 * The revert confirmation: what will be undone and what will not; the explicit choices to uninstall the agent
 * package the run installed (off: it stays; on: deactivated first) and to reset newer activations.
 */
export function RevertConfirm({ preview }: { preview: RevertPreviewView }) {
  const { t } = useTranslation();
  const deactivate = useApp((s) => s.revertDeactivate);
  const setDeactivate = useApp((s) => s.setRevertDeactivate);
  const removeAgent = useApp((s) => s.revertRemoveAgent);
  const setRemoveAgent = useApp((s) => s.setRevertRemoveAgent);
  const revert = useApp((s) => s.revert);
  const cancel = useApp((s) => s.cancelRevert);
  const reverting = useApp((s) => s.reverting);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const n = preview.activations.length;
  const agent = preview.agent;
  const ownAgent = ownsAgent(preview);
  const removing = removeAgent && ownAgent;
  return (
    <div
      className="card revert-confirm"
      role="group"
      aria-labelledby="revert-confirm-title"
      data-testid="revert-confirm"
      ref={ref}
      tabIndex={-1}
    >
      <h3 id="revert-confirm-title">{t('ui.revert.title', { run: preview.runId })}</h3>
      <p>{t('ui.revert.undone')}</p>
      <ul data-testid="revert-undone">
        {preview.files.map((f) => (
          <li key={f}>
            {t('ui.revert.file')} <code>{f}</code>
          </li>
        ))}
        {preview.undo.map((u, i) => (
          <li key={i}>
            {t('ui.revert.command')} <code>{u.command}</code>
          </li>
        ))}
        {removing && (
          <li>
            {t('ui.revert.uninstallAgent')} <code>{agent.removal}</code>
          </li>
        )}
        {deactivate && n > 0 && <li>{t('ui.revert.resetActivation')}</li>}
        {preview.files.length === 0 && preview.undo.length === 0 && !removing && !(deactivate && n > 0) && (
          <li>{t('ui.revert.nothing')}</li>
        )}
      </ul>
      <p>{t('ui.revert.kept')}</p>
      <ul data-testid="revert-kept">
        {ownAgent && !removing && <li>{t('ui.revert.agentInstalledByRunStays', { version: agent.version ?? '?' })}</li>}
        {agent.removal !== null && !ownAgent && <li>{t('ui.revert.agentGone')}</li>}
        {agent.removal === null && agent.installed === true && <li>{t('ui.revert.agentStays')}</li>}
        {n > 0 && !deactivate && <li>{t('ui.revert.activationStays')}</li>}
        <li>{t('ui.revert.othersStay')}</li>
      </ul>
      {ownAgent && (
        <Choice testId="revert-remove-agent" checked={removeAgent} onChange={setRemoveAgent}>
          {t('ui.revert.removeAgent')}
        </Choice>
      )}
      {removing && (
        <p className="warning" data-testid="revert-remove-agent-note">
          {agent.activatedWith !== null
            ? t('ui.revert.removeAgentActivated', { url: agent.activatedWith })
            : t('ui.revert.removeAgentDeactivates')}
        </p>
      )}
      {n > 0 && (
        <Choice testId="revert-deactivate" checked={deactivate} onChange={setDeactivate}>
          {t('ui.revert.deactivate')}
        </Choice>
      )}
      <div className="actions">
        <button type="button" data-testid="revert-cancel" disabled={reverting} onClick={cancel}>
          {t('ui.revert.cancel')}
        </button>
        <button
          type="button"
          className="primary"
          data-testid="revert-confirm-button"
          disabled={reverting}
          onClick={() => void revert()}
        >
          {reverting ? t('ui.revert.running') : t('ui.revert.confirm')}
        </button>
      </div>
    </div>
  );
}

/** After a revert: one consistent account of what was restored and what stays, and the way to apply again. */
export function RevertedSummary() {
  const { t } = useTranslation();
  const r = useApp((s) => s.reverted);
  const go = useApp((s) => s.go);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  if (!r) return null;
  return (
    <div className="card result ok" role="status" data-testid="reverted" ref={ref} tabIndex={-1}>
      <p className="result-title">{t('ui.apply.reverted', { run: r.runId, n: r.files.length })}</p>
      <ul>
        {r.files.map((f) => (
          <li key={f.path}>
            <code>{f.path}</code>: {t(`revert.file.${f.restored}`)}
          </li>
        ))}
        {r.commands.map((c, i) => (
          <li key={i}>
            <code>{[c.command, ...c.args].join(' ')}</code> ({c.exitCode ?? '?'})
          </li>
        ))}
      </ul>
      <p data-testid="reverted-kept">
        {r.agent === 'removed'
          ? t(r.deactivated ? 'ui.revert.after.agentDeactivatedRemoved' : 'ui.revert.after.agentRemoved')
          : r.agent === 'alreadyRemoved'
            ? t('ui.revert.after.agentAlreadyRemoved')
            : r.agent === 'kept'
              ? t(r.agentInstalled === false ? 'ui.revert.agentGone' : 'ui.revert.after.agentKept')
              : r.agentInstalled === true
                ? t('ui.revert.after.agentStays')
                : ''}{' '}
        {r.activationsReset > 0
          ? t('ui.revert.after.activationReset')
          : r.activationsKept > 0
            ? t('ui.revert.after.activationStays')
            : ''}
      </p>
      {r.rebootRequired && <p className="warning">↻ {t('revert.rebootNeeded')}</p>}
      <div className="actions">
        <button type="button" data-testid="review-again" onClick={() => go('plan')}>
          {t('ui.revert.after.reviewAgain')}
        </button>
      </div>
    </div>
  );
}
