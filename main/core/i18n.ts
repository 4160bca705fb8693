import i18next, { type i18n as I18n } from 'i18next';
import ja from '../../resources/locales/ja.json' with { type: 'json' };
import en from '../../resources/locales/en.json' with { type: 'json' };

export type Lang = 'ja' | 'en';
export const localeResources = { ja, en } as const;

/** Picks the language from LC_ALL / LC_MESSAGES / LANG, then the OS locale: Japanese when it starts with `ja`. */
export function detectLang(env: NodeJS.ProcessEnv = process.env, osLocale?: string): Lang {
  for (const v of [env.LC_ALL, env.LC_MESSAGES, env.LANG]) {
    if (v && v !== 'C' && v !== 'POSIX') return v.toLowerCase().startsWith('ja') ? 'ja' : 'en';
  }
  // The OS locale is asked only when the environment does not say (it costs a few ms of ICU start-up).
  const locale = osLocale ?? Intl.DateTimeFormat().resolvedOptions().locale;
  return locale.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** Creates an i18next instance with both locales loaded synchronously. */
export function createI18n(lang: Lang): I18n {
  const inst = i18next.createInstance();
  void inst.init({
    lng: lang,
    fallbackLng: false,
    initAsync: false,
    resources: { ja: { translation: ja }, en: { translation: en } },
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return inst;
}

export type Translate = (key: string, params?: Record<string, unknown>) => string;

/** A translate function bound to one language. */
export function translator(lang: Lang): Translate {
  const inst = createI18n(lang);
  return (key, params) => inst.t(key, params ?? {}) as string;
}
