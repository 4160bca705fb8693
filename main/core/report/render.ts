import type { Translate } from '../i18n.js';
import { renderMessage } from '../message.js';
import type { DoctorCheck, DoctorResult } from '../doctor/types.js';
import { displayOrder } from '../doctor/verdict.js';

/** A check's texts in the report's language (re-rendered from their keys). */
function texts(t: Translate, c: DoctorCheck): { title: string; detail: string; remedy: string } {
  return {
    title: renderMessage(t, c.titleRef),
    detail: renderMessage(t, c.detailRef),
    remedy: c.remedyRef ? renderMessage(t, c.remedyRef) : c.remedy,
  };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/*
 * Reads at 1280 px and on A4: a fixed table layout with the narrow columns sized in em (status, check, ms) and
 * the text columns sharing the rest, so no column shrinks to one character ("結/果"); headers never wrap; long
 * unbroken values (hashes, URLs) wrap only where they must; Japanese lines break by the strict rules.
 */
const CSS = `body{font-family:system-ui,"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2em;color:#222;line-height:1.5;line-break:strict;word-break:normal;overflow-wrap:break-word}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{border:1px solid #ccc;padding:.4em .6em;vertical-align:top;text-align:left;overflow-wrap:anywhere}
th{background:#f3f3f3;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}col.c-status{width:6.5em}col.c-check{width:12em}col.c-ms{width:5em}col.c-detail{width:55%}col.c-remedy{width:45%}
td.ms{text-align:right;white-space:nowrap}.status{white-space:nowrap}
.pass{color:#17692c}.warn{color:#8a5a00}.fail{color:#b3261e;font-weight:bold}.skip{color:#666}
.remedy{background:#fff6e5}.blocked{color:#666}.verdict{border:2px solid #b3261e;padding:.6em 1em;margin:1em 0}p.verdict.pass{border-color:#17692c}code{font-family:ui-monospace,monospace}small code{font-size:.95em}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dt{font-weight:bold}ol.phases{margin:.3em 0 0 1.2em;padding:0}
@page{size:A4;margin:12mm}
@media print{body{margin:0;font-size:9pt}col.c-status{width:6em}col.c-check{width:10em}col.c-ms{width:4.5em}thead{display:table-header-group}tr{break-inside:avoid}.verdict{break-inside:avoid}}`;

/** The verdict re-rendered in the report's language: cause and remedy, or that nothing failed. */
function verdictTexts(t: Translate, r: DoctorResult): { head: string; remedy: string } | null {
  const v = r.verdict;
  if (!v) return null;
  const cause = renderMessage(t, v.causeRef);
  return {
    head: t('doctor.table.verdict', { id: v.check, cls: v.class, cause }),
    remedy: renderMessage(t, v.remedyRef),
  };
}

function verdictHtml(t: Translate, r: DoctorResult): string {
  const v = verdictTexts(t, r);
  if (!v) return `<p class="verdict pass">${escapeHtml(t('doctor.table.noVerdict'))}</p>`;
  return `<section class="verdict"><h2>${escapeHtml(t('report.verdict'))}</h2><p>${escapeHtml(v.head)}</p><p class="remedy">${escapeHtml(t('doctor.table.remedy'))}: ${escapeHtml(v.remedy)}</p></section>`;
}

/** A self-contained HTML report (no external assets; every value escaped). */
export function renderHtml(t: Translate, r: DoctorResult, lang: string): string {
  const e = escapeHtml;
  const st = (s: DoctorCheck['status']): string =>
    `<span class="status ${s}">${e(t(`doctor.table.status.${s}`))}</span>`;
  const rows = displayOrder(r.checks)
    .map((c) => {
      const x = texts(t, c);
      const phases = c.phases
        ? `<ol class="phases">${c.phases
            .map(
              (p) =>
                `<li>${e(t(`doctor.table.phase.${p.name}`))}: ${st(p.status)} — ${e(renderMessage(t, p.detailRef))}</li>`,
            )
            .join('')}</ol>`
        : '';
      const id = `<small><code>${e(c.id)}</code>${c.class ? ` · ${e(t('report.class'))}: <code>${e(c.class)}</code>` : ''}</small>`;
      return `<tr><td>${st(c.status)}</td><td>${e(x.title)}<br>${id}</td><td>${e(x.detail)}${phases}</td><td class="${x.remedy ? 'remedy' : ''}">${e(x.remedy)}</td><td class="ms">${c.ms}</td></tr>`;
    })
    .join('\n');
  const s = r.summary;
  return `<!DOCTYPE html>
<html lang="${e(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${e(t('report.title', { host: r.host.hostname ?? t('value.unknown') }))}</title><style>${CSS}</style></head>
<body><h1>${e(t('report.title', { host: r.host.hostname ?? t('value.unknown') }))}</h1>
${verdictHtml(t, r)}
<h2>${e(t('report.hostFacts'))}</h2><dl>
<dt>${e(t('report.hostname'))}</dt><dd>${e(r.host.hostname ?? t('value.unknown'))}</dd>
<dt>${e(t('report.os'))}</dt><dd>${e(r.host.os)}</dd>
<dt>${e(t('report.kernel'))}</dt><dd>${e(r.host.kernel ?? t('value.unknown'))}</dd>
<dt>${e(t('report.arch'))}</dt><dd>${e(r.host.arch ?? t('value.unknown'))}</dd>
<dt>${e(t('report.generated'))}</dt><dd>${e(r.generatedAt)} (dsa-setup ${e(r.version)})</dd>
<dt>${e(t('report.totalTime'))}</dt><dd>${r.ms} ms</dd></dl>
<h2>${e(t('report.summary'))}</h2><p>${e(t('doctor.table.summary', { ...s, ms: r.ms }))}</p>
<h2>${e(t('report.checks'))}</h2>
<table><colgroup><col class="c-status"><col class="c-check"><col class="c-detail"><col class="c-remedy"><col class="c-ms"></colgroup>
<thead><tr><th>${e(t('report.col.status'))}</th><th>${e(t('report.col.check'))}</th><th>${e(t('report.col.detail'))}</th><th>${e(t('report.col.remedy'))}</th><th>${e(t('report.col.ms'))}</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}

/** Escapes text for a Markdown table cell. */
function md(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>')
    .replace(/([*_`<>[\]])/g, '\\$1');
}

/** A Markdown report: host facts, summary, then each check with its remedy and timing. */
export function renderMarkdown(t: Translate, r: DoctorResult): string {
  const s = r.summary;
  const v = verdictTexts(t, r);
  const lines = [
    `# ${md(t('report.title', { host: r.host.hostname ?? t('value.unknown') }))}`,
    '',
    `## ${md(t('report.verdict'))}`,
    '',
    ...(v
      ? [`**${md(v.head)}**`, '', `${md(t('doctor.table.remedy'))}: ${md(v.remedy)}`]
      : [md(t('doctor.table.noVerdict'))]),
    '',
    `## ${md(t('report.hostFacts'))}`,
    '',
    `- ${md(t('report.hostname'))}: ${md(r.host.hostname ?? t('value.unknown'))}`,
    `- ${md(t('report.os'))}: ${md(r.host.os)}`,
    `- ${md(t('report.kernel'))}: ${md(r.host.kernel ?? t('value.unknown'))}`,
    `- ${md(t('report.arch'))}: ${md(r.host.arch ?? t('value.unknown'))}`,
    `- ${md(t('report.generated'))}: ${md(r.generatedAt)} (dsa-setup ${md(r.version)})`,
    `- ${md(t('report.totalTime'))}: ${r.ms} ms`,
    '',
    `## ${md(t('report.summary'))}`,
    '',
    md(t('doctor.table.summary', { ...s, ms: r.ms })),
    '',
    `## ${md(t('report.checks'))}`,
    '',
    `| ${[t('report.col.status'), t('report.col.id'), t('report.col.check'), t('report.col.detail'), t('report.col.remedy'), t('report.col.ms')].map(md).join(' | ')} |`,
    '|---|---|---|---|---|---:|',
  ];
  for (const c of displayOrder(r.checks)) {
    const x = texts(t, c);
    const phases = c.phases
      ? '<br>' +
        c.phases
          .map(
            (p) =>
              `${md(t(`doctor.table.phase.${p.name}`))}: ${md(t(`doctor.table.status.${p.status}`))} — ${md(renderMessage(t, p.detailRef))}`,
          )
          .join('<br>')
      : '';
    lines.push(
      `| ${md(t(`doctor.table.status.${c.status}`))} | \`${c.id.replace(/`/g, '')}\`${c.class ? ` (${md(c.class)})` : ''} | ${md(x.title)} | ${md(x.detail)}${phases} | ${md(x.remedy)} | ${c.ms} |`,
    );
  }
  return lines.join('\n') + '\n';
}
