import { useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { InputKind, InputSummary } from '../../../main/core/ipc/contract';
import { useApp } from '../store';
import { ErrorPanel } from '../components/ErrorPanel';
import { ScreenTitle } from '../components/ScreenTitle';

function Parsed({ summary }: { summary: InputSummary }) {
  const { t } = useTranslation();
  if (summary.kind === 'hosts')
    return (
      <table className="parsed" data-testid="parsed-hosts">
        <caption>{t('ui.inputs.parsedHosts', { file: summary.file, n: summary.entries.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('ui.inputs.address')}</th>
            <th scope="col">{t('ui.inputs.names')}</th>
          </tr>
        </thead>
        <tbody>
          {summary.entries.map((e) => (
            <tr key={e.line}>
              <td>
                <code>{e.address}</code>
              </td>
              <td>{e.names.join(' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  if (summary.kind === 'activation')
    return (
      <dl className="facts" data-testid="parsed-activation">
        <dt>{t('ui.inputs.manager')}</dt>
        <dd data-testid="manager-host">{summary.manager.host}</dd>
        <dt>{t('ui.inputs.port')}</dt>
        <dd data-testid="manager-port">{summary.manager.port}</dd>
        <dt>{t('ui.inputs.hostname')}</dt>
        <dd>{summary.hostname ?? t('ui.inputs.hostnameNone')}</dd>
        <dt>{t('ui.inputs.args')}</dt>
        <dd>
          {summary.args.length ? (
            <code>{summary.args.map((a) => `${a.key}:${a.value}`).join(' ')}</code>
          ) : (
            t('ui.inputs.noArgs')
          )}
        </dd>
      </dl>
    );
  return (
    <p data-testid="parsed-installer">
      {t('ui.inputs.installerParsed', {
        file: summary.file,
        format: summary.format === 'other' ? t('ui.inputs.formatOther') : summary.format,
        size: (summary.size / 1024 / 1024).toFixed(1),
      })}
    </p>
  );
}

/** One input: a drop zone with a button to choose the file, its parsed content or its errors. */
function InputCard({ kind }: { kind: InputKind }) {
  const { t } = useTranslation();
  const summary = useApp((s) => s.inputs[kind]);
  const error = useApp((s) => s.errors[`input.${kind}`]);
  const pick = useApp((s) => s.pickInput);
  const drop = useApp((s) => s.dropInput);
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file) void drop(kind, file);
  };
  return (
    <section
      className={`card drop${over ? ' over' : ''}`}
      data-testid={`input-${kind}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      aria-labelledby={`input-${kind}-title`}
    >
      <h3 id={`input-${kind}-title`}>
        {summary && !error ? '✔ ' : ''}
        {t(`ui.inputs.${kind}.title`)}
      </h3>
      <p className="help">{t(`ui.inputs.${kind}.help`)}</p>
      <div className="actions">
        <button type="button" data-testid={`pick-${kind}`} onClick={() => void pick(kind)}>
          {t('ui.inputs.choose')}
        </button>
        <span className="hint">{t('ui.inputs.dropHint')}</span>
      </div>
      <ErrorPanel error={error} testId={`error-${kind}`} />
      {summary && !error && <Parsed summary={summary} />}
    </section>
  );
}

/** The hosts file, the activation file and the installer: each parsed at once, shown for review. */
export function Inputs() {
  const { t } = useTranslation();
  const go = useApp((s) => s.go);
  return (
    <section data-testid="screen-inputs">
      <ScreenTitle>{t('ui.inputs.heading')}</ScreenTitle>
      <p>{t('ui.inputs.intro')}</p>
      <div className="cards">
        <InputCard kind="hosts" />
        <InputCard kind="activation" />
        <InputCard kind="installer" />
      </div>
      <div className="actions">
        <button type="button" onClick={() => go('welcome')}>
          {t('ui.back')}
        </button>
        <button type="button" className="primary" data-testid="to-plan" onClick={() => go('plan')}>
          {t('ui.inputs.next')}
        </button>
      </div>
    </section>
  );
}
