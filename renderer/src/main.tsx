import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { initI18n, osLang } from './i18n';
import { useApp } from './store';
import './styles.css';

/** Starts the window in the OS language (a language chunk loads before the first paint), then asks main. */
async function boot(): Promise<void> {
  const lang = osLang();
  await initI18n(lang);
  useApp.setState({ lang });
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  await useApp.getState().init();
}

void boot();
