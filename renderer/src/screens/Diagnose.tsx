import { useTranslation } from 'react-i18next';
import type { SavedView } from '../../../main/core/ipc/contract';
import { useApp } from '../store';
import { ErrorPanel } from '../components/ErrorPanel';
import { ScreenTitle } from '../components/ScreenTitle';
import { CheckTable } from './CheckTable';
import { FleetPanel } from './FleetPanel';
import { VerdictCard } from './VerdictCard';

/** A size in KiB (one decimal) for a person. */
const kib = (bytes: number): string => (bytes / 1024).toFixed(1);

/** What one export wrote: path and size, and for a bundle its files, maskings and what was left out. */
function Exported({ kind, saved }: { kind: 'report' | 'bundle'; saved: SavedView & { path: string } }) {
  const { t } = useTranslation();
  const showInFolder = useApp((s) => s.showInFolder);
  return (
    <div className="note exported" role="status" data-testid={`exported-${kind}`}>
      <p>{t(`ui.diagnose.exported.${kind}`, { path: saved.path })}</p>
      {saved.bytes !== undefined && <p>{t('ui.diagnose.exported.size', { kib: kib(saved.bytes) })}</p>}
      {kind === 'bundle' && saved.files !== undefined && (
        <p data-testid="exported-bundle-masked">
          {t('ui.diagnose.exported.bundleContents', {
            files: saved.files,
            masked: saved.masked ?? 0,
            omitted: saved.omitted ?? 0,
          })}
        </p>
      )}
      <button type="button" data-testid={`open-folder-${kind}`} onClick={() => void showInFolder(saved.path)}>
        {t('ui.diagnose.exported.openFolder')}
      </button>
    </div>
  );
}

/** For support staff: the verdict first (with Fix), the checks grouped, the HTML report and the support bundle. */
export function Diagnose() {
  const { t } = useTranslation();
  const busy = useApp((s) => s.doctoring);
  const doctor = useApp((s) => s.doctor);
  const exported = useApp((s) => s.exported);
  const busyExport = useApp((s) => s.busyExport);
  const fixing = useApp((s) => s.fixing);
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
        <button
          type="button"
          className={doctor ? '' : 'primary'}
          data-testid="run-doctor"
          disabled={busy || fixing !== null}
          onClick={() => void run()}
        >
          {busy ? t('ui.diagnose.running') : doctor ? t('ui.diagnose.runAgain') : t('ui.diagnose.run')}
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
      {exported.report && <Exported kind="report" saved={exported.report} />}
      {exported.bundle && <Exported kind="bundle" saved={exported.bundle} />}
      {doctor && (
        <>
          <VerdictCard doctor={doctor} />
          <p data-testid="doctor-summary" role="status">
            {t('ui.diagnose.summary', {
              blocked: 0,
              ...doctor.summary,
              seconds: (doctor.ms / 1000).toFixed(1),
            })}
          </p>
          <CheckTable checks={doctor.checks} fixable={doctor.fixable} />
        </>
      )}
      <FleetPanel />
    </section>
  );
}
