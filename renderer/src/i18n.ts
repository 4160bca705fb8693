import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import { renderMessage, type Message } from '../../main/core/message';
import { windowMessage } from '../../main/core/ipc/remedyForms';

export type Lang = 'ja' | 'en';

// Each language is its own chunk: the first screen loads only the one it shows.
const loaders: Record<Lang, () => Promise<{ default: Record<string, unknown> }>> = {
  ja: () => import('../../resources/locales/ja.json'),
  en: () => import('../../resources/locales/en.json'),
};

/** The OS language of the window: Japanese when it starts with `ja`, else English. */
export function osLang(): Lang {
  return navigator.language.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** Makes `lang` available (loading its chunk once) and switches to it; sets `<html lang>`. */
export async function switchLanguage(lang: Lang): Promise<void> {
  if (!i18next.hasResourceBundle(lang, 'translation')) {
    const res = await loaders[lang]();
    i18next.addResourceBundle(lang, 'translation', res.default, true, true);
  }
  await i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

/** The renderer's i18next (on the locale files the CLI uses), started in `lang`. */
export async function initI18n(lang: Lang): Promise<void> {
  await i18next.use(initReactI18next).init({
    lng: lang,
    fallbackLng: false,
    resources: {},
    interpolation: { escapeValue: false },
    react: { useSuspense: false },
  });
  await switchLanguage(lang);
}

/**
 * Renders a message (`{key, params}`, nested ones too) in the window's current language and in the window's
 * wording (a key's `Gui` sibling where there is one: a screen or a button, never a CLI flag); re-renders on a
 * switch.
 */
export function useMessage(): (m: Message) => string {
  const cli = useCliMessage();
  const { i18n } = useTranslation();
  return (m) => cli(windowMessage(m, (key) => i18n.exists(key)));
}

/** Renders a message as the command line says it (the folded CLI form of a remedy). */
export function useCliMessage(): (m: Message) => string {
  const { t } = useTranslation();
  return (m) => renderMessage((key, params) => String(t(key, (params ?? {}) as Record<string, string>)), m);
}
