import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useMessage } from '../i18n';
import { RemedyForms } from '../components/RemedyForms';
import type { FleetHostView } from '../../../main/core/fleet/view';
import { FAIL_CLASSES } from '../../../main/core/doctor/failClass';
import { useApp } from '../store';
import { ErrorPanel } from '../components/ErrorPanel';
import type { CheckView } from '../../../main/core/ipc/contract';
import { CheckTable } from './CheckTable';

/** One host: name and cause; its checks are rendered only once it is opened (a fleet has thousands). */
function HostDetails({ host }: { host: FleetHostView }) {
  const { t } = useTranslation();
  const tr = useMessage();
  const [open, setOpen] = useState(false);
  return (
    <details
      className="fleet-host"
      data-testid="fleet-host"
      data-host={host.hostname ?? host.source}
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        <strong>{host.hostname ?? host.source}</strong>
        {host.verdict && (
          <>
            {' — '}
            <span className="cause">{tr(host.verdict.cause)}</span> <code>{host.verdict.check}</code>
            {host.verdict.derived && <small data-testid="fleet-derived"> ({t('ui.fleet.derived')})</small>}
          </>
        )}
      </summary>
      {open && (
        <>
          <p className="note">
            {t('ui.fleet.facts', { os: host.os, kernel: host.kernel ?? '?' })} · <code>{host.source}</code>
          </p>
          <div data-testid="fleet-checks">
            <CheckTable
              here={false}
              checks={host.checks.map((c) => ({
                id: c.id,
                // `blocked` (a prerequisite failed) comes with the doctor's verdicts, as CheckTable's statuses do.
                status: c.status as CheckView['status'],
                title: c.title,
                detail: c.detail,
                ...(c.remedy ? { remedy: c.remedy } : {}),
              }))}
            />
          </div>
        </>
      )}
    </details>
  );
}

/** A group of hosts under its heading (a root cause class, or no failing check), remedies first. */
function HostGroup(props: { id: string; title: string; hosts: FleetHostView[]; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <section className="fleet-group" data-testid={`fleet-group-${props.id}`}>
      <h3>
        {props.title} — {t('ui.fleet.classHosts', { count: props.hosts.length })}
      </h3>
      {props.children}
      {props.hosts.map((h) => (
        <HostDetails key={h.source} host={h} />
      ))}
    </section>
  );
}

/** The Diagnose screen's fleet view: a folder of many machines' doctor results, grouped by root cause. */
export function FleetPanel() {
  const { t } = useTranslation();
  const tr = useMessage();
  const fleet = useApp((s) => s.fleet);
  const busy = useApp((s) => s.fleetLoading);
  const error = useApp((s) => s.errors.fleet);
  const open = useApp((s) => s.openFleet);
  const failing = fleet ? fleet.groups.reduce((n, g) => n + g.hosts.length, 0) : 0;
  return (
    <section className="fleet" data-testid="fleet" aria-busy={busy}>
      <h2>{t('ui.fleet.heading')}</h2>
      <p>{t('ui.fleet.intro')}</p>
      <div className="actions">
        <button type="button" data-testid="open-fleet" disabled={busy} onClick={() => void open()}>
          {busy ? t('ui.fleet.opening') : t('ui.fleet.open')}
        </button>
      </div>
      <ErrorPanel error={error} testId="fleet-error" />
      {fleet && (
        <>
          <p role="status" data-testid="fleet-summary">
            {t('ui.fleet.summary', {
              total: fleet.total,
              folder: fleet.folder,
              failing,
              clean: fleet.clean.length,
              apart: fleet.apart.length,
            })}
          </p>
          <table className="fleet-classes" data-testid="fleet-classes">
            <thead>
              <tr>
                <th scope="col">{t('fleet.col.class')}</th>
                <th scope="col">{t('fleet.col.hosts')}</th>
              </tr>
            </thead>
            <tbody>
              {FAIL_CLASSES.map((c) => (
                <tr key={c} data-class={c}>
                  <td>{t(`fleet.class.${c}`)}</td>
                  <td className="count">{fleet.groups.find((g) => g.class === c)?.hosts.length ?? 0}</td>
                </tr>
              ))}
              <tr data-class="clean">
                <td>{t('ui.fleet.clean')}</td>
                <td className="count">{fleet.clean.length}</td>
              </tr>
              <tr data-class="apart">
                <td>{t('ui.fleet.apart')}</td>
                <td className="count">{fleet.apart.length}</td>
              </tr>
            </tbody>
          </table>
          {fleet.groups
            .filter((g) => g.hosts.length > 0)
            .map((g) => (
              <HostGroup key={g.class} id={g.class} title={t(`fleet.class.${g.class}`)} hosts={g.hosts}>
                {g.remedies.map((r, i) => (
                  <div key={i} className="remedy" data-testid="fleet-remedy">
                    {tr(r.remedy)}
                    <RemedyForms remedy={r.remedy} actions={false} testId={`fleet-remedy-forms-${i}`} />
                    <small>{t('ui.fleet.remedyFor', { n: r.hosts.length, total: g.hosts.length })}</small>
                  </div>
                ))}
              </HostGroup>
            ))}
          {fleet.clean.length > 0 && <HostGroup id="clean" title={t('ui.fleet.clean')} hosts={fleet.clean} />}
          {fleet.apart.length > 0 && (
            <section className="fleet-group" data-testid="fleet-apart">
              <h3>{t('ui.fleet.apart')}</h3>
              <ul>
                {fleet.apart.map((a) => (
                  <li key={a.source}>
                    <code>{a.source}</code>: {tr(a.reason)}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </section>
  );
}
