import type { Translate } from '../core/i18n.js';
import type { DoctorCheck, DoctorResult } from '../core/doctor/types.js';
import { displayWidth, padToWidth, type Paint } from './textLayout.js';
import { openingsText } from './openingsText.js';

const COLOURS = { pass: 'green', warn: 'yellow', fail: 'red', skip: 'gray', blocked: 'gray' } as const;

/** Paints text for a terminal (`painter(stream)` from textLayout), or leaves it as is. */
export type PaintText = (format: Paint, text: string) => string;
const plainText: PaintText = (_format, text) => text;

/** The doctor's result as a table: status, check, what was seen; the remedy and failing phases under it. */
export function doctorText(t: Translate, r: DoctorResult, paintText: PaintText = plainText): string {
  const paint = (status: DoctorCheck['status'], s: string): string => paintText(COLOURS[status], s);
  const badge = (s: DoctorCheck['status']): string => t(`doctor.table.status.${s}`);
  const badgeW = Math.max(...(['pass', 'warn', 'fail', 'skip', 'blocked'] as const).map((s) => displayWidth(badge(s))));
  const titleW = Math.min(36, Math.max(0, ...r.checks.map((c) => displayWidth(c.title))));
  const lines = [
    t('doctor.table.header', {
      host: r.host.hostname ?? t('value.unknown'),
      os: r.host.os,
      kernel: r.host.kernel ?? t('value.unknown'),
    }),
    '',
  ];
  // The one answer first: the root cause and what to do.
  const v = r.verdict;
  if (v) {
    const status = r.checks.find((c) => c.id === v.check)?.status ?? 'fail';
    lines.push(
      paint(status, t('doctor.table.verdict', { id: v.check, cls: v.class, cause: v.cause })),
      `${t('doctor.table.remedy')}: ${v.remedy}`,
      '',
    );
  } else lines.push(paint('pass', t('doctor.table.noVerdict')), '');
  const indent = ' '.repeat(badgeW + 2 + titleW + 2);
  for (const c of r.checks) {
    lines.push(`${paint(c.status, padToWidth(badge(c.status), badgeW))}  ${padToWidth(c.title, titleW)}  ${c.detail}`);
    if (c.phases && c.status !== 'pass')
      for (const p of c.phases)
        lines.push(
          `${indent}${paint(p.status, `${t(`doctor.table.phase.${p.name}`)}: ${badge(p.status)}`)}  ${p.detail}`,
        );
    if (c.remedy && c.status !== 'pass' && c.status !== 'skip')
      lines.push(`${indent}${t('doctor.table.remedy')}: ${c.remedy}`);
  }
  const openings = openingsText(t, r.openings);
  if (openings.length) lines.push('', ...openings);
  const s = r.summary;
  lines.push('', t('doctor.table.summary', { ...s, blocked: s.blocked ?? 0, ms: r.ms }));
  return lines.join('\n');
}
