import { useTranslation } from 'react-i18next';
import type { DoctorView } from '../../../main/core/ipc/contract';
import { useMessage } from '../i18n';
import { useApp } from '../store';
import { ErrorPanel } from '../components/ErrorPanel';
import { RemedyForms } from '../components/RemedyForms';
import { FixReview } from './FixReview';

/**
 * The doctor's verdict first: "Activation will fail because …", the remedy, and its GUI form — **Fix** when a
 * step on this machine can fix it (the plan is shown for review before anything runs), else the screen to go
 * to — with the CLI form folded.
 */
export function VerdictCard({ doctor }: { doctor: DoctorView }) {
  const { t } = useTranslation();
  const m = useMessage();
  const fix = useApp((s) => s.fix);
  const fixResult = useApp((s) => s.fixResult);
  const error = useApp((s) => s.errors.fix);
  const v = doctor.verdict;
  const fixable = doctor.fixable.length > 0;
  const warnOnly = !!v && doctor.checks.find((c) => c.id === v.check)?.status === 'warn';
  return (
    <section
      className={`card verdict ${v ? 'verdict-fail' : 'verdict-ok'}`}
      data-testid="verdict"
      data-check={v?.check ?? ''}
      aria-labelledby="verdict-title"
    >
      {fixResult && fixResult.outcome === 'applied' && (
        <p className={fixResult.ok ? 'note' : 'warning'} role="status" data-testid="fix-result">
          {fixResult.ok ? t('ui.diagnose.fix.applied') : t('ui.diagnose.fix.failed')}
        </p>
      )}
      <h3 id="verdict-title">
        {v ? t(warnOnly ? 'ui.diagnose.verdict.mayFail' : 'ui.diagnose.verdict.fails') : t('ui.diagnose.verdict.none')}
      </h3>
      {v && (
        <p className="verdict-cause" data-testid="verdict-cause">
          <strong>{m(v.cause)}</strong>
        </p>
      )}
      {v && <p data-testid="verdict-remedy">{m(v.remedy)}</p>}
      {v && (
        <RemedyForms
          remedy={v.remedy}
          check={v.check}
          canFix={fixable}
          primary
          testId="verdict-forms"
          fixTestId="fix"
          goTestId="verdict-go"
          cliTestId="verdict-cli"
        />
      )}
      <ErrorPanel error={error} />
      {fix && <FixReview fix={fix} />}
    </section>
  );
}
