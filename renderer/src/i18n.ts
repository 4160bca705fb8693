import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import ja from '../../resources/locales/ja.json';
import en from '../../resources/locales/en.json';

/** The renderer's i18next, on the same locale files as the CLI. */
export function initI18n(lang: 'ja' | 'en'): typeof i18next {
  void i18next.use(initReactI18next).init({
    lng: lang,
    fallbackLng: false,
    initAsync: false,
    resources: { ja: { translation: ja }, en: { translation: en } },
    interpolation: { escapeValue: false },
  });
  return i18next;
}
