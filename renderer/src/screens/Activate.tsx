import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useMessage } from '../i18n';
import { useApp } from '../store';
import { ErrorPanel } from '../components/ErrorPanel';
import { RemedyForms } from '../components/RemedyForms';
import { ScreenTitle } from '../components/ScreenTitle';
import { CheckTable } from './CheckTable';
import { AgentStatusCard } from './AgentStatusCard';

/** Runs the activation; the result in plain words, and on failure the reason, remedy and relevant checks. */
export function Activate() {
  const { t } = useTranslation();
  const m = useMessage();
  const activation = useApp((s) => s.inputs.activation);
  const busy = useApp((s) => s.activating);
  const result = useApp((s) => s.activation);
  const activity = useApp((s) => s.activity);
  const error = useApp((s) => s.errors.activate);
  const activate = useApp((s) => s.activate);
  const go = useApp((s) => s.go);
  const openHelp = useApp((s) => s.openHelp);
  const options = useApp((s) => s.activationOptions);
  const setOptions = useApp((s) => s.setActivationOptions);
  const thisHost = useApp((s) => s.inspection?.hostname ?? null);
  const doneRef = useRef<HTMLDivElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  // The result takes the focus when it arrives.
  useEffect(() => {
    if (result) resultRef.current?.focus();
  }, [result]);
  const fileHost = activation?.kind === 'activation' ? activation.hostname : null;
  const fallback = fileHost
    ? t('ui.activate.hostnameFallbackFile', { name: fileHost })
    : t('ui.activate.hostnameFallbackSystem', { name: thisHost ?? '?' });
  return (
    <section data-testid="screen-activate" aria-busy={busy}>
      <ScreenTitle>{t('ui.activate.heading')}</ScreenTitle>
      <p>{t('ui.activate.intro')}</p>
      {activation?.kind === 'activation' && (
        <p>
          {t('ui.activate.target', {
            url: activation.url,
            hostname: options.hostname.trim() || (activation.hostname ?? t('ui.inputs.hostnameNone')),
          })}
        </p>
      )}
      <fieldset className="card" disabled={busy}>
        <legend>{t('ui.activate.options')}</legend>
        <p>
          <label htmlFor="activate-hostname">{t('ui.activate.hostnameLabel')}</label>
          <br />
          <input
            id="activate-hostname"
            type="text"
            autoComplete="off"
            spellCheck={false}
            maxLength={253}
            data-testid="activate-hostname"
            aria-describedby="activate-hostname-help"
            placeholder={fileHost ?? thisHost ?? ''}
            value={options.hostname}
            onChange={(e) => setOptions({ hostname: e.target.value })}
          />
          <br />
          <span id="activate-hostname-help" className="hint">
            {t('ui.activate.hostnameHelp', { fallback })}
          </span>
        </p>
        <label>
          <input
            type="checkbox"
            data-testid="activate-reset"
            checked={options.reset}
            onChange={(e) => setOptions({ reset: e.target.checked })}
          />{' '}
          {t('ui.activate.reset')}
        </label>
      </fieldset>
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-testid="activate"
          disabled={busy || !activation}
          aria-describedby={activation ? undefined : 'activate-why'}
          onClick={() => void activate()}
        >
          {busy ? t('ui.activate.running') : t('ui.activate.start')}
        </button>
      </div>
      {!activation && (
        <div className="note" data-testid="activate-why">
          <p id="activate-why">{t('ui.activate.whyDisabled')}</p>
          <button type="button" onClick={() => go('inputs')}>
            {t('ui.diagnose.goTo.inputs')}
          </button>
        </div>
      )}
      {busy && activity && (
        <p role="status" aria-live="polite" data-testid="activity">
          {m(activity)}
        </p>
      )}
      <ErrorPanel error={error} />
      {error?.code.startsWith('agent.activate.identity.') && !options.reset && (
        <p className="hint" data-testid="reset-hint">
          {t('ui.activate.resetHint')}
        </p>
      )}
      {result && (
        <div
          className={`card result ${result.ok ? 'ok' : 'bad'}`}
          role="status"
          data-testid="activation-result"
          data-ok={String(result.ok)}
          ref={resultRef}
          tabIndex={-1}
        >
          <p className="big">
            {result.ok ? '✔ ' : '✖ '}
            {m(result.message)}
          </p>
          {result.hostname && (
            <p data-testid="activation-hostname">
              {t('ui.activate.usedHostname', {
                name: result.hostname.value,
                source:
                  result.hostname.source === 'flag'
                    ? t('ui.activate.hostnameEntered')
                    : t(`agent.activate.hostnameSource.${result.hostname.source}`),
              })}
            </p>
          )}
          {!result.ok && result.remedy && (
            <p data-testid="activation-remedy">
              <strong>{t('ui.error.remedy')}</strong> {m(result.remedy)}
            </p>
          )}
          {!result.ok && result.remedy && <RemedyForms remedy={result.remedy} testId="activation-remedy-forms" />}
          {!result.ok && result.agentOutput && (
            <div data-testid="activation-output">
              <h3>{t('agent.activate.output', { exit: result.agentOutput.exitCode ?? '?' })}</h3>
              <pre>{result.agentOutput.text || t('agent.activate.outputEmpty')}</pre>
            </div>
          )}
          {!result.ok && result.checks.length > 0 && (
            <>
              <h3>{t('ui.activate.checks')}</h3>
              <CheckTable checks={result.checks} />
            </>
          )}
        </div>
      )}
      {result?.status && <AgentStatusCard status={result.status} />}
      {result?.ok && (
        <div className="card done" data-testid="activation-done" ref={doneRef} tabIndex={-1}>
          <h3>✔ {t('ui.activate.done.heading')}</h3>
          <p>{t('ui.activate.done.next')}</p>
          <ul>
            <li>{t('ui.activate.done.console')}</li>
            <li>{t('ui.activate.done.diagnose')}</li>
          </ul>
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
