import { useTranslation } from 'react-i18next';
import type { FixPlanView } from '../../../main/core/ipc/contract';
import { useMessage } from '../i18n';
import { useApp } from '../store';
import { StepChanges } from './PlanReview';

/** The doctor's fix plan for review: each step's exact change, what others must fix, then Apply or Cancel. */
export function FixReview({ fix }: { fix: FixPlanView }) {
  const { t } = useTranslation();
  const m = useMessage();
  const applyFix = useApp((s) => s.applyFix);
  const cancel = useApp((s) => s.cancelFix);
  const fixing = useApp((s) => s.fixing);
  const steps = fix.plan?.steps ?? [];
  return (
    <div className="fix-review" data-testid="fix-review">
      <h4>{t('ui.diagnose.fix.review')}</h4>
      {steps.length === 0 && <p data-testid="fix-nothing">{t('ui.diagnose.fix.nothing')}</p>}
      <ul className="plan-steps">
        {steps.map((s) => (
          <li key={s.id} className="card step" data-testid={`fix-step-${s.id}`}>
            <span className="step-title">{t(s.titleKey)}</span>
            <StepChanges step={s} />
          </li>
        ))}
      </ul>
      {fix.elsewhere.length > 0 && (
        <>
          <p>{t('ui.diagnose.fix.elsewhere')}</p>
          <ul data-testid="fix-elsewhere">
            {fix.elsewhere.map((e, i) => (
              <li key={i}>
                <strong>{m(e.who)}</strong> {m(e.what)}
              </li>
            ))}
          </ul>
        </>
      )}
      {fix.plan?.rebootRequired && <p className="warning">↻ {t('ui.plan.reboot')}</p>}
      <div className="actions">
        <button type="button" onClick={cancel} disabled={fixing !== null}>
          {t('ui.diagnose.fix.cancel')}
        </button>
        <button
          type="button"
          className="primary"
          data-testid="fix-apply"
          disabled={!fix.plan || fixing !== null}
          onClick={() => void applyFix()}
        >
          {fixing === 'applying' ? t('ui.diagnose.fix.applying') : t('ui.diagnose.fix.apply')}
        </button>
      </div>
    </div>
  );
}
