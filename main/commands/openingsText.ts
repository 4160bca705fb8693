import type { Translate } from '../core/i18n.js';
import type { OpeningsReport } from '../core/openings.js';
import { displayWidth, padToWidth } from './textLayout.js';

/**
 * The openings as a copyable table (direction, remote CIDR, port, host, when) with its title and notes, in the
 * user's language: what the security group / ACL of the cloud console must allow. Empty when there is nothing.
 */
export function openingsText(t: Translate, r: OpeningsReport | null | undefined): string[] {
  if (!r || r.items.length === 0) return [];
  const head = ['direction', 'remote', 'port', 'host', 'when'].map((c) => t(`openings.col.${c}`));
  const rows = r.items.map((o) => [
    t(o.direction === 'out' ? 'openings.outbound' : 'openings.inbound'),
    o.remote.length ? o.remote.join(', ') : o.host,
    `TCP ${o.port}`,
    o.host,
    t(o.when === 'always' ? 'openings.always' : 'openings.managerInitiated'),
  ]);
  // The last column is not padded (it is the longest and ends the line).
  const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((row) => displayWidth(row[i]!))));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : padToWidth(c, widths[i]!)))
      .join('  ')
      .trimEnd();
  return [t('openings.title'), '', `  ${line(head)}`, ...rows.map((row) => `  ${line(row)}`), '', ...r.notes];
}
