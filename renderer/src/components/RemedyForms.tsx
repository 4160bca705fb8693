import { useTranslation } from 'react-i18next';
import type { Message } from '../../../main/core/message';
import { CHECK_SCREENS, FIX_CLI, remedyForm, screenCli, type GuiAction } from '../../../main/core/ipc/remedyForms';
import { useCliMessage, useMessage } from '../i18n';
import { useApp } from '../store';
import { CommandBlock } from './CommandBlock';

/** The label of a remedy's button: the field it opens, the screen, or what it does. */
function useActionLabel(): (a: GuiAction) => string {
  const { t, i18n } = useTranslation();
  return (a) => {
    if (a.kind === 'go')
      return a.focus && i18n.exists(`ui.remedy.focus.${a.focus}`)
        ? t(`ui.remedy.focus.${a.focus}`)
        : t(`ui.diagnose.goTo.${a.screen}`);
    return t(`ui.remedy.${a.kind}`);
  };
}

export interface RemedyFormsProps {
  /** The remedy (its key picks the button and the command). */
  remedy?: Message | undefined;
  /** The doctor check it belongs to (the screen to go to when the remedy names none). */
  check?: string;
  /** A step on this machine fixes it: **Fix** (the doctor's fix plan, shown for review first). */
  canFix?: boolean;
  /** The screen's main action (the verdict's): its button is the primary one. */
  primary?: boolean;
  /** False for another machine's remedy (a fleet's): no button acts on this one, only the folded CLI form. */
  actions?: boolean;
  testId: string;
  /** Test ids of the Fix / go button and of the command block (kept stable for the specs). */
  fixTestId?: string;
  goTestId?: string;
  cliTestId?: string;
}

/**
 * A remedy's GUI form — **Fix**, or the button that opens the screen and field where it is done (or runs it) —
 * and, folded, its CLI form: what the command line says and the command to copy.
 */
export function RemedyForms(props: RemedyFormsProps) {
  const { t } = useTranslation();
  const m = useMessage();
  const cli = useCliMessage();
  const follow = useApp((s) => s.follow);
  const planFix = useApp((s) => s.planFix);
  const fixing = useApp((s) => s.fixing);
  const label = useActionLabel();
  const form = props.remedy ? remedyForm(props.remedy) : {};
  const here = props.actions !== false;
  const found = form.action ?? (props.check ? CHECK_SCREENS[props.check] : undefined);
  const action = here ? found : undefined;
  const command = props.canFix ? FIX_CLI : (form.command ?? screenCli(found));
  const cliText = props.remedy ? cli(props.remedy) : '';
  if (!props.canFix && !action && !command) return null;
  return (
    <div className="remedy-forms" data-testid={props.testId}>
      {props.canFix ? (
        <button
          type="button"
          className={props.primary ? 'primary' : undefined}
          data-testid={props.fixTestId}
          disabled={fixing !== null}
          onClick={() => void planFix()}
        >
          {fixing === 'planning' ? t('ui.diagnose.fix.planning') : t('ui.diagnose.fix.button')}
        </button>
      ) : (
        action && (
          <button
            type="button"
            className={props.primary ? 'primary' : undefined}
            data-testid={props.goTestId}
            onClick={() => follow(action)}
          >
            {label(action)}
          </button>
        )
      )}
      {command && (
        <details className="cli-form">
          <summary>{t('ui.diagnose.cliForm')}</summary>
          {props.remedy && cliText !== m(props.remedy) && (
            <p className="cli-says">
              {t('ui.remedy.cliSays')} {cliText}
            </p>
          )}
          <CommandBlock command={command} testId={props.cliTestId ?? `${props.testId}-cli`} />
        </details>
      )}
    </div>
  );
}
