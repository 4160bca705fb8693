import { useTranslation } from 'react-i18next';
import type { CheckView } from '../../../main/core/ipc/contract';
import { useMessage } from '../i18n';
import { STATUS_ICON } from '../statusIcon';
import { useApp, type Screen } from '../store';
import { CommandBlock } from '../components/CommandBlock';
import { cliForm, SCREEN_FOR } from './VerdictCard';

const ORDER: Record<CheckView['status'], number> = { fail: 0, warn: 1, pass: 2, blocked: 3, skip: 4 };
const folded = (c: CheckView): boolean => c.status === 'blocked' || c.status === 'skip';

/** One table of checks: status icon and word, what was seen, and the remedy of each that is not a pass. */
function Rows({ checks, testId, fixable }: { checks: CheckView[]; testId: string; fixable?: string[] }) {
  const { t } = useTranslation();
  const m = useMessage();
  const go = useApp((s) => s.go);
  const planFix = useApp((s) => s.planFix);
  const fixing = useApp((s) => s.fixing);
  return (
    <table className="checks" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{t('ui.diagnose.col.status')}</th>
          <th scope="col">{t('ui.diagnose.col.check')}</th>
          <th scope="col">{t('ui.diagnose.col.detail')}</th>
          <th scope="col">{t('ui.diagnose.col.remedy')}</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((c) => (
          <tr key={c.id} className={`status-${c.status}`} data-testid={`check-${c.id}`} data-status={c.status}>
            <td>
              <span aria-hidden="true">{STATUS_ICON[c.status]} </span>
              {t(`ui.diagnose.status.${c.status}`)}
            </td>
            <td>{m(c.title)}</td>
            <td>{m(c.detail)}</td>
            <td data-label={t('ui.diagnose.col.remedy')}>
              <span className="remedy-text">{c.remedy && c.status !== 'pass' ? m(c.remedy) : ''}</span>
              {fixable && (c.status === 'fail' || c.status === 'warn') && (
                <RemedyForms
                  id={c.id}
                  canFix={fixable.includes(c.id)}
                  busy={fixing !== null}
                  onFix={() => void planFix()}
                  onGo={go}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A remedy's GUI form (Fix, or the screen to go to) and, folded, its CLI form to copy. */
function RemedyForms(props: { id: string; canFix: boolean; busy: boolean; onFix(): void; onGo(s: Screen): void }) {
  const { t } = useTranslation();
  const screen = SCREEN_FOR[props.id];
  const cli = cliForm(props.canFix, screen);
  if (!props.canFix && !screen) return null;
  return (
    <div className="remedy-forms" data-testid={`remedy-forms-${props.id}`}>
      {props.canFix ? (
        <button type="button" disabled={props.busy} onClick={props.onFix}>
          {t('ui.diagnose.fix.button')}
        </button>
      ) : (
        screen && (
          <button type="button" onClick={() => props.onGo(screen)}>
            {t(`ui.diagnose.goTo.${screen}`)}
          </button>
        )
      )}
      {cli && (
        <details className="cli-form">
          <summary>{t('ui.diagnose.cliForm')}</summary>
          <CommandBlock command={cli} testId={`cli-${props.id}`} />
        </details>
      )}
    </div>
  );
}

/**
 * The doctor's checks, fail first, then warnings and passes; blocked and skipped ones folded (a blocked one
 * names the check it waits on in its detail, once). The checks come untranslated, so they render in the
 * window's language and follow a switch.
 */
export function CheckTable({ checks, fixable }: { checks: CheckView[]; fixable?: string[] }) {
  const { t } = useTranslation();
  const sorted = [...checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const shown = sorted.filter((c) => !folded(c));
  const rest = sorted.filter(folded);
  return (
    <>
      <Rows checks={shown} testId="checks" {...(fixable ? { fixable } : {})} />
      {rest.length > 0 && (
        <details className="folded-checks" data-testid="folded-checks">
          <summary>{t('ui.diagnose.folded', { count: rest.length })}</summary>
          <Rows checks={rest} testId="checks-folded" />
        </details>
      )}
    </>
  );
}
