import { atomicWrite } from '../core/fsx.js';
import { readFleet } from '../core/fleet/read.js';
import { groupFleet } from '../core/fleet/group.js';
import { fleetJson, renderFleetHtml, renderFleetMarkdown } from '../core/fleet/render.js';
import type { CliContext } from './common.js';

/** `report --fleet DIR|FILE…`: many hosts' doctor results in one report, grouped by root cause. */
export async function reportFleet(
  ctx: CliContext,
  opts: { fleet: string[]; format: 'html' | 'md' | 'json'; out?: string },
): Promise<number> {
  const report = groupFleet(await readFleet(opts.fleet));
  const text =
    opts.format === 'md'
      ? renderFleetMarkdown(ctx.t, report)
      : opts.format === 'json'
        ? JSON.stringify(fleetJson(ctx.t, report, ctx.lang), null, 2) + '\n'
        : renderFleetHtml(ctx.t, report, ctx.lang);
  const counts = {
    hosts: report.total,
    groups: Object.fromEntries(report.groups.map((g) => [g.class, g.hosts.length])),
    clean: report.clean.length,
    apart: report.apart.length,
  };
  if (report.apart.length) ctx.warn(ctx.t('fleet.apartWarning', { count: report.apart.length }));
  else if (report.total === 0) ctx.warn(ctx.t('fleet.noResults', { paths: opts.fleet.join(' ') }));
  if (opts.out) {
    await atomicWrite(opts.out, text, { mode: 0o644 });
    if (ctx.json)
      ctx.printJson({ ok: true, out: opts.out, format: opts.format, bytes: Buffer.byteLength(text), ...counts });
    else ctx.say(ctx.t('fleet.written', { file: opts.out, count: report.total }));
  } else if (ctx.json) ctx.printJson({ ok: true, format: opts.format, ...counts, content: text });
  else process.stdout.write(text);
  return 0;
}
