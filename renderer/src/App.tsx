import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useApp } from './store';
import { Header } from './components/Header';
import { ScreenBoundary } from './components/ScreenBoundary';
import { Welcome } from './screens/Welcome';
import { Inputs } from './screens/Inputs';
import { PlanReview } from './screens/PlanReview';
import { Apply } from './screens/Apply';
import { Activate } from './screens/Activate';
import { Diagnose } from './screens/Diagnose';

const SCREEN = {
  welcome: Welcome,
  inputs: Inputs,
  plan: PlanReview,
  apply: Apply,
  activate: Activate,
  diagnose: Diagnose,
} as const;

/** The window: header with steps and language, then the current screen. */
export function App() {
  const { t } = useTranslation();
  const screen = useApp((s) => s.screen);
  const version = useApp((s) => s.info?.version);
  const Current = SCREEN[screen];
  const focusTarget = useApp((s) => s.focusTarget);
  const focused = useApp((s) => s.focused);
  // A remedy's button opened a screen at one of its fields: that field takes the focus (after the heading did),
  // once the screen shows it (Review lists its steps when the plan arrives); after 3 s the heading keeps it.
  useEffect(() => {
    if (!focusTarget) return;
    let tries = 30;
    const id = setInterval(() => {
      const el = document.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focusTarget)}"]`);
      if (!el && --tries > 0) return;
      el?.focus();
      el?.scrollIntoView({ block: 'center' });
      clearInterval(id);
      focused();
    }, 100);
    return () => clearInterval(id);
  }, [focusTarget, screen, focused]);
  return (
    <>
      <a className="skip" href="#main">
        {t('ui.skip')}
      </a>
      <Header />
      <main id="main" className="main">
        <ScreenBoundary key={screen}>
          <Current />
        </ScreenBoundary>
      </main>
      <footer className="footer">dsa-setup {version ?? ''}</footer>
    </>
  );
}
