import { useTranslation } from 'react-i18next';
import type { CheckView } from '../../../main/core/ipc/contract';
import { useMessage } from '../i18n';
import { STATUS_ICON } from '../statusIcon';
import { RemedyForms } from '../components/RemedyForms';

const ORDER: Record<CheckView['status'], number> = { fail: 0, warn: 1, pass: 2, blocked: 3, skip: 4 };
const folded = (c: CheckView): boolean => c.status === 'blocked' || c.status === 'skip';

/** One table of checks: status icon and word, what was seen, and the remedy of each that is not a pass. */
function Rows(props: { checks: CheckView[]; testId: string; fixable?: string[] | undefined; here: boolean }) {
  const { t } = useTranslation();
  const m = useMessage();
  return (
    <table className="checks" data-testid={props.testId}>
      <thead>
        <tr>
          <th scope="col">{t('ui.diagnose.col.status')}</th>
          <th scope="col">{t('ui.diagnose.col.check')}</th>
          <th scope="col">{t('ui.diagnose.col.detail')}</th>
          <th scope="col">{t('ui.diagnose.col.remedy')}</th>
        </tr>
      </thead>
      <tbody>
        {props.checks.map((c) => (
          <tr key={c.id} className={`status-${c.status}`} data-testid={`check-${c.id}`} data-status={c.status}>
            <td>
              <span aria-hidden="true">{STATUS_ICON[c.status]} </span>
              {t(`ui.diagnose.status.${c.status}`)}
            </td>
            <td>{m(c.title)}</td>
            <td>{m(c.detail)}</td>
            <td data-label={t('ui.diagnose.col.remedy')}>
              <span className="remedy-text">{c.remedy && c.status !== 'pass' ? m(c.remedy) : ''}</span>
              {(c.status === 'fail' || c.status === 'warn') && (
                <RemedyForms
                  remedy={c.remedy}
                  check={c.id}
                  actions={props.here}
                  canFix={props.here && !!props.fixable?.includes(c.id)}
                  testId={`remedy-forms-${c.id}`}
                  cliTestId={`cli-${c.id}`}
                />
              )}
              {/* A check skipped for want of an input: its detail says which, with the button to give it. */}
              {c.status === 'skip' && c.detail.key.startsWith('doctor.skip.') && (
                <RemedyForms remedy={c.detail} actions={props.here} testId={`remedy-forms-${c.id}`} />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The doctor's checks, fail first, then warnings and passes; blocked and skipped ones folded (a blocked one
 * names the check it waits on in its detail, once). The checks come untranslated, so they render in the
 * window's language and follow a switch.
 */
export function CheckTable(props: { checks: CheckView[]; fixable?: string[]; here?: boolean }) {
  const { t } = useTranslation();
  const here = props.here !== false;
  const sorted = [...props.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const shown = sorted.filter((c) => !folded(c));
  const rest = sorted.filter(folded);
  return (
    <>
      <Rows checks={shown} testId="checks" fixable={props.fixable} here={here} />
      {rest.length > 0 && (
        <details className="folded-checks" data-testid="folded-checks">
          <summary>{t('ui.diagnose.folded', { count: rest.length })}</summary>
          <Rows checks={rest} testId="checks-folded" here={here} />
        </details>
      )}
    </>
  );
}
