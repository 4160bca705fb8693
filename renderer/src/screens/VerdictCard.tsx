import { useTranslation } from 'react-i18next';
import type { DoctorView } from '../../../main/core/ipc/contract';
import { useMessage } from '../i18n';
import { useApp, type Screen } from '../store';
import { CommandBlock } from '../components/CommandBlock';
import { ErrorPanel } from '../components/ErrorPanel';
import { FixReview } from './FixReview';

/** The screen of the window where a check's finding is fixed, when no step of the fix plan does it. */
export const SCREEN_FOR: Record<string, Screen> = {
  'hosts.entries': 'inputs',
  'installer.match': 'inputs',
  'kernel.supported': 'inputs',
  'agent.installed': 'plan',
  'agent.service': 'plan',
  'ipv6.state': 'plan',
  'agent.activated': 'activate',
};

/** The same remedy from the command line: the fix plan and its apply, or the command behind the screen. */
export function cliForm(fixable: boolean, screen: Screen | undefined): string | null {
  if (fixable) return 'dsa-setup doctor --fix --out fix-plan.json\ndsa-setup apply --plan fix-plan.json';
  if (screen === 'inputs' || screen === 'plan')
    return 'dsa-setup plan --hosts-file FILE --activation-file FILE --installer FILE';
  if (screen === 'activate') return 'dsa-setup activate --activation-file FILE';
  return null;
}

/**
 * The doctor's verdict first: "Activation will fail because …", the remedy, and its GUI form — **Fix** when a
 * step on this machine can fix it (the plan is shown for review before anything runs), else the screen to go
 * to — with the CLI form folded.
 */
export function VerdictCard({ doctor }: { doctor: DoctorView }) {
  const { t } = useTranslation();
  const m = useMessage();
  const go = useApp((s) => s.go);
  const planFix = useApp((s) => s.planFix);
  const fixing = useApp((s) => s.fixing);
  const fix = useApp((s) => s.fix);
  const fixResult = useApp((s) => s.fixResult);
  const error = useApp((s) => s.errors.fix);
  const v = doctor.verdict;
  const fixable = doctor.fixable.length > 0;
  const screen = v ? SCREEN_FOR[v.check] : undefined;
  const cli = v ? cliForm(fixable, screen) : null;
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
        <div className="actions">
          {fixable && (
            <button
              type="button"
              className="primary"
              data-testid="fix"
              disabled={fixing !== null}
              onClick={() => void planFix()}
            >
              {fixing === 'planning' ? t('ui.diagnose.fix.planning') : t('ui.diagnose.fix.button')}
            </button>
          )}
          {!fixable && screen && (
            <button type="button" data-testid="verdict-go" onClick={() => go(screen)}>
              {t(`ui.diagnose.goTo.${screen}`)}
            </button>
          )}
        </div>
      )}
      {v && cli && (
        <details className="cli-form">
          <summary>{t('ui.diagnose.cliForm')}</summary>
          <CommandBlock testId="verdict-cli" command={cli} />
        </details>
      )}
      <ErrorPanel error={error} />
      {fix && <FixReview fix={fix} />}
    </section>
  );
}
