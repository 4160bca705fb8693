import { z } from 'zod';
import { decodeTextFile, type TextLine } from './textFile.js';
import { issueAt, type ParseIssue, type ParseResult } from './issues.js';
import { isHostName, isIpAddress } from './names.js';
import { redactText, registerActivationSecrets } from '../secrets.js';

/** Activation arguments `dsa_control -a` accepts, with their canonical spelling. */
export const ACTIVATION_KEYS = {
  hostname: 'hostname',
  tenantid: 'tenantID',
  token: 'token',
  policyid: 'policyid',
  groupid: 'groupid',
  relaygroupid: 'relaygroupid',
  description: 'description',
  displayname: 'displayname',
} as const;
export type ActivationKey = (typeof ACTIVATION_KEYS)[keyof typeof ACTIVATION_KEYS];
const NUMERIC_KEYS = new Set<ActivationKey>(['policyid', 'groupid', 'relaygroupid']);
const SECRET_KEYS = new Set<ActivationKey>(['tenantID', 'token']);

export const ManagerAddressSchema = z.object({
  host: z.string().refine((h) => isHostName(h) || isIpAddress(h), 'a host name or address'),
  port: z.number().int().min(1).max(65535),
});
export type ManagerAddress = z.infer<typeof ManagerAddressSchema>;

export const ActivationArgSchema = z.object({
  key: z.enum(Object.values(ACTIVATION_KEYS) as [ActivationKey, ...ActivationKey[]]),
  value: z.string().min(1),
  secret: z.boolean(),
});
export type ActivationArg = z.infer<typeof ActivationArgSchema>;

export const ActivationInputSchema = z.object({
  /** What the file was: a one-line command, or a deployment script the manager generated. */
  source: z.enum(['command', 'bash-script', 'powershell-script']),
  /** The OS the command was written for, from its dsa_control path. */
  target: z.enum(['linux', 'windows']),
  manager: ManagerAddressSchema,
  /** `https://…` of the manager's console/API, when a deployment script names it (used for downloads). */
  managerUrl: z.string().optional(),
  args: z.array(ActivationArgSchema),
  /** Line of the activation command in the file. */
  line: z.number().int().nonnegative(),
});
export type ActivationInput = z.infer<typeof ActivationInputSchema>;

/** The activation URL in the form dsa_control takes. */
export function activationUrl(m: ManagerAddress): string {
  const host = m.host.includes(':') ? `[${m.host}]` : m.host;
  return `dsm://${host}:${m.port}/`;
}

/** Parses `dsm://HOST:PORT/` (the trailing slash may be missing); null when it is not of that form. */
export function parseActivationUrl(s: string): ManagerAddress | null {
  const m = /^dsm:\/\/(\[[0-9A-Fa-f:.]+\]|[^/:\s]+):(\d{1,5})\/?$/i.exec(s.trim());
  if (!m) return null;
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const port = Number(m[2]);
  const r = ManagerAddressSchema.safeParse({ host, port });
  return r.success ? r.data : null;
}

interface Token {
  value: string;
  col: number;
  /** The token was (partly) quoted: `$NAME` inside single quotes is literal. */
  quoted: boolean;
}

/** Splits a command line into words the way bash, cmd and PowerShell agree on for these files. */
function tokenize(text: string): { tokens: Token[]; unterminatedAt?: number } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    let value = '';
    let quoted = false;
    while (i < text.length && !/\s/.test(text[i]!)) {
      const c = text[i]!;
      if (c === '"' || c === "'") {
        const end = text.indexOf(c, i + 1);
        if (end < 0) return { tokens, unterminatedAt: i + 1 };
        value += text.slice(i + 1, end);
        quoted = true;
        i = end + 1;
      } else {
        value += c;
        i++;
      }
    }
    tokens.push({ value, col: start + 1, quoted });
  }
  return { tokens };
}

const ASSIGN = /^\s*(?:export\s+)?\$?(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*;?\s*$/i;
const VAR_REF = /^\$(?:env:)?\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/i;

function isDsaControl(word: string): boolean {
  return /(^|[\\/])dsa_control(\.cmd|\.exe)?$/i.test(word);
}

/**
 * Parses an activation command file or a deployment script the manager generated (bash or PowerShell):
 * the manager address and the activation arguments, with token and tenant ID marked secret.
 */
export function parseActivation(file: string, data: Buffer): ParseResult<ActivationInput> {
  const decoded = decodeTextFile(file, data);
  if (!decoded.ok) return decoded;
  const lines = decoded.value;
  registerActivationSecrets(lines.map((l) => l.text).join('\n'));
  const vars = new Map<string, string>();
  const issues: ParseIssue[] = [];
  let isPowerShell = false;
  let isScript = false;
  const found: { line: TextLine; tokens: Token[]; at: number }[] = [];

  for (const line of lines) {
    const text = line.text.trim();
    if (text === '' || text.startsWith('#') || text.startsWith('REM ') || text.startsWith('::')) {
      if (text.startsWith('#!')) isScript = true;
      continue;
    }
    const assign = ASSIGN.exec(line.text);
    if (assign && !/\s-a\s/.test(line.text)) {
      isScript = true;
      if (line.text.trim().startsWith('$')) isPowerShell = true;
      const tk = tokenize(assign[2]!);
      if (tk.tokens.length === 1) vars.set(assign[1]!.toUpperCase(), tk.tokens[0]!.value);
      continue;
    }
    const { tokens, unterminatedAt } = tokenize(line.text);
    const at = tokens.findIndex((t) => isDsaControl(t.value));
    if (at < 0 || tokens[at + 1]?.value !== '-a') continue;
    if (unterminatedAt !== undefined) {
      issues.push(issueAt(file, line.no, unterminatedAt, 'inputs.activation.unterminatedQuote'));
      continue;
    }
    if (tokens[0]?.value === '&') isPowerShell = true;
    found.push({ line, tokens, at });
  }
  if (issues.length) return { ok: false, issues };
  if (found.length === 0) return { ok: false, issues: [issueAt(file, 0, 0, 'inputs.activation.noCommand')] };
  if (found.length > 1) {
    return {
      ok: false,
      issues: [issueAt(file, found[1]!.line.no, 1, 'inputs.activation.manyCommands', { first: found[0]!.line.no })],
    };
  }
  const { line, tokens, at } = found[0]!;
  const dsaPath = tokens[at]!.value;
  const target: 'linux' | 'windows' = /[\\]|^[A-Za-z]:|\$env:|\.cmd$|\.exe$/i.test(dsaPath) ? 'windows' : 'linux';

  const urlTok = tokens[at + 2];
  if (!urlTok)
    return { ok: false, issues: [issueAt(file, line.no, tokens[at + 1]!.col + 2, 'inputs.activation.noUrl')] };
  let urlText = urlTok.value;
  const ref = VAR_REF.exec(urlText);
  if (ref) {
    const v = vars.get(ref[1]!.toUpperCase());
    if (v === undefined) {
      return {
        ok: false,
        issues: [issueAt(file, line.no, urlTok.col, 'inputs.activation.undefinedVar', { name: ref[1]! })],
      };
    }
    urlText = v;
  }
  const manager = parseActivationUrl(urlText);
  if (!manager) {
    return { ok: false, issues: [issueAt(file, line.no, urlTok.col, 'inputs.activation.badUrl', { value: urlText })] };
  }

  const args: ActivationArg[] = [];
  for (const tok of tokens.slice(at + 3)) {
    if (
      tok.value === '|' ||
      tok.value === '>' ||
      tok.value.startsWith('>') ||
      tok.value === '2>&1' ||
      tok.value === ';'
    )
      break;
    const colon = tok.value.indexOf(':');
    const rawKey = colon > 0 ? tok.value.slice(0, colon) : '';
    const key = ACTIVATION_KEYS[rawKey.toLowerCase() as keyof typeof ACTIVATION_KEYS];
    if (!key) {
      issues.push(
        issueAt(file, line.no, tok.col, 'inputs.activation.unknownArg', {
          value: ((v) => (v.length > 40 ? v.slice(0, 40) + '…' : v))(redactText(tok.value)),
          allowed: Object.values(ACTIVATION_KEYS).join(', '),
        }),
      );
      continue;
    }
    const value = tok.value.slice(colon + 1);
    if (value === '') issues.push(issueAt(file, line.no, tok.col, 'inputs.activation.emptyArg', { key }));
    else if (NUMERIC_KEYS.has(key) && !/^\d+$/.test(value))
      issues.push(issueAt(file, line.no, tok.col + colon + 1, 'inputs.activation.notNumber', { key, value }));
    else if (key === 'hostname' && !isHostName(value) && !isIpAddress(value))
      issues.push(issueAt(file, line.no, tok.col + colon + 1, 'inputs.activation.badHostname', { value }));
    else if (args.some((a) => a.key === key))
      issues.push(issueAt(file, line.no, tok.col, 'inputs.activation.duplicateArg', { key }));
    else args.push({ key, value, secret: SECRET_KEYS.has(key) });
  }
  const hasTenant = args.some((a) => a.key === 'tenantID');
  const hasToken = args.some((a) => a.key === 'token');
  if (hasTenant !== hasToken) issues.push(issueAt(file, line.no, 1, 'inputs.activation.tenantTokenPair'));
  if (issues.length) return { ok: false, issues };

  const managerUrl = vars.get('MANAGERURL');
  return {
    ok: true,
    value: {
      source: isScript || ref ? (isPowerShell ? 'powershell-script' : 'bash-script') : 'command',
      target,
      manager,
      ...(managerUrl && /^https:\/\//i.test(managerUrl) ? { managerUrl } : {}),
      args,
      line: line.no,
    },
  };
}
