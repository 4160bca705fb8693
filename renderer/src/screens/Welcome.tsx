import { useTranslation } from 'react-i18next';
import { useApp } from '../store';
import { ErrorPanel } from '../components/ErrorPanel';
import { ScreenTitle } from '../components/ScreenTitle';

/** What this machine is, what the wizard will do, and whether administrator rights will be asked for. */
export function Welcome() {
  const { t } = useTranslation();
  const info = useApp((s) => s.info);
  const insp = useApp((s) => s.inspection);
  const error = useApp((s) => s.errors.app);
  const go = useApp((s) => s.go);
  const agent = insp?.agent.installed;
  return (
    <section data-testid="screen-welcome">
      <ScreenTitle>{t('ui.welcome.heading')}</ScreenTitle>
      <p>{t('ui.welcome.intro')}</p>
      <ErrorPanel error={error} />
      <dl className="facts" data-testid="facts">
        <dt>{t('ui.welcome.platform')}</dt>
        <dd data-testid="platform">{insp ? insp.os.name : '…'}</dd>
        <dt>{t('ui.welcome.kernel')}</dt>
        <dd>{insp ? `${insp.kernel ?? '?'} (${insp.arch ?? '?'})` : '…'}</dd>
        <dt>{t('ui.welcome.hostname')}</dt>
        <dd>{insp?.hostname ?? '?'}</dd>
        <dt>{t('ui.welcome.agent')}</dt>
        <dd>
          {agent === true
            ? t('ui.welcome.agentInstalled', { version: insp?.agent.version ?? '' })
            : agent === false
              ? t('ui.welcome.agentNotInstalled')
              : t('ui.welcome.agentUnknown')}
        </dd>
        {info && !info.live && (
          <>
            <dt>{t('ui.welcome.root')}</dt>
            <dd>
              <code>{info.root}</code>
            </dd>
          </>
        )}
      </dl>
      <h3>{t('ui.welcome.whatHappens')}</h3>
      <ol className="what">
        <li>{t('ui.welcome.what1')}</li>
        <li>{t('ui.welcome.what2')}</li>
        <li>{t('ui.welcome.what3')}</li>
        <li>{t('ui.welcome.what4')}</li>
      </ol>
      {info && (
        <p className="note" data-testid="admin-note">
          {info.admin ? t('ui.welcome.adminAlready') : t('ui.welcome.adminNeeded')}
        </p>
      )}
      <div className="actions">
        <button type="button" className="primary" data-testid="start" onClick={() => go('inputs')}>
          {t('ui.welcome.start')}
        </button>
        <button type="button" onClick={() => go('diagnose')}>
          {t('ui.welcome.diagnose')}
        </button>
      </div>
    </section>
  );
}
