import type { Translate } from '../i18n.js';
import { renderMessage, type Message } from '../message.js';
import { escapeHtml } from '../report/render.js';
import type { FleetGroup, FleetReport } from './group.js';
import type { FleetCheck, FleetHost } from './read.js';

/** Translates messages once each: the reader shares one object per distinct message across hosts. */
function translatorCache(t: Translate): (m: Message) => string {
  const cache = new WeakMap<Message, string>();
  return (m) => {
    let s = cache.get(m);
    if (s === undefined) {
      s = renderMessage(t, m);
      cache.set(m, s);
    }
    return s;
  };
}

/** A host's name for lists: its host name, else the file it came from. */
export const hostLabel = (h: FleetHost): string => h.hostname ?? h.source;

const CSS = `body{font-family:system-ui,"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2em;color:#222;max-width:80em}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}td.n{text-align:right}.pass{color:#17692c}.warn{color:#8a5a00}.fail{color:#b3261e;font-weight:bold}.skip,.blocked{color:#666}
.remedy{background:#fff6e5;border-left:4px solid #e0a000;padding:.4em .8em;margin:.4em 0}.note{color:#555;font-size:.92em}
details{border:1px solid #ddd;border-radius:4px;margin:.25em 0;padding:.2em .6em}details[open]{background:#fafafa}
summary{cursor:pointer}.cause{color:#444}.derived{font-size:.8em;background:#eee;border-radius:3px;padding:0 .3em}
code{font-family:ui-monospace,monospace}section{margin-top:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em}`;

/** Everything a renderer needs, translated and cached. */
function texts(t: Translate) {
  const tr = translatorCache(t);
  const statuses = Object.fromEntries(
    ['pass', 'warn', 'fail', 'skip', 'blocked'].map((s) => [
      s,
      t(s === 'blocked' ? 'fleet.status.blocked' : `doctor.table.status.${s}`),
    ]),
  );
  return {
    tr,
    cls: (c: string) => t(`fleet.class.${c}`),
    status: (s: string) => statuses[s] ?? s,
  };
}

/** The HTML rows of checks; the reader shares one object per distinct check, so each row is built once. */
function htmlRows(x: ReturnType<typeof texts>, t: Translate): (checks: FleetCheck[]) => string {
  const e = escapeHtml;
  const rows = new WeakMap<FleetCheck, string>();
  const row = (c: FleetCheck): string => {
    let html = rows.get(c);
    if (html === undefined) {
      const by = c.blockedBy ? ` <small>(${e(t('fleet.blockedBy', { check: c.blockedBy }))})</small>` : '';
      html = `<tr><td class="${c.status}">${e(x.status(c.status))}</td><td><code>${e(c.id)}</code>${c.class ? ` <small>${e(c.class)}</small>` : ''}</td><td>${e(x.tr(c.title))}</td><td>${e(x.tr(c.detail))}${by}</td><td>${c.remedy ? e(x.tr(c.remedy)) : ''}</td></tr>`;
      rows.set(c, html);
    }
    return html;
  };
  return (checks) => checks.map(row).join('');
}

/** What the HTML renderer needs, built once per report. */
function htmlParts(t: Translate) {
  const e = escapeHtml;
  const x = texts(t);
  const head = `<table><thead><tr><th>${e(t('report.col.status'))}</th><th>${e(t('report.col.id'))}</th><th>${e(t('report.col.check'))}</th><th>${e(t('report.col.detail'))}</th><th>${e(t('report.col.remedy'))}</th></tr></thead><tbody>`;
  const derived = ` <span class="derived">${e(t('fleet.derivedBadge'))}</span>`;
  const file = e(t('fleet.source'));
  const rows = htmlRows(x, t);
  const causes = new WeakMap<Message, string>();
  const cause = (m: Message): string => {
    let html = causes.get(m);
    if (html === undefined) causes.set(m, (html = e(x.tr(m))));
    return html;
  };
  const host = (h: FleetHost): string => {
    const v = h.verdict;
    const why = v
      ? ` — <span class="cause">${cause(v.cause)}</span> <code>${e(v.check)}</code>${v.derived ? derived : ''}`
      : '';
    const facts = t('fleet.hostFacts', {
      os: h.os,
      kernel: h.kernel ?? t('value.unknown'),
      arch: h.arch ?? t('value.unknown'),
      version: h.version,
      generated: h.generatedAt || '?',
    });
    return `<details class="host"><summary><strong>${e(hostLabel(h))}</strong>${why}</summary>
<p class="note">${e(facts)}<br>${file}: <code>${e(h.source)}</code></p>
${head}${rows(h.checks)}</tbody></table></details>`;
  };
  return { x, host };
}

function htmlGroup(p: ReturnType<typeof htmlParts>, g: FleetGroup, t: Translate): string {
  const x = p.x;
  const e = escapeHtml;
  const remedies = g.remedies
    .map(
      (r) =>
        `<div class="remedy">${e(x.tr(r.remedy))}<br><small>${e(
          t('fleet.remedyHosts', {
            n: r.hosts.length,
            total: g.hosts.length,
            hosts:
              r.hosts
                .slice(0, 12)
                .map((i) => hostLabel(g.hosts[i]!))
                .join(', ') + (r.hosts.length > 12 ? ' …' : ''),
          }),
        )}</small></div>`,
    )
    .join('\n');
  return `<section id="class-${g.class}" data-class="${g.class}"><h2>${e(x.cls(g.class))} — ${e(t('fleet.hostCount', { count: g.hosts.length }))}</h2>
<p class="note">${e(t(`fleet.classWhat.${g.class}`))}</p>
<h3>${e(t('fleet.remedyHeading', { count: g.remedies.length }))}</h3>
${remedies}
${g.derived ? `<p class="note">${e(t('fleet.derivedNote', { count: g.derived }))}</p>` : ''}
<h3>${e(t('fleet.hostsHeading'))}</h3>
${g.hosts.map(p.host).join('\n')}
</section>`;
}

/** The fleet report as one self-contained HTML page (inline CSS, no script, no external resource; all escaped). */
export function renderFleetHtml(t: Translate, r: FleetReport, lang: string): string {
  const e = escapeHtml;
  const p = htmlParts(t);
  const x = p.x;
  const rows = r.groups
    .map(
      (g) =>
        `<tr data-class="${g.class}"><td>${g.hosts.length ? `<a href="#class-${g.class}">${e(x.cls(g.class))}</a>` : e(x.cls(g.class))}</td><td class="n">${g.hosts.length}</td><td>${e(g.hosts.slice(0, 8).map(hostLabel).join(', ') + (g.hosts.length > 8 ? ' …' : ''))}</td></tr>`,
    )
    .join('\n');
  const title = t('fleet.title', { count: r.total });
  return `<!DOCTYPE html>
<html lang="${e(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(title)}</title><style>${CSS}</style></head>
<body><h1>${e(title)}</h1>
<p class="note">${e(t('fleet.generated', { at: r.generatedAt }))}</p>
<h2>${e(t('fleet.summaryHeading'))}</h2>
<table id="summary"><thead><tr><th>${e(t('fleet.col.class'))}</th><th>${e(t('fleet.col.hosts'))}</th><th>${e(t('fleet.col.which'))}</th></tr></thead><tbody>
${rows}
<tr data-class="clean"><td>${r.clean.length ? `<a href="#clean">${e(t('fleet.clean'))}</a>` : e(t('fleet.clean'))}</td><td class="n">${r.clean.length}</td><td>${e(r.clean.slice(0, 8).map(hostLabel).join(', ') + (r.clean.length > 8 ? ' …' : ''))}</td></tr>
<tr data-class="apart"><td>${r.apart.length ? `<a href="#apart">${e(t('fleet.apartHeading'))}</a>` : e(t('fleet.apartHeading'))}</td><td class="n">${r.apart.length}</td><td></td></tr>
</tbody></table>
${r.groups
  .filter((g) => g.hosts.length)
  .map((g) => htmlGroup(p, g, t))
  .join('\n')}
${r.clean.length ? `<section id="clean" data-class="clean"><h2>${e(t('fleet.clean'))} — ${e(t('fleet.hostCount', { count: r.clean.length }))}</h2><p class="note">${e(t('fleet.cleanWhat'))}</p>\n${r.clean.map(p.host).join('\n')}</section>` : ''}
${r.apart.length ? `<section id="apart" data-class="apart"><h2>${e(t('fleet.apartHeading'))} — ${e(t('fleet.fileCount', { count: r.apart.length }))}</h2><p class="note">${e(t('fleet.apartWhat'))}</p><table><thead><tr><th>${e(t('fleet.col.file'))}</th><th>${e(t('fleet.col.why'))}</th></tr></thead><tbody>${r.apart.map((a) => `<tr><td><code>${e(a.source)}</code></td><td>${e(x.tr(a.reason))}</td></tr>`).join('')}</tbody></table></section>` : ''}
</body></html>
`;
}

/** Escapes text for Markdown (tables and lists). */
function md(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>')
    .replace(/([*_`<>[\]#])/g, '\\$1');
}

/** The fleet report in Markdown: the summary table, then each group with its remedies and hosts. */
export function renderFleetMarkdown(t: Translate, r: FleetReport): string {
  const x = texts(t);
  const out = [
    `# ${md(t('fleet.title', { count: r.total }))}`,
    '',
    md(t('fleet.generated', { at: r.generatedAt })),
    '',
    `## ${md(t('fleet.summaryHeading'))}`,
    '',
    `| ${md(t('fleet.col.class'))} | ${md(t('fleet.col.hosts'))} |`,
    '|---|---:|',
    ...r.groups.map((g) => `| ${md(x.cls(g.class))} | ${g.hosts.length} |`),
    `| ${md(t('fleet.clean'))} | ${r.clean.length} |`,
    `| ${md(t('fleet.apartHeading'))} | ${r.apart.length} |`,
  ];
  const hostLines = (h: FleetHost): string[] => {
    const v = h.verdict;
    const lines = [
      `- **${md(hostLabel(h))}**${v ? ` — ${md(x.tr(v.cause))} (\`${v.check.replace(/`/g, '')}\`)${v.derived ? ` ${md(t('fleet.derivedBadge'))}` : ''}` : ''}`,
      `  - ${md(t('fleet.hostFacts', { os: h.os, kernel: h.kernel ?? t('value.unknown'), arch: h.arch ?? t('value.unknown'), version: h.version, generated: h.generatedAt || '?' }))}; ${md(t('fleet.source'))}: ${md(h.source)}`,
    ];
    for (const c of h.checks)
      lines.push(
        `  - ${md(x.status(c.status))} \`${c.id.replace(/`/g, '')}\` ${md(x.tr(c.title))}: ${md(x.tr(c.detail))}${c.remedy ? ` → ${md(x.tr(c.remedy))}` : ''}`,
      );
    return lines;
  };
  for (const g of r.groups.filter((g) => g.hosts.length)) {
    out.push('', `## ${md(x.cls(g.class))} — ${md(t('fleet.hostCount', { count: g.hosts.length }))}`, '');
    out.push(
      md(t(`fleet.classWhat.${g.class}`)),
      '',
      `### ${md(t('fleet.remedyHeading', { count: g.remedies.length }))}`,
      '',
    );
    for (const rem of g.remedies)
      out.push(
        `> ${md(x.tr(rem.remedy))}  `,
        `> ${md(t('fleet.remedyHosts', { n: rem.hosts.length, total: g.hosts.length, hosts: rem.hosts.map((i) => hostLabel(g.hosts[i]!)).join(', ') }))}`,
        '',
      );
    if (g.derived) out.push(md(t('fleet.derivedNote', { count: g.derived })), '');
    out.push(`### ${md(t('fleet.hostsHeading'))}`, '');
    for (const h of g.hosts) out.push(...hostLines(h));
  }
  if (r.clean.length) {
    out.push('', `## ${md(t('fleet.clean'))} — ${md(t('fleet.hostCount', { count: r.clean.length }))}`, '');
    for (const h of r.clean) out.push(...hostLines(h));
  }
  if (r.apart.length) {
    out.push('', `## ${md(t('fleet.apartHeading'))}`, '', md(t('fleet.apartWhat')), '');
    out.push(`| ${md(t('fleet.col.file'))} | ${md(t('fleet.col.why'))} |`, '|---|---|');
    for (const a of r.apart) out.push(`| ${md(a.source)} | ${md(x.tr(a.reason))} |`);
  }
  return out.join('\n') + '\n';
}

/** The fleet report as one JSON document: counts per class, each group's remedies and hosts, translated. */
export function fleetJson(t: Translate, r: FleetReport, lang: string): unknown {
  const x = texts(t);
  const host = (h: FleetHost) => ({
    hostname: h.hostname,
    os: h.os,
    kernel: h.kernel,
    source: h.source,
    version: h.version,
    generatedAt: h.generatedAt,
    verdict: h.verdict
      ? {
          check: h.verdict.check,
          class: h.verdict.class,
          cause: x.tr(h.verdict.cause),
          remedy: x.tr(h.verdict.remedy),
          derived: h.verdict.derived,
        }
      : null,
    summary: h.summary,
    checks: h.checks.map((c) => ({ id: c.id, status: c.status, ...(c.class ? { class: c.class } : {}) })),
  });
  return {
    generatedAt: r.generatedAt,
    lang,
    total: r.total,
    summary: {
      ...Object.fromEntries(r.groups.map((g) => [g.class, g.hosts.length])),
      clean: r.clean.length,
      apart: r.apart.length,
    },
    groups: r.groups
      .filter((g) => g.hosts.length)
      .map((g) => ({
        class: g.class,
        title: x.cls(g.class),
        count: g.hosts.length,
        derived: g.derived,
        remedies: g.remedies.map((rem) => ({
          remedy: x.tr(rem.remedy),
          hosts: rem.hosts.map((i) => hostLabel(g.hosts[i]!)),
        })),
        hosts: g.hosts.map(host),
      })),
    clean: r.clean.map(host),
    apart: r.apart.map((a) => ({ source: a.source, reason: x.tr(a.reason), reasonRef: a.reason })),
  };
}
