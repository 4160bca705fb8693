import type { Command } from 'commander';
import { Option } from 'commander';
import type { Translate } from '../core/i18n.js';
import { loadJson } from '../core/inputs/load.js';
import { inputError } from '../core/errors.js';
import { msg } from '../core/message.js';
import { parseDoctorResult } from '../core/report/schema.js';
import { renderHtml, renderMarkdown } from '../core/report/render.js';
import { atomicWrite } from '../core/fsx.js';
import { redactJson, redactText } from '../core/secrets.js';
import { action } from './common.js';
import { reportFleet } from './reportFleet.js';

/** Registers `dsa-setup report --from doctor.json | --fleet DIR|FILE… --format html|md|json [--out FILE]`. */
export function registerReport(program: Command, t: Translate): void {
  program
    .command('report')
    .description(t('report.help.command'))
    .option('--from <file>', t('report.help.from'))
    .option('--fleet <paths...>', t('fleet.help.fleet'))
    .addOption(new Option('--format <format>', t('report.help.format')).choices(['html', 'md', 'json']).default('html'))
    .option('--out <file>', t('report.help.out'))
    .action(
      action(async (ctx, opts: { from?: string; fleet?: string[]; format: 'html' | 'md' | 'json'; out?: string }) => {
        if (opts.fleet && !opts.from) return reportFleet(ctx, { ...opts, fleet: opts.fleet });
        if (!opts.from || opts.fleet || opts.format === 'json')
          throw inputError(
            'report.usage',
            msg(opts.from && !opts.fleet ? 'fleet.error.jsonNeedsFleet' : 'fleet.error.fromOrFleet'),
          );
        // PowerShell 5's `doctor --json > FILE` writes UTF-16: read as the other input files are.
        const value = await loadJson(opts.from);
        const parsed = parseDoctorResult(value);
        if (!parsed.ok)
          throw inputError(
            'report.badDoctorJson',
            msg('report.error.badDoctorJson', { file: opts.from, path: parsed.path, problem: parsed.problem }),
            msg('report.error.badDoctorJsonRemedy'),
          );
        const doc = redactJson(parsed.value);
        const text = redactText(opts.format === 'md' ? renderMarkdown(ctx.t, doc) : renderHtml(ctx.t, doc, ctx.lang));
        if (opts.out) {
          await atomicWrite(opts.out, text, { mode: 0o644 });
          if (ctx.json) ctx.printJson({ ok: true, out: opts.out, format: opts.format, bytes: Buffer.byteLength(text) });
          else ctx.say(ctx.t('report.written', { file: opts.out }));
        } else if (ctx.json) ctx.printJson({ ok: true, format: opts.format, content: text });
        else process.stdout.write(text);
        return 0;
      }),
    );
}
