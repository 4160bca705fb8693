import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { initI18n } from './i18n';

interface Api {
  appInfo(): Promise<{ ok: true; value: { version: string; lang: 'ja' | 'en' } } | { ok: false }>;
}
declare global {
  interface Window {
    dsaSetup: Api;
  }
}

function Placeholder() {
  const { t } = useTranslation();
  const [version, setVersion] = useState('');
  useEffect(() => {
    void window.dsaSetup?.appInfo().then((r) => r.ok && setVersion(r.value.version));
  }, []);
  return (
    <main>
      <h1>{t('ui.title')}</h1>
      <p>{t('ui.placeholder', { version })}</p>
    </main>
  );
}

initI18n(navigator.language.startsWith('ja') ? 'ja' : 'en');
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Placeholder />
  </StrictMode>,
);
