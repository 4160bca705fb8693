import { useTranslation } from 'react-i18next';
import { useMessage } from '../i18n';
import { useApp } from '../store';
import { ErrorPanel } from '../components/ErrorPanel';
import { ScreenTitle } from '../components/ScreenTitle';
import { CheckTable } from './CheckTable';
import { FleetPanel } from './FleetPanel';

/** For support staff: run the doctor, read the checks, export the HTML report and the support bundle. */
export function Diagnose() {
  const { t } = useTranslation();
  const m = useMessage();
  const busy = useApp((s) => s.doctoring);
  const doctor = useApp((s) => s.doctor);
  const exported = useApp((s) => s.exported);
  const busyExport = useApp((s) => s.busyExport);
  const error = useApp((s) => s.errors.doctor);
  const exportError = useApp((s) => s.errors.export);
  const run = useApp((s) => s.runDoctor);
  const exportReport = useApp((s) => s.exportReport);
  const exportBundle = useApp((s) => s.exportBundle);
  return (
    <section data-testid="screen-diagnose" aria-busy={busy}>
      <ScreenTitle>{t('ui.diagnose.heading')}</ScreenTitle>
      <p>{t('ui.diagnose.intro')}</p>
      <div className="actions">
        <button type="button" className="primary" data-testid="run-doctor" disabled={busy} onClick={() => void run()}>
          {busy ? t('ui.diagnose.running') : t('ui.diagnose.run')}
        </button>
        <button type="button" data-testid="export-report" disabled={busyExport} onClick={() => void exportReport()}>
          {t('ui.diagnose.exportReport')}
        </button>
        <button type="button" data-testid="export-bundle" disabled={busyExport} onClick={() => void exportBundle()}>
          {t('ui.diagnose.exportBundle')}
        </button>
      </div>
      <ErrorPanel error={error} />
      <ErrorPanel error={exportError} />
      {exported && (
        <p role="status" data-testid="exported">
          {t(`ui.diagnose.exported.${exported.kind}`, { path: exported.path })}
        </p>
      )}
      {doctor && (
        <>
          <p data-testid="doctor-summary" role="status">
            {t('ui.diagnose.summary', { ...doctor.summary, seconds: (doctor.ms / 1000).toFixed(1) })}
          </p>
          {doctor.verdict && (
            <p className="verdict" data-testid="verdict">
              <strong>{m(doctor.verdict.cause)}</strong> {m(doctor.verdict.remedy)}
            </p>
          )}
          <CheckTable checks={doctor.checks} />
        </>
      )}
      <FleetPanel />
    </section>
  );
}
