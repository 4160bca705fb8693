import type { ExecOptions, ExecResult } from '../exec.js';
import type { SystemContext } from '../system.js';
import { parseRegQuery } from './osRelease.js';

/** Where Windows keeps its code pages: `OEMCP` is the one console programs print in (932 on Japanese Windows). */
export const CODEPAGE_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage';

/** Windows code page → the WHATWG label Node's TextDecoder knows it by. */
const CODE_PAGES: Record<number, string> = {
  932: 'shift_jis',
  936: 'gbk',
  949: 'euc-kr',
  950: 'big5',
  866: 'ibm866',
  874: 'windows-874',
  1250: 'windows-1250',
  1251: 'windows-1251',
  1252: 'windows-1252',
  1253: 'windows-1253',
  1254: 'windows-1254',
  1255: 'windows-1255',
  1256: 'windows-1256',
  1257: 'windows-1257',
  1258: 'windows-1258',
  65001: 'utf-8',
};

/**
 * The decoder label for a Windows code page number. The OEM pages of Western Windows (437, 850, 858) have no
 * WHATWG decoder: windows-1252 keeps their ASCII (every label and number the parsers read) intact.
 */
export function codePageEncoding(codePage: number): string {
  return CODE_PAGES[codePage] ?? 'windows-1252';
}

/** Reads the code page number out of `chcp` ("Active code page: 932", 「現在のコード ページ: 932」). */
export function parseChcp(text: string): number | null {
  const m = /:\s*(\d{3,5})\s*$/m.exec(text.trim());
  return m ? Number(m[1]) : null;
}

const cache = new WeakMap<SystemContext, Promise<string>>();

async function askCodePage(sys: SystemContext): Promise<string> {
  // The registry's OEMCP is what a console program without a console of its own (our pipes) prints in.
  const reg = await sys.exec.run('reg', ['query', CODEPAGE_KEY, '/v', 'OEMCP'], { timeoutMs: 10_000 });
  const oem = reg.exitCode === 0 ? Number(parseRegQuery(reg.stdout).OEMCP) : NaN;
  if (Number.isInteger(oem) && oem > 0) return codePageEncoding(oem);
  const chcp = await sys.exec.run('chcp', [], { timeoutMs: 10_000 });
  const cp = chcp.exitCode === 0 ? parseChcp(chcp.stdout) : null;
  return cp ? codePageEncoding(cp) : 'utf-8';
}

/** The encoding Windows console programs (netsh, sc, reg) print in on this target; asked once per context. */
export function consoleEncoding(sys: SystemContext): Promise<string> {
  let p = cache.get(sys);
  if (!p) {
    p = askCodePage(sys);
    cache.set(sys, p);
  }
  return p;
}

/**
 * Runs a Windows console program (netsh, sc, reg) and decodes its output in the console's code page, so
 * Japanese Windows' CP932 text (「オン」, 「指定された条件に一致する規則はありません。」) arrives intact.
 * Elsewhere it is a plain `sys.exec.run`.
 */
export async function runConsole(
  sys: SystemContext,
  command: string,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  if (sys.os !== 'windows' || sys.exec.cannedText) return sys.exec.run(command, args, opts);
  return sys.exec.run(command, args, { ...opts, encoding: await consoleEncoding(sys) });
}

/** What a console program printed, stdout then stderr, as one line (blank lines dropped, 200 characters at most; `-` when nothing). */
export function consoleSaid(r: Pick<ExecResult, 'stdout' | 'stderr'>): string {
  const said = `${r.stdout}\n${r.stderr}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return said.slice(0, 200) || '-';
}
