import { useTranslation } from 'react-i18next';
import type { CheckView } from '../../../main/core/ipc/contract';
import { useMessage } from '../i18n';
import { STATUS_ICON } from '../statusIcon';

/**
 * The doctor's checks: status icon and word, what was seen, and the remedy of each that is not a pass. The
 * checks come untranslated, so they render in the window's language and follow a switch.
 */
export function CheckTable({ checks }: { checks: CheckView[] }) {
  const { t } = useTranslation();
  const m = useMessage();
  return (
    <table className="checks" data-testid="checks">
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
            <td data-label={t('ui.diagnose.col.remedy')}>{c.remedy && c.status !== 'pass' ? m(c.remedy) : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
