import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A command line split into its words as a shell reads them (a quoted argument stays one word), so the block
 * wraps only between arguments, never inside one.
 */
export function commandWords(command: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  for (const ch of command) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      cur += ch;
      quote = ch;
    } else if (ch === ' ' || ch === '\t') {
      if (cur) words.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) words.push(cur);
  return words;
}

/** A command to run in a terminal: shown whole (quoted as typed) with a button that copies it. */
export function CommandBlock({ command, testId }: { command: string; testId?: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const id = testId ?? 'command';
  return (
    <div className="command-block">
      <pre className="command" tabIndex={0} data-testid={id}>
        {command.split('\n').map((line, n) => (
          <div key={n} className="command-line">
            {commandWords(line).map((w, i) => (
              <span key={i}>
                {i > 0 && ' '}
                <span className="arg">{w}</span>
              </span>
            ))}
          </div>
        ))}
      </pre>
      <button
        type="button"
        data-testid={`${id}-copy`}
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
