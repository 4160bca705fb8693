import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { detectLang, translator, type Lang } from './core/i18n.js';
import { ExitCode } from './core/errors.js';
import { redactArgv, redactText, registerProcessSecrets } from './core/secrets.js';
import { cliOutput, reportError } from './commands/common.js';
import { registerInspect } from './commands/inspect.js';
import { registerPlan } from './commands/plan.js';
import { registerApply } from './commands/apply.js';
import { registerRevert } from './commands/revert.js';
import { registerDoctor } from './commands/doctor.js';
import { registerReport } from './commands/report.js';
import { registerActivate, registerDownload } from './commands/activate.js';
import { registerStatus } from './commands/status.js';
import { registerJob } from './commands/job.js';

/** The language asked for on the command line (`--lang ja|en`, `--lang=ja`), else from the environment. */
export function langFromArgv(argv: readonly string[]): Lang {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = a === '--lang' ? argv[i + 1] : a.startsWith('--lang=') ? a.slice(7) : undefined;
    if (v === 'ja' || v === 'en') return v;
  }
  return detectLang();
}

/** Builds the `dsa-setup` program with help texts in the user's language. */
export function buildProgram(lang: Lang): Command {
  const t = translator(lang);
  const program = new Command('dsa-setup')
    .description(t('cli.help.program'))
    .version(pkg.version, '-V, --version')
    .option('--json', t('cli.help.json'))
    .option('--root <dir>', t('cli.help.root'))
    .addOption(new Option('--lang <lang>', t('cli.help.lang')).choices(['ja', 'en']))
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(redactText(s)) })
    .exitOverride();
  registerInspect(program, t);
  registerPlan(program, t);
  registerApply(program, t);
  registerRevert(program, t);
  registerDoctor(program, t);
  registerReport(program, t);
  registerActivate(program, t);
  registerDownload(program, t);
  registerStatus(program, t);
  registerJob(program, t);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/**
 * Reports an error no command caught — thrown outside a command's action, or by a callback or a promise nobody
 * awaited — the way commands report theirs (masked, logged with its stack as a bug), never as Node's raw stack.
 */
function reportStray(argv: readonly string[], err: unknown, json: boolean): void {
  process.exitCode = reportError({ t: translator(langFromArgv(argv)), json, ...cliOutput(json) }, err);
}

/** Runs the CLI; usage errors exit 2 (the contract), help and version exit 0. */
export async function main(argv: string[] = process.argv): Promise<void> {
  registerProcessSecrets(argv.slice(2), process.env);
  // Other users see a command line (`ps`, /proc/PID/cmdline): from here on it is the masked one. (On Windows the
  // title is the console window's, and other users do not see this process's command line.)
  if (process.platform !== 'win32') process.title = ['dsa-setup', ...redactArgv('dsa-setup', argv.slice(2))].join(' ');
  // A callback's error may come after the command printed its one JSON document: stderr only then.
  const stray = (err: unknown): void => {
    reportStray(argv.slice(2), err, false);
    process.exit();
  };
  process.on('uncaughtException', stray);
  process.on('unhandledRejection', stray);
  const program = buildProgram(langFromArgv(argv.slice(2)));
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode =
        e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version'
          ? ExitCode.ok
          : ExitCode.badInput;
      return;
    }
    reportStray(argv.slice(2), e, argv.includes('--json'));
  }
}

await main();
