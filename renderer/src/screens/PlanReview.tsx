import { useTranslation } from 'react-i18next';
import type { PlanView } from '../../../main/core/ipc/contract';
import { useApp } from '../store';
import { useMessage } from '../i18n';
import { ErrorPanel } from '../components/ErrorPanel';
import { RemedyForms } from '../components/RemedyForms';
import { ScreenTitle } from '../components/ScreenTitle';

type StepPlan = PlanView['steps'][number];

/** One diff line of a file change, marked added / removed / commented out. */
function DiffLine({ line }: { line: string }) {
  const cls = line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('~') ? 'mod' : '';
  return <div className={`diff-line ${cls}`}>{line}</div>;
}

/** One change: a file with its diff, or a command with why it runs. */
function ChangeView({ change: c, stepId }: { change: StepPlan['changes'][number]; stepId: string }) {
  const { t } = useTranslation();
  const m = useMessage();
  if (c.kind === 'command')
    return (
      <div className="command-change">
        <p>{c.reason ? m(c.reason) : t('ui.plan.command')}</p>
        <pre className="command" tabIndex={0}>
          {[c.command, ...c.args].join(' ')}
        </pre>
      </div>
    );
  return (
    <figure className="file-change">
      <figcaption>
        {t(`ui.plan.file.${c.action}`)} <code>{c.path}</code>
      </figcaption>
      <pre className="diff" data-testid={`diff-${stepId}`} tabIndex={0}>
        {c.diff.map((l, n) => (
          <DiffLine key={n} line={l} />
        ))}
      </pre>
    </figure>
  );
}

/** A step's changes as the review shows them (also the Diagnose screen's fix review). */
export function StepChanges({ step }: { step: StepPlan }) {
  const { t } = useTranslation();
  const m = useMessage();
  if (step.upToDate) return <p data-testid={`uptodate-${step.id}`}>✔ {t('ui.plan.upToDate')}</p>;
  return (
    <div className="changes">
      {step.changes.map((c, i) => (
        <ChangeView key={i} change={c} stepId={step.id} />
      ))}
      {step.notes.map((n, i) => (
        <div key={i} className="note">
          <p>{m(n)}</p>
          <RemedyForms remedy={n} actions={false} testId={`note-forms-${step.id}-${i}`} />
        </div>
      ))}
      {step.rebootRequired && <p className="warning">↻ {t('ui.plan.stepReboot')}</p>}
    </div>
  );
}

/** Every step with its exact change; opt in or out per step, the platform's defaults pre-selected. */
export function PlanReview() {
  const { t } = useTranslation();
  const plan = useApp((s) => s.plan);
  const choices = useApp((s) => s.choices);
  const planning = useApp((s) => s.planning);
  const error = useApp((s) => s.errors.plan);
  const toggle = useApp((s) => s.toggleStep);
  const go = useApp((s) => s.go);
  const stepPlan = (id: string) => plan?.steps.find((s) => s.id === id);
  const nothingToDo = !plan || plan.steps.every((s) => s.upToDate);
  return (
    <section data-testid="screen-plan" aria-busy={planning}>
      <ScreenTitle>{t('ui.plan.heading')}</ScreenTitle>
      <p>{t('ui.plan.intro')}</p>
      <ErrorPanel error={error} />
      <ul className="plan-steps">
        {choices.map((c) => {
          const sp = stepPlan(c.id);
          return (
            <li key={c.id} className={`card step${c.available ? '' : ' unavailable'}`} data-testid={`step-${c.id}`}>
              <label className="step-toggle">
                <input
                  type="checkbox"
                  checked={c.selected}
                  disabled={!c.available}
                  data-testid={`toggle-${c.id}`}
                  onChange={(e) => void toggle(c.id, e.target.checked)}
                />
                <span className="step-head">
                  <span className="step-title">{t(c.titleKey)}</span>
                  {c.available && c.defaultSelected && <span className="badge">{t('ui.plan.default')}</span>}
                </span>
              </label>
              {!c.available && c.unavailableKey && (
                <p className="unavailable-reason" data-testid={`unavailable-${c.id}`}>
                  {t(c.unavailableKey)}
                </p>
              )}
              {c.selected && sp && <StepChanges step={sp} />}
            </li>
          );
        })}
      </ul>
      {plan?.rebootRequired && <p className="warning">↻ {t('ui.plan.reboot')}</p>}
      {!planning && nothingToDo && <p data-testid="plan-nothing">{t('ui.plan.nothing')}</p>}
      <div className="actions">
        <button type="button" onClick={() => go('inputs')}>
          {t('ui.back')}
        </button>
        <button
          type="button"
          className="primary"
          data-testid="to-apply"
          disabled={!plan || planning}
          onClick={() => go('apply')}
        >
          {t('ui.plan.next')}
        </button>
      </div>
    </section>
  );
}
