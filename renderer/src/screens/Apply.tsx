import { useEffect, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useMessage } from '../i18n';
import type { PlanView, ProgressEvent } from '../../../main/core/ipc/contract';
import { useApp } from '../store';
import { ErrorPanel } from '../components/ErrorPanel';
import { CommandBlock } from '../components/CommandBlock';
import { ScreenTitle } from '../components/ScreenTitle';
import { RevertConfirm, RevertedSummary } from './RevertPanel';

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

/** A step's name in words; a step the window has no name for says so, its id in parentheses. */
function stepName(t: TFunction, id: string): string {
  return t(`ui.apply.stepName.${id}`, { defaultValue: t('ui.apply.stepName.other', { id }) });
}

function ProgressLine({ e }: { e: ProgressEvent }) {
  const { t } = useTranslation();
  const what = e.path ?? e.command ?? (e.step ? stepName(t, e.step) : '');
  return (
    <li data-testid="progress-event" data-type={e.type}>
      <span aria-hidden="true">{ICON[e.type] ?? '•'} </span>
      {t(`ui.apply.event.${e.type.replace('.', '_')}`, {
        defaultValue: t('ui.apply.event.other', { type: e.type }),
      })}{' '}
      {what && <code>{what}</code>}
      {e.type === 'step.done' && e.verified === false && ` — ${t('ui.apply.notVerified')}`}
    </li>
  );
}

/** Seconds since `since`, ticking once a second while shown. */
function Elapsed({ since }: { since: number }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return <span className="elapsed">{t('ui.apply.elapsed', { s: Math.max(0, Math.floor((now - since) / 1000)) })}</span>;
}

type StepState = 'pending' | 'running' | 'done' | 'unconfirmed' | 'failed' | 'skipped';

/** Step n/N of the running plan: each step with its state, the running one with a spinner and its time. */
function RunSteps({ plan, progress }: { plan: PlanView; progress: ProgressEvent[] }) {
  const { t } = useTranslation();
  const started = useApp((s) => s.stepStarted);
  const steps = plan.steps.filter((s) => !s.upToDate);
  const state = (id: string): StepState => {
    let st: StepState = 'pending';
    for (const e of progress)
      if (e.step === id)
        if (e.type === 'step.start') st = 'running';
        // Done is what the read-back confirmed; a step it did not confirm never shows a tick.
        else if (e.type === 'step.done') st = e.verified === false ? 'unconfirmed' : 'done';
        else if (e.type === 'step.failed') st = 'failed';
        else if (e.type === 'step.skipped') st = 'skipped';
    return st;
  };
  const states = steps.map((s) => state(s.id));
  const current = states.findIndex((st) => st === 'running');
  const reached = current >= 0 ? current + 1 : states.filter((st) => st !== 'pending').length;
  return (
    <div className="run-steps" data-testid="run-steps">
      <p data-testid="step-counter" aria-live="polite">
        {t('ui.apply.stepOf', { n: Math.max(1, reached), total: steps.length })}
      </p>
      <ol>
        {steps.map((s, i) => (
          <li key={s.id} data-testid={`run-step-${s.id}`} data-state={states[i]} className={`run-step ${states[i]}`}>
            {states[i] === 'running' ? (
              <span className="spinner" aria-hidden="true" />
            ) : (
              <span aria-hidden="true" className="run-step-icon">
                {{ pending: '○', done: '✔', unconfirmed: '!', failed: '✖', skipped: '–', running: '' }[states[i]!]}
              </span>
            )}{' '}
            {t(s.titleKey)} <span className="run-step-state">{t(`ui.apply.stepState.${states[i]}`)}</span>
            {states[i] === 'running' && started[s.id] !== undefined && (
              <>
                {' '}
                · <Elapsed since={started[s.id]!} />
              </>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Applies the reviewed plan with one elevation: step n/N while it runs, then the result at the top, revert. */
export function Apply() {
  const { t } = useTranslation();
  const m = useMessage();
  const plan = useApp((s) => s.plan);
  const applying = useApp((s) => s.applying);
  const progress = useApp((s) => s.progress);
  const applied = useApp((s) => s.applied);
  const appliedPlanId = useApp((s) => s.appliedPlanId);
  const reverted = useApp((s) => s.reverted);
  const revertPreview = useApp((s) => s.revertPreview);
  const info = useApp((s) => s.info);
  const error = useApp((s) => s.errors.apply);
  const revertError = useApp((s) => s.errors.revert);
  const apply = useApp((s) => s.apply);
  const askRevert = useApp((s) => s.askRevert);
  const go = useApp((s) => s.go);
  const resultRef = useRef<HTMLDivElement>(null);
  // The result takes the focus when it arrives (and is scrolled into view at any zoom).
  useEffect(() => {
    if (applied && !reverted) resultRef.current?.focus();
  }, [applied, reverted]);
  const runPlan = useApp((s) => s.runPlan);
  const showSteps = runPlan && progress.length > 0 && !reverted && applied?.outcome !== 'nothing';
  return (
    <section data-testid="screen-apply" aria-busy={applying}>
      <ScreenTitle>{t('ui.apply.heading')}</ScreenTitle>
      {reverted && <RevertedSummary />}
      {!reverted && applied?.outcome === 'manual' && applied.manual && (
        <div className="card manual" data-testid="manual" ref={resultRef} tabIndex={-1}>
          <p>{t(`ui.apply.${applied.manual.reason}`)}</p>
          <p>{t('ui.apply.manualRun')}</p>
          <CommandBlock command={applied.manual.command} testId="manual-command" />
        </div>
      )}
      {!reverted && applied && applied.outcome !== 'manual' && (
        <div
          className={`card result ${applied.ok ? 'ok' : 'bad'}`}
          data-testid="apply-result"
          role="status"
          ref={resultRef}
          tabIndex={-1}
        >
          <p className="result-title">
            {applied.outcome === 'nothing'
              ? t('ui.apply.nothing')
              : applied.ok
                ? t('ui.apply.done', { run: applied.runId ?? '' })
                : applied.steps.some((s) => s.status === 'failed')
                  ? t('ui.apply.failed', { run: applied.runId ?? '' })
                  : t('ui.apply.notConfirmed', { run: applied.runId ?? '' })}
          </p>
          <ul>
            {applied.steps.map((s) => (
              <li key={s.id} data-testid={`result-step-${s.id}`}>
                {stepName(t, s.id)}:{' '}
                {t(
                  s.status === 'applied' && s.verified === false
                    ? 'ui.apply.status.notConfirmed'
                    : `ui.apply.status.${s.status}`,
                )}
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
          {applied.runId && !revertPreview && (
            <div className="actions">
              <button type="button" data-testid="revert" onClick={() => void askRevert()}>
                ↩ {t('ui.apply.revert')}
              </button>
            </div>
          )}
        </div>
      )}
      <ErrorPanel error={revertError} />
      {revertPreview && <RevertConfirm preview={revertPreview} />}
      {!applied && !reverted && <p>{info?.admin ? t('ui.apply.introAdmin') : t('ui.apply.intro')}</p>}
      {!plan && !applied && !reverted && <p className="note">{t('ui.apply.noPlanYet')}</p>}
      {plan && appliedPlanId !== plan.planId && !reverted && (
        <div className="actions">
          <button
            type="button"
            className="primary"
            data-testid="apply"
            disabled={applying}
            onClick={() => void apply()}
          >
            {applying ? t('ui.apply.running') : t('ui.apply.start')}
          </button>
        </div>
      )}
      <ErrorPanel error={error} />
      {showSteps && <RunSteps plan={runPlan} progress={progress} />}
      {progress.length > 0 && (
        <details className="event-log" open={applying}>
          <summary>{t('ui.apply.log')}</summary>
          <ol className="progress" data-testid="progress">
            {progress.map((e, i) => (
              <ProgressLine key={i} e={e} />
            ))}
          </ol>
        </details>
      )}
      <div className="actions">
        <button type="button" disabled={applying} data-testid="apply-back" onClick={() => go('plan')}>
          {t('ui.back')}
        </button>
        {/* After a revert the way on is to review again (in the summary), not to activate what was undone. */}
        {!reverted && (
          <button
            type="button"
            className="primary"
            data-testid="to-activate"
            disabled={applying}
            onClick={() => go('activate')}
          >
            {t('ui.apply.next')}
          </button>
        )}
      </div>
    </section>
  );
}
