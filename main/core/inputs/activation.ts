import { z } from 'zod';
import { decodeTextFile, lookalikeIssue, type TextLine } from './textFile.js';
import { MAX_TEXT_INPUT_BYTES } from './readFile.js';
import { issueAt, ParseIssueSchema, type ParseIssue, type ParseResult } from './issues.js';
import { formatHostPort, parseEndpoint } from './hostPort.js';
import { isHostName, isIpAddress } from './names.js';
import { registerActivationSecrets } from '../secrets.js';

/**
 * The activation arguments the agent accepts (`dsa_control -a URL key:value …`), lower-case → canonical spelling.
 * `tenantPassword` is the older SaaS pair of `tenantID` (Trend's own Puppet, Chef and Ansible use it).
 */
export const ACTIVATION_KEYS = {
  hostname: 'hostname',
  tenantid: 'tenantID',
  tenantpassword: 'tenantPassword',
  token: 'token',
  policyid: 'policyid',
  policy: 'policy',
  policyname: 'policyname',
  groupid: 'groupid',
  group: 'group',
  relaygroupid: 'relaygroupid',
  relaygroup: 'relaygroup',
  relayid: 'relayid',
  description: 'description',
  displayname: 'displayname',
} as const;
export type ActivationKey = (typeof ACTIVATION_KEYS)[keyof typeof ACTIVATION_KEYS];
const NUMERIC_KEYS = new Set<string>(['policyid', 'groupid', 'relaygroupid', 'relayid']);
/** Keys whose values are names or free text an admin may write in Japanese. */
const FREE_TEXT_KEYS = new Set<string>(['description', 'displayname', 'policy', 'policyname', 'group', 'relaygroup']);
/** Keys whose values are secrets: never shown, never part of an error. */
export const SECRET_KEYS = new Set<string>(['tenantID', 'tenantPassword', 'token']);
/** The option of `dsa-setup activate` that gives a value a script takes from outside. */
const OPTION_OF: Record<string, string> = {
  manager: '--manager',
  tenantID: '--tenant-id',
  token: '--token',
  policyid: '--policy-id',
  groupid: '--group-id',
  hostname: '--hostname',
  proxy: '--proxy',
  proxyAuth: '--proxy-auth',
};
/** A well-formed key of `key:value` (an unknown one is passed on with a warning). */
const KEY_FORM = /^[A-Za-z][A-Za-z0-9_]*$/;

export const ManagerAddressSchema = z.object({
  host: z.string().refine((h) => isHostName(h) || isIpAddress(h), 'a host name or address'),
  port: z.number().int().min(1).max(65535),
});
export type ManagerAddress = z.infer<typeof ManagerAddressSchema>;

export const ActivationArgSchema = z.object({
  key: z.string().regex(KEY_FORM),
  value: z.string().min(1),
  secret: z.boolean(),
});
export type ActivationArg = z.infer<typeof ActivationArgSchema>;

/** A proxy the agent is told to use (`-x dsm_proxy://HOST:PORT/` + `-u USER:PASS`, `-y relay_proxy://…` + `-w …`). */
export const ProxySettingSchema = z.object({
  host: z.string(),
  port: z.number().int().min(1).max(65535),
  /** `USER:PASS` (secret). */
  auth: z.string().optional(),
});
export type ProxySetting = z.infer<typeof ProxySettingSchema>;

/** A value the script takes from outside (`$1`, an environment variable, a param() without default). */
export const ExternalValueSchema = z.object({
  /** What it is: an activation key, `manager`, `proxy`, `proxyAuth`, `relayProxy`, `relayProxyAuth`. */
  key: z.string(),
  /** Where the script takes it from: `$1`, `$TENANT`, `$env:DS_TOKEN`, `param $Token`. */
  from: z.string(),
  /** The option of `activate` that gives it, when there is one. */
  option: z.string().nullable(),
  line: z.number().int().nonnegative(),
  column: z.number().int().nonnegative(),
});
export type ExternalValue = z.infer<typeof ExternalValueSchema>;

export const ActivationInputSchema = z.object({
  /** What the file was: a one-line command, or a deployment script the manager generated. */
  source: z.enum(['command', 'bash-script', 'powershell-script']),
  /** The OS the command was written for, from its dsa_control path. */
  target: z.enum(['linux', 'windows']),
  manager: ManagerAddressSchema,
  /** `https://…` of the manager's console/API, when a deployment script names it (used for downloads). */
  managerUrl: z.string().optional(),
  args: z.array(ActivationArgSchema),
  /** The agent's proxy to the manager (`dsa_control -x`, `-u`): the path the agent takes, for activate and the doctor. */
  proxy: ProxySettingSchema.optional(),
  /** The agent's proxy to relays (`dsa_control -y`, `-w`). */
  relayProxy: ProxySettingSchema.optional(),
  /** Values the script takes from outside: `activate` needs each from its option. */
  external: z.array(ExternalValueSchema),
  /** Things passed on as they are, worth a look (an activation key this version does not know). */
  warnings: z.array(ParseIssueSchema),
  /** Line of the activation command in the file. */
  line: z.number().int().nonnegative(),
});
export type ActivationInput = z.infer<typeof ActivationInputSchema>;

/** The activation URL in the form dsa_control takes. */
export function activationUrl(m: ManagerAddress): string {
  return `dsm://${formatHostPort(m)}/`;
}

/** Parses `dsm://HOST:PORT/` (the trailing slash may be missing); null when it is not of that form. */
export function parseActivationUrl(s: string): ManagerAddress | null {
  const e = parseEndpoint(s);
  if (!e || e.scheme !== 'dsm' || e.port === null || !/^dsm:\/\/[^/]*\/?$/i.test(s.trim())) return null;
  return { host: e.host, port: e.port };
}

/** Parses a proxy URL as dsa_control takes it (`dsm_proxy://HOST:PORT/`, the slash optional, doubled slashes too). */
export function parseProxyUrl(s: string, scheme: 'dsm_proxy' | 'relay_proxy'): { host: string; port: number } | null {
  const e = parseEndpoint(s.trim().replace(/\/+$/, '/'));
  if (!e || e.scheme !== scheme || e.port === null) return null;
  return { host: e.host, port: e.port };
}

/** One word of a command line after quote removal and variable expansion. */
interface Word {
  value: string;
  col: number;
  /** Variables in it the script does not define as a literal (the word's value has them removed). */
  outside: { from: string; at: number }[];
  /** A look-alike character (a typographic quote, a full-width letter) in a variable's literal it took. */
  look?: ParseIssue;
  /** An unquoted operator (`;`, `&`, `&&`, `|`, `>`, `2>&1`…): it ends the command's arguments. */
  op?: boolean;
}

/** What a script variable holds: a literal (and a look-alike character in it), or a value from outside. */
type VarValue = { value: string; look?: ParseIssue } | { from: string };

interface Dialect {
  powershell: boolean;
}

/**
 * Splits a (logical) line into words as bash and PowerShell do for these scripts: quotes removed, variables the
 * script defined replaced by their literal, others recorded as coming from outside. Single quotes are literal.
 */
function splitWords(text: string, vars: Map<string, VarValue>, d: Dialect): { words: Word[]; unterminatedAt?: number } {
  const words: Word[] = [];
  let i = 0;
  const ref = (w: Word): void => {
    // At text[i] === '$'.
    const rest = text.slice(i + 1);
    let m: RegExpExecArray | null;
    let name: string | null = null;
    let fallback: string | undefined;
    let len = 0;
    if ((m = /^\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*|\d+)(?::?-([^}]*))?\}/i.exec(rest))) {
      name = m[1]!;
      fallback = m[2];
      len = m[0].length;
    } else if ((m = /^\(\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*\)/.exec(rest))) {
      name = m[1]!;
      len = m[0].length;
    } else if ((m = /^(env:)?([A-Za-z_][A-Za-z0-9_]*)/i.exec(rest))) {
      name = (m[1] ? 'env:' : '') + m[2]!;
      len = m[0].length;
    } else if ((m = /^\d/.exec(rest))) {
      name = m[0];
      len = 1;
    } else if (rest.startsWith('(')) {
      // A command substitution or PowerShell expression: computed at run time.
      let depth = 0;
      let k = 0;
      for (; k < rest.length; k++) {
        if (rest[k] === '(') depth++;
        else if (rest[k] === ')' && --depth === 0) break;
      }
      w.outside.push({ from: `$${rest.slice(0, k + 1)}`, at: i + 1 });
      i += k + 2;
      return;
    }
    if (name === null) {
      w.value += '$';
      i++;
      return;
    }
    const key = name.replace(/^env:/i, '').toUpperCase();
    const v = /^env:/i.test(name) ? vars.get(`ENV:${key}`) : vars.get(key);
    if (v && 'value' in v) {
      w.value += v.value;
      w.look ??= v.look;
    } else if (v) w.outside.push({ from: v.from, at: i + 1 });
    else if (fallback !== undefined) w.value += fallback;
    else w.outside.push({ from: /^env:/i.test(name) ? `$env:${name.slice(4)}` : `$${name}`, at: i + 1 });
    i += 1 + len;
  };
  // Unquoted, these end a word as the shell ends it (`"token:K";` is the token K, then a command separator).
  const meta = d.powershell ? /[;&|<>{}]/ : /[;&|<>()]/;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    // An unquoted `#` at a word's start begins a comment (bash and PowerShell alike).
    if (i >= text.length || text[i] === '#') break;
    if (meta.test(text[i]!)) {
      const start = i;
      while (i < text.length && meta.test(text[i]!)) i++;
      if (/[<>]&$/.test(text.slice(start, i)) && /\d/.test(text[i] ?? '')) i++;
      words.push({ value: text.slice(start, i), col: start + 1, outside: [], op: true });
      continue;
    }
    const w: Word = { value: '', col: i + 1, outside: [] };
    while (i < text.length && !/\s/.test(text[i]!)) {
      const c = text[i]!;
      if (meta.test(c)) {
        // `2>&1`, `2>/dev/null`: a file descriptor's number belongs to its redirection.
        if (/[<>]/.test(c) && /^\d+$/.test(text.slice(w.col - 1, i))) w.op = true;
        break;
      }
      if (c === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) return { words, unterminatedAt: i + 1 };
        w.value += text.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        for (;;) {
          if (i >= text.length) return { words, unterminatedAt: w.col };
          const q = text[i]!;
          if (q === '"') break;
          if (q === '$') ref(w);
          else if (!d.powershell && q === '\\' && /["$\\`]/.test(text[i + 1] ?? '')) {
            w.value += text[i + 1];
            i += 2;
          } else if (d.powershell && q === '`' && i + 1 < text.length) {
            w.value += text[i + 1];
            i += 2;
          } else {
            w.value += q;
            i++;
          }
        }
        i++;
      } else if (c === '$') ref(w);
      else if (!d.powershell && c === '\\' && i + 1 < text.length) {
        w.value += text[i + 1];
        i += 2;
      } else {
        w.value += c;
        i++;
      }
    }
    words.push(w);
  }
  return { words };
}

/**
 * Joins continued lines as the shell does: a trailing `\` (bash), backtick (PowerShell) or `^` (cmd.exe) continues
 * the line.
 * Linear in the file's size: the pieces are joined once, and only the last two characters are looked at.
 */
function logicalLines(lines: TextLine[]): TextLine[] {
  const out: TextLine[] = [];
  let first: number | null = null;
  let parts: string[] = [];
  for (const l of lines) {
    const no: number = first ?? l.no;
    if (l.text !== '') parts.push(l.text);
    const last = parts[parts.length - 1] ?? '';
    const end = last.length >= 2 || parts.length < 2 ? last.slice(-2) : parts[parts.length - 2]!.slice(-1) + last;
    const cont = /(?:^|[^\\])\\$/.test(end)
      ? 'bash'
      : end.endsWith('`')
        ? 'ps'
        : /(?:^|[^^])\^$/.test(end)
          ? 'cmd'
          : null;
    if (cont) {
      first = no;
      // The continuation character goes; PowerShell's backtick leaves a space (cmd.exe's caret does not).
      if (last.length === 1) parts.pop();
      else parts[parts.length - 1] = last.slice(0, -1);
      if (cont === 'ps') parts.push(' ');
      continue;
    }
    out.push({ no, text: parts.join('') });
    first = null;
    parts = [];
  }
  if (first !== null) out.push({ no: first, text: parts.join('') });
  return out;
}

const ASSIGN_SH = /^\s*(?:(?:export|readonly|local|declare(?:\s+-\w+)?)\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
const ASSIGN_PS = /^\s*(?:\[[^\]]+\]\s*)*\$(env:)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*[;,]?\s*$/i;
const PARAM_ENTRY = /^\s*(?:\[[^\]]*(?:\([^)]*\))?[^\]]*\]\s*)*\$([A-Za-z_][A-Za-z0-9_]*)\s*(?:=\s*(.*?))?\s*,?\s*$/;
/** A word that ends a command's arguments: an operator (a pipe, a redirection, a separator) or a block's end. */
function isEnd(w: Word): boolean {
  return w.op === true || w.value === '}';
}

/** The words of a command up to the end of its arguments. */
function commandWords(words: Word[]): Word[] {
  const end = words.findIndex(isEnd);
  return end < 0 ? words : words.slice(0, end);
}

function isDsaControl(word: string): boolean {
  return /(^|[\\/])dsa_control(\.cmd|\.exe)?$/i.test(word);
}

/** The value a script assignment gives a variable: its literal, or where it comes from at run time. */
function assignedValue(raw: string, vars: Map<string, VarValue>, d: Dialect): VarValue | null {
  const { words: all, unterminatedAt } = splitWords(raw, vars, d);
  // `VAR='x';`: the separator after the value is not part of it.
  const words = commandWords(all);
  if (unterminatedAt !== undefined || words.length !== 1) return null;
  const w = words[0]!;
  if (w.outside.length) return { from: w.outside[0]!.from };
  return w.look ? { value: w.value, look: w.look } : { value: w.value };
}

/**
 * Parses an activation command file or a deployment script the manager generated (bash or PowerShell): the
 * manager address, the activation arguments (token, tenant ID and tenant password marked secret), and the agent's
 * proxies (`-x`/`-u`, `-y`/`-w`). Variables resolve to what the script defines as a literal (assignments,
 * `${VAR:-default}`, PowerShell `param()` defaults); a value the script takes from outside is listed in `external`
 * with the option that gives it. Continued lines are joined as the shell joins them.
 */
export function parseActivation(file: string, data: Buffer): ParseResult<ActivationInput> {
  const decoded = decodeTextFile(file, data, MAX_TEXT_INPUT_BYTES);
  if (!decoded.ok) return decoded;
  registerActivationSecrets(decoded.value.map((l) => l.text).join('\n'));
  const lines = logicalLines(decoded.value);
  const vars = new Map<string, VarValue>();
  const issues: ParseIssue[] = [];
  const warnings: ParseIssue[] = [];
  const external: ExternalValue[] = [];
  const d: Dialect = { powershell: lines.some((l) => /^\s*(&\s|\$[A-Za-z_]\w*\s*=|param\s*\()/i.test(l.text)) };
  /** A script variable's literal, with the first look-alike character of its text (on the line it is set). */
  const literalAt = (raw: string, line: TextLine): VarValue | null => {
    const v = assignedValue(raw, vars, d);
    if (!v || !('value' in v)) return v;
    const look = lookalikeIssue(file, line.no, raw, Math.max(0, line.text.indexOf(raw))) ?? v.look;
    return look ? { ...v, look } : v;
  };
  let isScript = false;
  let inParam = 0;
  let paramNext = false;
  type Cmd = { line: TextLine; words: Word[]; at: number };
  const activations: Cmd[] = [];
  const proxies: { line: TextLine; opt: string; word: Word | undefined; flagCol: number }[] = [];

  for (const line of lines) {
    const text = line.text.trim();
    if (text === '' || text.startsWith('#') || /^(REM\s|::)/i.test(text)) {
      if (text.startsWith('#!')) isScript = true;
      continue;
    }
    // PowerShell param( … ): defaults are literals the script defines; a parameter without one comes from outside.
    if (/^param$/i.test(text)) {
      // `PARAM` alone, its `(` on the next line.
      paramNext = true;
      continue;
    }
    if (inParam > 0 || /^param\s*\(/i.test(text) || (paramNext && text.startsWith('('))) {
      paramNext = false;
      isScript = true;
      const body = inParam > 0 ? text : text.replace(/^(?:param\s*)?\(/i, '');
      if (inParam === 0) inParam = 1;
      for (const ch of body) inParam += ch === '(' ? 1 : ch === ')' ? -1 : 0;
      const m = PARAM_ENTRY.exec(body.replace(/\)\s*$/, ''));
      if (m) {
        const key = m[1]!.toUpperCase();
        const def = m[2] !== undefined ? literalAt(m[2], line) : null;
        vars.set(key, def ?? { from: `param $${m[1]}` });
      }
      continue;
    }
    const ps = d.powershell ? ASSIGN_PS.exec(line.text) : null;
    const sh = !d.powershell ? ASSIGN_SH.exec(line.text) : null;
    if ((ps || sh) && !/dsa_control/i.test(line.text)) {
      isScript = true;
      const key = ps ? (ps[1] ? `ENV:${ps[2]!.toUpperCase()}` : ps[2]!.toUpperCase()) : sh![1]!.toUpperCase();
      const v = literalAt(ps ? ps[3]! : sh![2]!, line);
      if (v) vars.set(key, v);
      if (ps && ps[1] && v) vars.set(ps[2]!.toUpperCase(), v);
      continue;
    }
    const { words, unterminatedAt } = splitWords(line.text, vars, d);
    const at = words.findIndex((w) => isDsaControl(w.value));
    if (at < 0) continue;
    // A typographic quote or a full-width character pasted into the command (or a variable it uses) would reach
    // the agent as part of a value: the manager would refuse a token that only looks right.
    // A name or a description may be Japanese (full-width parentheses and all): there only the key is checked.
    const looks = commandWords(words.slice(at)).flatMap((w) => {
      const colon = w.value.indexOf(':');
      const free = colon > 0 && FREE_TEXT_KEYS.has(w.value.slice(0, colon).toLowerCase());
      const i = free
        ? lookalikeIssue(file, line.no, w.value.slice(0, colon), w.col - 1)
        : (w.look ?? lookalikeIssue(file, line.no, w.value, w.col - 1));
      return i ? [i] : [];
    });
    if (looks.length) {
      issues.push(...looks);
      continue;
    }
    if (unterminatedAt !== undefined) {
      issues.push(issueAt(file, line.no, unterminatedAt, 'inputs.activation.unterminatedQuote'));
      continue;
    }
    for (let k = at + 1; k < words.length; k++) {
      const opt = words[k]!.value;
      if (isEnd(words[k]!)) break;
      if (opt === '-a') {
        activations.push({ line, words, at: k });
        break;
      }
      if (['-x', '-u', '-y', '-w'].includes(opt)) {
        proxies.push({ line, opt, word: words[k + 1], flagCol: words[k]!.col });
        k++;
      }
    }
  }
  if (issues.length) return { ok: false, issues };
  if (activations.length === 0) return { ok: false, issues: [issueAt(file, 0, 0, 'inputs.activation.noCommand')] };
  if (activations.length > 1) {
    return {
      ok: false,
      issues: [
        issueAt(file, activations[1]!.line.no, 1, 'inputs.activation.manyCommands', { first: activations[0]!.line.no }),
      ],
    };
  }
  const { line, words, at } = activations[0]!;
  const dsaPath = words.find((w) => isDsaControl(w.value))!;
  const target: 'linux' | 'windows' =
    /[\\]|^[A-Za-z]:|\.cmd$|\.exe$/i.test(dsaPath.value) || dsaPath.outside.some((o) => /env:/i.test(o.from))
      ? 'windows'
      : 'linux';
  const outside = (key: string, w: Word, option = OPTION_OF[key] ?? null): void => {
    const o = w.outside[0]!;
    external.push({ key, from: o.from, option, line: line.no, column: o.at });
  };

  const urlWord = words[at + 1];
  if (!urlWord || isEnd(urlWord))
    return { ok: false, issues: [issueAt(file, line.no, words[at]!.col + 2, 'inputs.activation.noUrl')] };
  if (urlWord.outside.length) {
    const o = urlWord.outside[0]!;
    return {
      ok: false,
      issues: [
        issueAt(file, line.no, o.at, 'inputs.activation.fromOutside', {
          what: 'dsm://HOST:PORT/',
          from: o.from,
          option: '--manager',
        }),
      ],
    };
  }
  const manager = parseActivationUrl(urlWord.value);
  if (!manager) {
    return {
      ok: false,
      issues: [issueAt(file, line.no, urlWord.col, 'inputs.activation.badUrl', { value: urlWord.value })],
    };
  }

  const args: ActivationArg[] = [];
  const seen = new Set<string>();
  for (const w of words.slice(at + 2)) {
    if (isEnd(w)) break;
    const colon = w.value.indexOf(':');
    const rawKey = colon > 0 ? w.value.slice(0, colon) : '';
    if (!KEY_FORM.test(rawKey)) {
      if (w.outside.length && colon < 0) outside('argument', w, null);
      // Never the value: a secret pasted without its key must not reach an error.
      else issues.push(issueAt(file, line.no, w.col, 'inputs.activation.notKeyValue'));
      continue;
    }
    const key: string = ACTIVATION_KEYS[rawKey.toLowerCase() as keyof typeof ACTIVATION_KEYS] ?? rawKey;
    if (seen.has(key.toLowerCase())) {
      issues.push(issueAt(file, line.no, w.col, 'inputs.activation.duplicateArg', { key }));
      continue;
    }
    seen.add(key.toLowerCase());
    if (w.outside.length) {
      outside(key, w);
      continue;
    }
    const value = w.value.slice(colon + 1);
    const known = rawKey.toLowerCase() in ACTIVATION_KEYS;
    if (value === '') issues.push(issueAt(file, line.no, w.col, 'inputs.activation.emptyArg', { key }));
    else if (NUMERIC_KEYS.has(key) && !/^\d+$/.test(value))
      issues.push(issueAt(file, line.no, w.col + colon + 1, 'inputs.activation.notNumber', { key, value }));
    else if (key === 'hostname' && !isHostName(value) && !isIpAddress(value))
      issues.push(issueAt(file, line.no, w.col + colon + 1, 'inputs.activation.badHostname', { value }));
    else {
      if (!known)
        warnings.push(
          issueAt(file, line.no, w.col, 'inputs.activation.unknownKey', {
            key,
            allowed: Object.values(ACTIVATION_KEYS).join(', '),
          }),
        );
      args.push({ key, value, secret: SECRET_KEYS.has(key) });
    }
  }
  const has = (k: string): boolean => args.some((a) => a.key === k) || external.some((e) => e.key === k);
  if (has('tenantID') !== (has('token') || has('tenantPassword')))
    issues.push(
      issueAt(file, line.no, 1, 'inputs.activation.tenantTokenPair', {
        given: has('tenantID') ? 'tenantID' : has('token') ? 'token' : 'tenantPassword',
        missing: has('tenantID') ? 'token' : 'tenantID',
      }),
    );

  // The agent's proxies, from the lines that set them.
  const proxy: Partial<Record<'proxy' | 'relayProxy', ProxySetting>> = {};
  const auth: Partial<Record<'proxy' | 'relayProxy', string>> = {};
  for (const p of proxies) {
    const which = p.opt === '-x' || p.opt === '-u' ? 'proxy' : 'relayProxy';
    const isAuth = p.opt === '-u' || p.opt === '-w';
    const key = isAuth ? `${which}Auth` : which;
    if (!p.word || isEnd(p.word)) {
      issues.push(issueAt(file, p.line.no, p.flagCol, 'inputs.activation.noProxyValue', { option: p.opt }));
      continue;
    }
    if (p.word.outside.length) {
      const o = p.word.outside[0]!;
      external.push({ key, from: o.from, option: OPTION_OF[key] ?? null, line: p.line.no, column: o.at });
      continue;
    }
    if (isAuth) {
      // USER:PASS — only the option is named in an error, never the value.
      if (!/^[^:\s]+:.+$/.test(p.word.value))
        issues.push(issueAt(file, p.line.no, p.word.col, 'inputs.activation.badProxyAuth', { option: p.opt }));
      else auth[which] = p.word.value;
      continue;
    }
    const hp = parseProxyUrl(p.word.value, which === 'proxy' ? 'dsm_proxy' : 'relay_proxy');
    if (!hp)
      issues.push(
        issueAt(file, p.line.no, p.word.col, 'inputs.activation.badProxy', {
          option: p.opt,
          value: p.word.value.replace(/\/\/[^@/]*@/, '//'),
          expected: which === 'proxy' ? 'dsm_proxy://HOST:PORT/' : 'relay_proxy://HOST:PORT/',
        }),
      );
    else proxy[which] = hp;
  }
  for (const which of ['proxy', 'relayProxy'] as const)
    if (auth[which] && proxy[which]) proxy[which] = { ...proxy[which]!, auth: auth[which] };
  if (issues.length) return { ok: false, issues };

  const mu = vars.get('MANAGERURL');
  const managerUrl = mu && 'value' in mu ? mu.value : undefined;
  return {
    ok: true,
    value: {
      source:
        isScript || lines.filter((l) => l.text.trim() && !l.text.trim().startsWith('#')).length > 1
          ? d.powershell
            ? 'powershell-script'
            : 'bash-script'
          : 'command',
      target,
      manager,
      ...(managerUrl && /^https:\/\//i.test(managerUrl) ? { managerUrl } : {}),
      args,
      ...(proxy.proxy ? { proxy: proxy.proxy } : {}),
      ...(proxy.relayProxy ? { relayProxy: proxy.relayProxy } : {}),
      external,
      warnings,
      line: line.no,
    },
  };
}

/** The activate options that give each value a script takes from outside (for the error that asks for them). */
export function externalOption(key: string): string | null {
  return OPTION_OF[key] ?? null;
}
