import { useTranslation } from 'react-i18next';
import { SCREENS, useApp, type Screen } from '../store';
import type { Lang } from '../i18n';

/** Each language by its own name (the same in every language, so a user can always find theirs). */
const LANGUAGE_NAMES: Record<Lang, string> = { ja: '日本語', en: 'English' };

const WIZARD: Screen[] = SCREENS.filter((s) => s !== 'diagnose');

/** Title, the wizard's steps, the diagnosis entry (reachable from the start) and the language switch. */
export function Header() {
  const { t } = useTranslation();
  const screen = useApp((s) => s.screen);
  const lang = useApp((s) => s.lang);
  const go = useApp((s) => s.go);
  const setLang = useApp((s) => s.setLang);
  // While a job changes the machine, the window stays on its screen (the result is shown there).
  const busy = useApp((s) => s.applying || s.activating);
  return (
    <header className="header">
      <div className="brand">
        <h1>{t('ui.title')}</h1>
        <label className="lang">
          <span>{t('ui.lang.label')}</span>
          <select
            value={lang}
            data-testid="lang"
            onChange={(e) => void setLang(e.target.value as Lang)}
            aria-label={t('ui.lang.label')}
          >
            {(Object.keys(LANGUAGE_NAMES) as Lang[]).map((l) => (
              <option key={l} value={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <nav aria-label={t('ui.nav.label')}>
        <ol className="steps">
          {WIZARD.map((s, i) => (
            <li key={s}>
              <button
                type="button"
                className="nav-step"
                aria-current={screen === s ? 'step' : undefined}
                data-testid={`nav-${s}`}
                disabled={busy}
                onClick={() => go(s)}
              >
                <span className="num">{i + 1}</span> {t(`ui.nav.${s}`)}
              </button>
            </li>
          ))}
        </ol>
        <button
          type="button"
          className="nav-diagnose"
          aria-current={screen === 'diagnose' ? 'page' : undefined}
          data-testid="nav-diagnose"
          disabled={busy}
          onClick={() => go('diagnose')}
        >
          {t('ui.nav.diagnose')}
        </button>
      </nav>
    </header>
  );
}
