import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { fail, DsaError, ExitCode, type ErrorInfo } from '../core/errors.js';
import { describeError } from '../core/errorLog.js';
import { detectLang, translator, type Lang, type Translate } from '../core/i18n.js';
import { msg, renderMessage } from '../core/message.js';
import { createSystemContext, isAdmin, type SystemContext } from '../core/system.js';
import { redactJson, redactText } from '../core/secrets.js';

/** Options every command takes. */
export interface GlobalOptions {
  json?: boolean;
  root?: string;
  lang?: Lang;
}

/** What a command runs with: the target system, the language, and where output goes. */
export interface CliContext {
  sys: SystemContext;
  t: Translate;
  lang: Lang;
  json: boolean;
  /** Human text on stdout (never used with --json). */
  say(text: string): void;
  /** Human text on stderr (also with --json). */
  warn(text: string): void;
  /** The one JSON document of a --json run. */
  printJson(value: unknown): void;
}

/** Builds the context from a command's options (its own and the program's). */
export function cliContext(cmd: Command): CliContext {
  const o = cmd.optsWithGlobals<GlobalOptions>();
  const lang = o.lang ?? detectLang();
  const json = Boolean(o.json);
  return {
    sys: createSystemContext(o.root ? { root: o.root } : {}),
    t: translator(lang),
    lang,
    json,
    ...cliOutput(json),
  };
}

/** Where a run's output goes, masked: text on stdout (none with --json), text on stderr, the one JSON document. */
export function cliOutput(json: boolean): Pick<CliContext, 'say' | 'warn' | 'printJson'> {
  return {
    say: (text) => {
      if (!json) process.stdout.write(redactText(text.endsWith('\n') ? text : text + '\n'));
    },
    warn: (text) => process.stderr.write(redactText(text.endsWith('\n') ? text : text + '\n')),
    printJson: (value) => process.stdout.write(JSON.stringify(redactJson(value), null, 2) + '\n'),
  };
}

/** An error in the user's language: message, each input problem at file:line:column, then the remedy. */
export function formatError(t: Translate, info: ErrorInfo): string {
  const lines = [`${t('cli.errorPrefix')}: ${renderMessage(t, info.message)}`];
  for (const i of info.issues ?? []) {
    const where = i.line > 0 ? `${i.file}:${i.line}${i.column > 0 ? `:${i.column}` : ''}` : i.file;
    lines.push(`  ${where}: ${renderMessage(t, i.message)}`);
  }
  if (info.remedy) lines.push(`${t('cli.remedyPrefix')}: ${renderMessage(t, info.remedy)}`);
  return lines.join('\n');
}

/**
 * Reports an error and returns its exit code: the text in the user's language on stderr, and with `--json`
 * the ErrorInfo itself (`{ok: false, error: {code, message, remedy?, issues?}}`, messages as `{key, params}`)
 * on stdout. An unexpected error is a bug, logged with its stack, and the message names the log file.
 */
export function reportError(ctx: Pick<CliContext, 't' | 'json' | 'warn' | 'printJson'>, err: unknown): number {
  const info = describeError(err, 'cli');
  const exitCode = err instanceof DsaError ? err.exitCode : ExitCode.failed;
  if (ctx.json) ctx.printJson({ ok: false, error: info });
  ctx.warn(formatError(ctx.t, info));
  return exitCode;
}

/** Asks yes/no on the terminal; refuses (exit 2) when there is no terminal to ask and `--yes` was not given. */
export async function confirmOrRefuse(
  ctx: CliContext,
  yes: boolean | undefined,
  questionKey: string,
): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY || ctx.json) {
    throw fail('cli.needsYes', msg('cli.needsYes'), { exit: ExitCode.badInput });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${ctx.t(questionKey)} [y/N] `)).trim().toLowerCase();
    return answer === 'y' || answer === 'yes' || answer === 'はい';
  } finally {
    rl.close();
  }
}

/** Wraps a command's action: sets the exit code from its result or from the error it threw. */
export function action<A extends unknown[]>(fn: (ctx: CliContext, ...args: A) => Promise<number>) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const ctx = cliContext(cmd);
    try {
      process.exitCode = await fn(ctx, ...(args.slice(0, -1) as A));
    } catch (e) {
      process.exitCode = reportError(ctx, e);
    }
  };
}

/** Refuses (exit 3) unless this process has administrator rights (`admin`: already known). */
export async function requireAdmin(ctx: CliContext, admin?: boolean): Promise<void> {
  // `admin`: the answer already asked for in this run (on Windows, `net session` is not run twice).
  if (admin ?? (await isAdmin(ctx.sys))) return;
  throw fail('cli.needsAdmin', msg('cli.needsAdmin'), {
    remedy: msg(ctx.sys.os === 'windows' ? 'cli.needsAdminRemedyWindows' : 'cli.needsAdminRemedy'),
    exit: ExitCode.needsAdmin,
  });
}

/** A commander parser for an integer option within [min, max]; outside it, the range is the error. */
export function intIn(min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${min}..${max}`);
    return n;
  };
}
