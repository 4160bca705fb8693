import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** A command to run in a terminal: shown whole (quoted as typed) with a button that copies it. */
export function CommandBlock({ command, testId }: { command: string; testId?: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <div className="command-block">
      <pre className="command" tabIndex={0} data-testid={testId ?? 'command'}>
        {command}
      </pre>
      <button
        type="button"
        data-testid={`${testId ?? 'command'}-copy`}
        onClick={() =>
          void navigator.clipboard?.writeText(command).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? t('ui.command.copied') : t('ui.command.copy')}
      </button>
    </div>
  );
}
