import { useTranslation } from 'react-i18next';
import type { ErrorInfoView } from '../../../main/core/ipc/contract';
import { useMessage } from '../i18n';
import { CommandBlock } from './CommandBlock';
import { RemedyForms } from './RemedyForms';

/** Shows an error in the window's language: message, every input problem at file:line:column, the remedy. */
export function ErrorPanel({ error, testId }: { error: ErrorInfoView | undefined; testId?: string }) {
  const { t } = useTranslation();
  // Message and remedy in the window's wording (a screen or a button, never a CLI flag); the CLI form folded.
  const m = useMessage();
  if (!error) return null;
  const remedy = error.remedy;
  const command = error.message.params.command;
  return (
    <div className="error" role="alert" data-testid={testId ?? 'error'}>
      <p className="error-message">
        <span aria-hidden="true">✖ </span>
        {m(error.message)}
      </p>
      {error.issues && error.issues.length > 0 && (
        <ul className="issues">
          {error.issues.map((i, n) => (
            <li key={n} data-testid="issue">
              <code>
                {i.line > 0
                  ? t('ui.error.where', { file: i.file, line: i.line, column: i.column })
                  : t('ui.error.whereFile', { file: i.file })}
              </code>{' '}
              {m(i.message)}
            </li>
          ))}
        </ul>
      )}
      {remedy && (
        <p className="remedy" data-testid="remedy">
          <strong>{t('ui.error.remedy')}</strong> {m(remedy)}
        </p>
      )}
      {remedy && <RemedyForms remedy={remedy} testId="error-remedy-forms" goTestId="error-remedy-go" />}
      {typeof command === 'string' && <CommandBlock command={command} testId="error-command" />}
    </div>
  );
}
