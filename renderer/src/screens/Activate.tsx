import { useTranslation } from 'react-i18next';
import { useApp } from '../store';
import { ErrorPanel } from '../components/ErrorPanel';
import { ScreenTitle } from '../components/ScreenTitle';
import { CheckTable } from './CheckTable';

/** Runs the activation; the result in plain words, and on failure the reason, remedy and relevant checks. */
export function Activate() {
  const { t } = useTranslation();
  const info = useApp((s) => s.info);
  const activation = useApp((s) => s.inputs.activation);
  const busy = useApp((s) => s.activating);
  const result = useApp((s) => s.activation);
  const activity = useApp((s) => s.activity);
  const error = useApp((s) => s.errors.activate);
  const activate = useApp((s) => s.activate);
  const go = useApp((s) => s.go);
  const openHelp = useApp((s) => s.openHelp);
  const available = info?.features.activate ?? false;
  return (
    <section data-testid="screen-activate" aria-busy={busy}>
      <ScreenTitle>{t('ui.activate.heading')}</ScreenTitle>
      <p>{t('ui.activate.intro')}</p>
      {activation?.kind === 'activation' && (
        <p>
          {t('ui.activate.target', {
            url: activation.url,
            hostname: activation.hostname ?? t('ui.inputs.hostnameNone'),
          })}
        </p>
      )}
      {!available && (
        <p className="note unavailable-reason" data-testid="activate-unavailable">
          {t('ui.unavailable.activate')}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-testid="activate"
          disabled={!available || busy || !activation}
          onClick={() => void activate()}
        >
          {busy ? t('ui.activate.running') : t('ui.activate.start')}
        </button>
      </div>
      {busy && activity && (
        <p role="status" aria-live="polite" data-testid="activity">
          {t(activity.key, activity.params)}
        </p>
      )}
      <ErrorPanel error={error} />
      {result && (
        <div
          className={`card result ${result.ok ? 'ok' : 'bad'}`}
          role="status"
          data-testid="activation-result"
          data-ok={String(result.ok)}
        >
          <p className="big">
            {result.ok ? '✔ ' : '✖ '}
            {t(result.messageKey, result.params)}
          </p>
          {!result.ok && result.remedyKey && (
            <p data-testid="activation-remedy">
              <strong>{t('ui.error.remedy')}</strong> {t(result.remedyKey, result.params)}
            </p>
          )}
          {!result.ok && result.checks.length > 0 && (
            <>
              <h3>{t('ui.activate.checks')}</h3>
              <CheckTable checks={result.checks} />
            </>
          )}
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={() => go('apply')}>
          {t('ui.back')}
        </button>
        <button type="button" onClick={() => go('diagnose')}>
          {t('ui.activate.toDiagnose')}
        </button>
        <button type="button" data-testid="open-help" onClick={() => void openHelp()}>
          {t('ui.activate.help')} ↗
        </button>
      </div>
    </section>
  );
}
