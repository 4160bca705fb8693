import { useTranslation } from 'react-i18next';
import { useMessage } from '../i18n';
import type { ProgressEvent } from '../../../main/core/ipc/contract';
import { useApp } from '../store';
import { ErrorPanel } from '../components/ErrorPanel';
import { CommandBlock } from '../components/CommandBlock';
import { ScreenTitle } from '../components/ScreenTitle';

const ICON: Record<string, string> = {
  'step.start': '▸',
  'step.done': '✔',
  'step.failed': '✖',
  'step.skipped': '–',
  'file.write': '✎',
  'file.delete': '✎',
  command: '$',
  'run.start': '▶',
  'run.done': '■',
};

function ProgressLine({ e }: { e: ProgressEvent }) {
  const { t } = useTranslation();
  const what = e.path ?? e.command ?? (e.step ? t(`ui.apply.stepName.${e.step}`, { defaultValue: e.step }) : '');
  return (
    <li data-testid="progress-event" data-type={e.type}>
      <span aria-hidden="true">{ICON[e.type] ?? '•'} </span>
      {t(`ui.apply.event.${e.type.replace('.', '_')}`, { defaultValue: e.type })} {what && <code>{what}</code>}
      {e.type === 'step.done' && e.verified === false && ` — ${t('ui.apply.notVerified')}`}
    </li>
  );
}

/** Applies the reviewed plan with one elevation, shows live progress from the journal, offers revert. */
export function Apply() {
  const { t } = useTranslation();
  const m = useMessage();
  const plan = useApp((s) => s.plan);
  const applying = useApp((s) => s.applying);
  const progress = useApp((s) => s.progress);
  const applied = useApp((s) => s.applied);
  const appliedPlanId = useApp((s) => s.appliedPlanId);
  const reverted = useApp((s) => s.reverted);
  const info = useApp((s) => s.info);
  const error = useApp((s) => s.errors.apply);
  const revertError = useApp((s) => s.errors.revert);
  const apply = useApp((s) => s.apply);
  const revert = useApp((s) => s.revert);
  const go = useApp((s) => s.go);
  return (
    <section data-testid="screen-apply" aria-busy={applying}>
      <ScreenTitle>{t('ui.apply.heading')}</ScreenTitle>
      <p>{info?.admin ? t('ui.apply.introAdmin') : t('ui.apply.intro')}</p>
      {!plan && <p className="note">{t('ui.apply.noPlanYet')}</p>}
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-testid="apply"
          disabled={!plan || applying || appliedPlanId === plan.planId}
          onClick={() => void apply()}
        >
          {applying ? t('ui.apply.running') : t('ui.apply.start')}
        </button>
      </div>
      <ErrorPanel error={error} />
      {progress.length > 0 && (
        <ol className="progress" aria-live="polite" data-testid="progress">
          {progress.map((e, i) => (
            <ProgressLine key={i} e={e} />
          ))}
        </ol>
      )}
      {applied?.outcome === 'manual' && applied.manual && (
        <div className="card manual" data-testid="manual">
          <p>{t(`ui.apply.${applied.manual.reason}`)}</p>
          <p>{t('ui.apply.manualRun')}</p>
          <CommandBlock command={applied.manual.command} testId="manual-command" />
        </div>
      )}
      {applied && applied.outcome !== 'manual' && (
        <div className={`card result ${applied.ok ? 'ok' : 'bad'}`} data-testid="apply-result" role="status">
          <p>
            {applied.outcome === 'nothing'
              ? t('ui.apply.nothing')
              : applied.ok
                ? t('ui.apply.done', { run: applied.runId ?? '' })
                : t('ui.apply.failed', { run: applied.runId ?? '' })}
          </p>
          <ul>
            {applied.steps.map((s) => (
              <li key={s.id}>
                {t(`ui.apply.stepName.${s.id}`, { defaultValue: s.id })}: {t(`ui.apply.status.${s.status}`)}
                {s.detail && ` — ${m(s.detail)}`}
                <ErrorPanel error={s.error} />
              </li>
            ))}
          </ul>
          {applied.rebootRequired && (
            <p className="warning" data-testid="reboot">
              ↻ {t('ui.apply.reboot')}
            </p>
          )}
        </div>
      )}
      {applied?.runId && (
        <div className="actions">
          <button type="button" data-testid="revert" disabled={!!reverted} onClick={() => void revert()}>
            ↩ {t('ui.apply.revert')}
          </button>
        </div>
      )}
      <ErrorPanel error={revertError} />
      {reverted && (
        <p role="status" data-testid="reverted">
          {t('ui.apply.reverted', { run: reverted.runId, n: reverted.files })}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => go('plan')}>
          {t('ui.back')}
        </button>
        <button type="button" className="primary" data-testid="to-activate" onClick={() => go('activate')}>
          {t('ui.apply.next')}
        </button>
      </div>
    </section>
  );
}
