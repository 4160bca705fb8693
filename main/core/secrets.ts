/**
 * The one redactor. Every output path (terminal text, --json, stderr, error messages, the journal, reports, the
 * support bundle, IPC replies, the error log) passes its text through it. It masks:
 * - known values: every secret this process was given (registered once, before anything prints), in any letter
 *   case and in its usual encodings (URL-encoded however much, JSON-escaped, HTML-escaped, base64 — `user:pass`
 *   included —, NFC/NFD, full-width), broken over lines, between the NULs of UTF-16 read as bytes, and cut copies
 *   (a long piece anywhere, six characters where a text ends);
 * - patterns, whatever the values: `Authorization: Basic|Bearer …`, `"password": …` (in JSON inside JSON too,
 *   and Python/PowerShell dictionaries), `password=…` (full-width `＝`, Japanese keys), `token:…`, `tenantID:…`,
 *   `--password X`, `dsa_control … -p X` / `-w user:pass`, `-u` / `-U` / `--proxy-user user:pass`, `.curlrc`,
 *   `reg query` values, XML settings, PowerShell `-Password X`, `scheme://user:pass@host` (a password holding `@`
 *   too), `user:pass@host:port` (and without a port on a proxy line), signed-URL signatures, PEM private keys.
 * Every pattern is linear in the text's length (no retry at every position of a long run).
 */

/** What a masked span was (the manifest's `kind`). */
export type SecretKind =
  'token' | 'tenantID' | 'password' | 'url-credentials' | 'authorization' | 'private-key' | 'secret';

/** One masking: where in the output text (1-based line) and what kind. */
export interface Masking {
  line: number;
  kind: SecretKind;
}

/** Placeholder written instead of a secret. */
export const MASK = '[masked]';

/** Masks a secret for display: no part of it is ever shown, whatever its length. */
export function maskSecret(_value: string): string {
  return MASK;
}

interface Span {
  start: number;
  end: number;
  kind: SecretKind;
  /** Text shown instead of the mask (a token's first characters), when the span is exactly one known value. */
  show?: string;
}

interface Known {
  value: string;
  kind: SecretKind;
  /** The value's encoded forms, any letter case, longest first. */
  re: RegExp;
  /** The value broken over lines (a wrapped log or terminal copy, a `\` continuation, an escaped `\n`). */
  wrapped: RegExp | null;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A line break inside a value, with the next line's indentation: real, continued with `\`, or JSON-escaped. */
const BREAK = '(?:(?:\\\\?\\r?\\n|\\\\r\\\\n|\\\\n)[ \\t]*)?';

/** A value that may be broken over lines anywhere (at least 6 characters: a shorter one is a pattern's job). */
function wrappedRe(value: string): RegExp | null {
  const chars = [...value];
  return chars.length < 6 ? null : new RegExp(chars.map(escapeRe).join(BREAK), 'gi');
}

/** The parts of `base64(x + value + y)` that depend on the value alone, at each of the 3 alignments. */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    const core = b64.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    if (core.length >= 8) out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/**
 * The forms a value takes in outputs: as is, URL-encoded, JSON-escaped, HTML-escaped, base64, in either Unicode
 * normalization (a Japanese password in a macOS file name is NFD), and in full-width letters (a Japanese input
 * method's copy of a token).
 */
function encodedForms(value: string): string[] {
  const variants = [value, value.normalize('NFC'), value.normalize('NFD')];
  const fullWidth = value.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  return [...new Set([...new Set(variants)].flatMap(formsOf).concat(fullWidth))]
    .filter((f) => f.length >= 4)
    .sort((a, b) => b.length - a.length);
}

function formsOf(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const jsonAscii = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const html = value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
  const forms = [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    json,
    jsonAscii,
    json.replace(/\//g, '\\/'),
    html,
    html.replace(/&#39;/g, '&#x27;'),
    ...base64Cores(value),
  ];
  return forms;
}

/**
 * The value URL-encoded any way: each character other than a letter or digit as itself or percent-encoded (either
 * hex case), a space also as `+` — what a person typing a proxy URL by hand writes (`p%40ss:word`, `p@ss%3Aword`).
 */
function percentRe(value: string): string {
  return [...value]
    .map((c) => {
      if (/[A-Za-z0-9]/.test(c)) return c;
      const pct = [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
      return `(?:${escapeRe(c)}|${pct}${c === ' ' ? '|\\+' : ''})`;
    })
    .join('');
}

const PREFIX = 12;

/** Spans of a known value in text: every encoded form, and runs that are a long prefix or suffix of it. */
function knownSpans(text: string, k: Known, out: Span[]): void {
  const lower = text.toLowerCase().length === text.length ? text.toLowerCase() : null;
  const raw = k.value.toLowerCase();
  for (const m of text.matchAll(k.re))
    out.push({
      start: m.index,
      end: m.index + m[0].length,
      kind: k.kind,
      ...((k.kind === 'token' || k.kind === 'tenantID') && m[0].toLowerCase() === raw
        ? { show: maskSecret(m[0]) }
        : {}),
    });
  if (k.wrapped && /\n|\\n/.test(text))
    for (const m of text.matchAll(k.wrapped))
      if (/\n|\\n/.test(m[0])) out.push({ start: m.index, end: m.index + m[0].length, kind: k.kind });
  if (lower === null) return;
  const v = k.value.toLowerCase();
  if (v.length !== k.value.length) return;
  // A copy cut where the text ends or begins: a log written up to mid-value, a message clipped to N characters
  // (`…` after it), a tail that starts mid-value. Six characters of the value are enough at the end, eight at the
  // start (fewer would take a year or a word for a secret).
  const word = /[\p{L}\p{N}]/u;
  // (trimEnd, not `\s*$`: that regex would retry at every blank of a long run.)
  let end = lower.trimEnd().length;
  if (lower.endsWith('…', end)) end = lower.slice(0, end - 1).trimEnd().length;
  else if (lower.endsWith('...', end)) end = lower.slice(0, end - 3).trimEnd().length;
  for (let n = Math.min(v.length - 1, end); n >= 6; n--)
    if (lower.startsWith(v.slice(0, n), end - n) && !word.test(lower[end - n - 1] ?? ' ')) {
      out.push({ start: end - n, end, kind: k.kind });
      break;
    }
  const begin = lower.length - lower.trimStart().length;
  for (let n = Math.min(v.length - 1, lower.length - begin); n >= 8; n--)
    if (lower.startsWith(v.slice(-n), begin) && !word.test(lower[begin + n] ?? ' ')) {
      out.push({ start: begin, end: begin + n, kind: k.kind });
      break;
    }
  // A copy cut short anywhere (a message clipped to N characters, a log tail that starts mid-value).
  if (k.value.length < PREFIX + 4) return;
  for (let at = lower.indexOf(v.slice(0, PREFIX)); at >= 0; at = lower.indexOf(v.slice(0, PREFIX), at + 1)) {
    let end = at + PREFIX;
    while (end < lower.length && end - at < v.length && lower[end] === v[end - at]) end++;
    out.push({ start: at, end, kind: k.kind });
  }
  const tail = v.slice(-PREFIX);
  for (let at = lower.indexOf(tail); at >= 0; at = lower.indexOf(tail, at + 1)) {
    let start = at;
    let i = v.length - PREFIX;
    while (start > 0 && i > 0 && lower[start - 1] === v[i - 1]) {
      start--;
      i--;
    }
    out.push({ start, end: at + PREFIX, kind: k.kind });
  }
}

/** Key names whose value is secret (`ProxyPassword=`, `"token":`, `tenant_id:`, `apiKey=`, `secret_key`, `ProxyPass` …). */
const KEY_WORDS =
  '(?:password|passwd|passphrase|pwd|secret|token|tenant[_-]?id|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|proxy[_-]?auth|(?<=[A-Za-z0-9_.-])(?<![Bb][Yy])pass)(?:[_.-]?(?:key|value|string))?';
const KEY = `[A-Za-z0-9_.-]*?${KEY_WORDS}`;
/** A PowerShell parameter's name (`-ProxyPassword`): letters and digits only. */
const KEY_PARAM = `[A-Za-z][A-Za-z0-9]*?${KEY_WORDS}`;
/** JSON field names whose value is secret: those, and `auth` (the agent's proxy `USER:PASS`). */
const KEY_EXACT = new RegExp(`^(?:${KEY}|[A-Za-z0-9_]*auth)$`, 'i');
/** The same keys in Japanese (パスワード, トークン, テナント ID). */
const KEY_JA = '(?:[^\\s:=：＝]{0,16}パスワード|トークン|テナント[ 　]?(?:ID|ＩＤ))';

interface Pattern {
  re: RegExp;
  /** A cheap test the text must pass for the pattern to be tried (most log text holds no secret words). */
  when?: RegExp;
  kind: SecretKind | ((m: RegExpExecArray) => SecretKind);
  /** Only on lines for which this is true (the line holding the match). */
  line?: RegExp;
}

const KEY_WORD = /pass|pwd|secret|token|tenant|key|cred|auth|パスワード|トークン|テナント/i;

const kindOfKey = (key: string): SecretKind =>
  /tenant|テナント/i.test(key)
    ? 'tenantID'
    : /token|トークン/i.test(key)
      ? 'token'
      : /pass|pwd|パスワード/i.test(key)
        ? 'password'
        : 'secret';

/** Every pattern's value is its named group `v` (the only part masked). */
const PATTERNS: Pattern[] = [
  {
    re: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(?:\\r|\\n|\r|\n)*(?<v>[\s\S]*?)(?:\\r|\\n|\r|\n)*(?:-----END \1PRIVATE KEY-----|$(?![\s\S]))/dg,
    kind: 'private-key',
    when: /PRIVATE KEY-----/,
  },
  {
    re: /\b(?:proxy-)?authori[sz]ation\\?["']?\s*[:=]\s*\\?["']?\s*(?:(?:basic|bearer|digest|negotiate|ntlm|token|apikey)\s+)?(?<v>[^\s"'\\,;]+)/dgi,
    kind: 'authorization',
  },
  { re: /\bbearer\s+(?<v>[A-Za-z0-9\-._~+/]{16,}=*)/dgi, kind: 'authorization' },
  // JSON: "password": "…", "token": 123; a Python or PowerShell dictionary: 'token': '…'
  {
    re: new RegExp(
      `(?<![A-Za-z0-9_.-])(?<k>${KEY})["']\\s*:\\s*(?:"(?<v>(?:[^"\\\\]|\\\\.)*)"|'(?<v3>(?:[^'\\\\]|\\\\.)*)'|(?<v2>-?\\d[\\w.+-]*))`,
      'dgi',
    ),
    kind: (m) => kindOfKey(m.groups!.k!),
    when: KEY_WORD,
  },
  // JSON inside a JSON string, at any depth: \"password\": \"…\", \\\"token\\\": \\\"…\\\"
  {
    re: new RegExp(
      `(?<![A-Za-z0-9_.-])(?<k>${KEY})(?<e>\\\\+)"\\s*:\\s*\\k<e>"(?<v>[\\s\\S]{0,2048}?)\\k<e>"(?=\\s*(?:\\\\*[,}\\]]))`,
      'dgi',
    ),
    kind: (m) => kindOfKey(m.groups!.k!),
    when: KEY_WORD,
  },
  // ini / shell / log: token:…, tenantID=…, password = "…", pass=…
  {
    re: new RegExp(
      `(?<![A-Za-z0-9_.-])(?<k>${KEY}|pass|${KEY_JA})(?![A-Za-z0-9"'\\\\])\\s*[:=：＝]\\s*(?:"(?<v>[^"\\r\\n]*)"|'(?<v2>[^'\\r\\n]*)'|(?<v3>[^\\s"'&;,<>)\\]}\u3000-\u303f\uff08\uff09]+))`,
      'dgi',
    ),
    kind: (m) => kindOfKey(m.groups!.k!),
    when: KEY_WORD,
  },
  // An ini line keeps spaces in its value: `password = two words`
  {
    re: new RegExp(`^[ \\t]*(?<k>${KEY})[ \\t]*=(?<v>[^\\r\\n]*)`, 'dgim'),
    kind: (m) => kindOfKey(m.groups!.k!),
    when: KEY_WORD,
  },
  // Command lines: --password=X, --passwd=X (dsa_control's own spelling), "--token","X" (argument arrays in JSON)
  {
    re: /(?<![\w-])--(?<k>password|passwd|token|tenant-?id|proxy-auth|proxy-password)(?:=|"\s*,\s*")(?:"(?<v>[^"]*)"|'(?<v2>[^']*)'|(?<v3>[^\s"']+))/dgi,
    kind: (m) => kindOfKey(m.groups!.k!),
    when: KEY_WORD,
  },
  // dsa_control -p PASSWORD (only where dsa_control is named: `mkdir -p` and `iptables -p tcp` are not secrets)
  {
    re: /(?<![\w-])-p(?:[ \t]+|"\s*,\s*")(?:"(?<v>[^"]*)"|'(?<v2>[^']*)'|(?<v3>[^\s"']+))/dg,
    kind: 'password',
    line: /dsa_control/i,
  },
  // -u user:pass (curl, dsa_control's proxy credentials), curl's -U / --user / --proxy-user
  {
    re: /(?<![\w-])(?:-[uU]|--(?:proxy-)?user)(?:[ \t]+|=|"\s*,\s*")["']?[^\s:"']*:(?<v>[^\s"'\u3000-\u303f\uff01-\uff0f]+)/dg,
    kind: 'password',
  },
  // dsa_control -w user:pass (the relay proxy's credentials)
  {
    re: /(?<![\w-])-w(?:[ \t]+|"\s*,\s*")["']?[^\s:"']*:(?<v>[^\s"'\u3000-\u303f\uff01-\uff0f]+)/dg,
    kind: 'password',
    line: /dsa_control/i,
  },
  // .curlrc / wgetrc: `proxy-user = "user:pass"`, `user: user:pass`
  {
    re: /^[ \t]*(?:proxy[-_])?user[ \t]*[=:]?[ \t]*["']?[^\s:"']+:(?<v>[^\s"']+)/dgim,
    kind: 'password',
    when: /user/i,
  },
  // auth=user:pass (a proxy's credentials under any `…auth` key)
  {
    re: /(?<![\w.-])[\w.-]*auth[ \t]*[:=][ \t]*["']?[^\s:"'=]+:(?<v>[^\s"'&;,]+)/dgi,
    kind: 'password',
    when: /auth/i,
  },
  // reg query: `    ProxyPass    REG_SZ    value`
  {
    re: new RegExp(`^[ \\t]*(?<k>${KEY})[ \\t]+REG_[A-Z_]+[ \\t](?<v>[^\\r\\n]*)`, 'dgim'),
    kind: (m) => kindOfKey(m.groups!.k!),
    when: /REG_/,
  },
  // XML: <Password>…</Password>, <add key="ProxyPassword" value="…"/>, <Property Id="TOKEN" Value="…"/>
  {
    re: new RegExp(`<(?<k>${KEY})(?:\\s[^>]{0,1000})?>(?<v>[^<]{0,4096})</\\k<k>\\s*>`, 'dgi'),
    kind: (m) => kindOfKey(m.groups!.k!),
    when: KEY_WORD,
  },
  {
    re: new RegExp(
      `\\b(?:key|name|id)\\s*=\\s*(?<q>["'])(?<k>${KEY})\\k<q>[^>]{0,1000}?\\svalue\\s*=\\s*(?:"(?<v>[^"]*)"|'(?<v2>[^']*)')`,
      'dgi',
    ),
    kind: (m) => kindOfKey(m.groups!.k!),
    when: KEY_WORD,
  },
  // PowerShell: -Password X, -ProxyPassword:'X', ConvertTo-SecureString "X" -AsPlainText
  {
    re: new RegExp(
      `(?<![\\w-])-(?<k>${KEY_PARAM}|${KEY_WORDS})(?:[ \\t]+|:)(?:"(?<v>[^"]*)"|'(?<v2>[^']*)'|(?<v3>[^\\s"'($-][^\\s"']*))`,
      'dgi',
    ),
    kind: (m) => kindOfKey(m.groups!.k!),
    when: KEY_WORD,
  },
  {
    re: /\bConvertTo-SecureString(?:[ \t]+-String)?[ \t]+(?:"(?<v>[^"]*)"|'(?<v2>[^']*)')/dgi,
    kind: 'password',
  },
  // A signed download URL: ?sig=…, &X-Amz-Signature=…, &key=…
  {
    re: /[?&](?:sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|key|apikey|auth|code)=(?<v>[^&#\s"'<>]+)/dgi,
    kind: 'secret',
  },
  // `invalid token 8F2E…`, `tenant 5A1C…-…` written without a separator
  { re: /\btoken\s+(?<v>[A-Za-z0-9][A-Za-z0-9_-]{15,})/dgi, kind: 'token' },
  {
    re: /\btenant(?:[ _-]?id)?\s+(?<v>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/dgi,
    kind: 'tenantID',
  },
  // user:pass@host:port without a scheme (a proxy setting)
  {
    re: /(?<=^|[\s=("'])[^\s:/@"'=]+:(?<v>[^\s"'/]*)@(?=[A-Za-z0-9][A-Za-z0-9.-]*:\d{1,5}\b)/dgm,
    kind: 'url-credentials',
    when: /@/,
  },
  // …and without a port, on a line about a proxy (`https_proxy=user:pass@proxy`, `Proxy Server(s) : user:pass@h`)
  {
    re: /(?<=^|[\s=("'])[^\s:/@"'=]+:(?<v>[^\s"'/]*)@(?=[A-Za-z0-9[])/dgm,
    kind: 'url-credentials',
    when: /@/,
    line: /proxy/i,
  },
];

/** `scheme://user:pass@host`: the password is all between the first `:` and the last `@` before the host. */
function urlCredentialSpans(text: string, out: Span[]): void {
  const re = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\//g;
  for (const m of text.matchAll(re)) {
    const from = m.index + m[0].length;
    const run = /^[^\s"'<>`]*/.exec(text.slice(from))![0];
    // The last `@` followed by a host (not by another `@` of the password).
    let at = -1;
    for (let i = run.lastIndexOf('@'); i >= 0; i = run.lastIndexOf('@', i - 1)) {
      if (/^[A-Za-z0-9[]/.test(run.slice(i + 1))) {
        at = i;
        break;
      }
    }
    if (at < 0) continue;
    const userinfo = run.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon < 0 || userinfo.slice(colon + 1) === '' || userinfo.includes(MASK)) continue;
    out.push({ start: from + colon + 1, end: from + at, kind: 'url-credentials' });
  }
}

/** Values that stand for a secret in help and documentation text (`token:…`, `--token <token>`). */
const PLACEHOLDER = /^(?:…|\.\.\.|<[^>]*>|\*+|x+|\{\{\w+(?:\}\})?|\$\w+|\$\{\w+\})$/i;
/** The upper-case words help text writes where a secret goes (`-u USER:PASSWORD`), with trailing punctuation. */
const PLACEHOLDER_WORD = /^(?:PASSWORD|PASSWD|PASS|SECRET|TOKEN|TENANT_?ID)[),.;:、。）]*$/;

function patternSpans(text: string, out: Span[]): void {
  for (const p of PATTERNS) {
    if (p.when && !p.when.test(text)) continue;
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m; m = p.re.exec(text)) {
      if (m[0].length === 0) p.re.lastIndex++;
      const name = ['v', 'v2', 'v3'].find((g) => m!.groups?.[g] !== undefined);
      if (!name) continue;
      let [start, end] = m.indices!.groups![name]!;
      // The value without the blanks around it (patterns take a whole ini line, then trim it: linear).
      while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
      while (end > start && /[ \t\r]/.test(text[end - 1]!)) end--;
      const value = text.slice(start, end);
      if (end <= start || value.includes(MASK.slice(0, -1)) || PLACEHOLDER.test(value) || PLACEHOLDER_WORD.test(value))
        continue;
      if (p.line) {
        const ls = text.lastIndexOf('\n', start) + 1;
        const le = text.indexOf('\n', start);
        if (!p.line.test(text.slice(ls, le < 0 ? undefined : le))) continue;
      }
      out.push({ start, end, kind: typeof p.kind === 'function' ? p.kind(m) : p.kind });
    }
  }
  urlCredentialSpans(text, out);
}

/** A set of secrets and the masking of text and JSON with them and the patterns. */
export class Redactor {
  private known: Known[] = [];

  /** Registers a secret value (ignored when shorter than 4 characters: patterns still catch it in context). */
  add(value: string | undefined | null, kind: SecretKind = 'secret'): void {
    if (!value || value.length < 4 || value.includes(MASK)) return;
    if (this.known.some((k) => k.value === value)) return;
    this.known.push({
      value,
      kind,
      re: new RegExp([percentRe(value), ...encodedForms(value).map(escapeRe)].join('|'), 'gi'),
      wrapped: wrappedRe(value),
    });
    this.known.sort((a, b) => b.value.length - a.value.length);
  }

  /** Registers the credentials of `user:pass` (the pair, for `base64(user:pass)`, and the password). */
  addCredentials(userPass: string | undefined | null, kind: SecretKind = 'password'): void {
    if (!userPass) return;
    const colon = userPass.indexOf(':');
    if (colon < 0) return this.add(userPass, kind);
    this.add(userPass.slice(colon + 1), kind);
    this.add(userPass, kind);
    // Given URL-encoded (`bob:p%40ss`), it reaches a program's output decoded (`p@ss`).
    try {
      const decoded = decodeURIComponent(userPass.slice(colon + 1));
      if (decoded !== userPass.slice(colon + 1)) this.add(decoded, kind);
    } catch {
      /* not URL-encoded */
    }
  }

  /** Registers the user info of a URL (`scheme://user:pass@host`, `user:pass@host:port`). */
  addUrl(url: string | undefined | null): void {
    if (!url) return;
    const m = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^\s/]*:[^\s]*)@[A-Za-z0-9[][^@\s]*$/.exec(url.trim());
    if (!m) return;
    this.addCredentials(m[1]!, 'url-credentials');
    try {
      this.addCredentials(decodeURIComponent(m[1]!), 'url-credentials');
    } catch {
      /* not URL-encoded */
    }
  }

  /** Registers every value the patterns find in a text (an input file that holds secrets), `user:pass` as a pair. */
  learn(text: string): void {
    const spans: Span[] = [];
    patternSpans(text, spans);
    for (const s of spans) {
      const value = text.slice(s.start, s.end).replace(/^["']|["']$/g, '');
      // `PROXY_CREDENTIAL='user:pass'`: the password alone is masked wherever it goes too (`-u $PROXY_CREDENTIAL`).
      if (/^[^\s:/]+:\S+$/.test(value)) this.addCredentials(value, s.kind);
      else this.add(value, s.kind);
    }
  }

  /** Masks text and lists each masking with its line (of the masked text). */
  redactWithReport(text: string, extra: readonly Redactor[] = []): { text: string; masked: Masking[] } {
    if (!text) return { text, masked: [] };
    const known = [...this.known, ...extra.flatMap((r) => r.known)];
    const spans: Span[] = [];
    for (const k of known) knownSpans(text, k, spans);
    patternSpans(text, spans);
    // UTF-16 text read as bytes (a Windows program's output): the secret's letters stand between NULs, or between
    // `\u0000` escapes once that text was kept in JSON.
    if (text.includes('\0') || text.includes('\\u0000')) {
      const at: number[] = [];
      let view = '';
      for (let i = 0; i < text.length; i++) {
        if (text[i] === '\0') continue;
        if (text.startsWith('\\u0000', i)) {
          i += 5;
          continue;
        }
        at.push(i);
        view += text[i];
      }
      const found: Span[] = [];
      for (const k of known) knownSpans(view, k, found);
      patternSpans(view, found);
      for (const f of found)
        if (f.end > f.start) spans.push({ start: at[f.start]!, end: at[f.end - 1]! + 1, kind: f.kind });
    }
    if (spans.length === 0) return { text, masked: [] };
    spans.sort((a, b) => a.start - b.start || b.end - a.end || (a.show ? -1 : b.show ? 1 : 0));
    const merged: Span[] = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s.start <= last.end) {
        if (s.end > last.end || s.start !== last.start || s.end !== last.end) delete last.show;
        last.end = Math.max(last.end, s.end);
      } else merged.push({ ...s });
    }
    let out = '';
    let pos = 0;
    let line = 1;
    const masked: Masking[] = [];
    for (const s of merged) {
      const before = text.slice(pos, s.start);
      out += before;
      for (const c of before) if (c === '\n') line++;
      out += s.show ?? MASK;
      masked.push({ line, kind: s.kind });
      pos = s.end;
    }
    out += text.slice(pos);
    return { text: out, masked };
  }

  /** Masks text. */
  text(text: string, extra: readonly Redactor[] = []): string {
    return this.redactWithReport(text, extra).text;
  }

  /**
   * Masks an argument array: `-p X` and `-w user:pass` (of dsa_control), `-u` / `-U` / `--proxy-user user:pass`,
   * `--password X` … and every known value.
   */
  argv(args: readonly string[], extra: readonly Redactor[] = [], command = ''): string[] {
    const dsa = /dsa_control/i.test(command) || args.some((a) => /dsa_control/i.test(a));
    return args.map((a, i) => {
      const prev = args[i - 1] ?? '';
      if ((prev === '-p' && dsa) || /^--(password|passwd|token|tenant-?id|proxy-auth|proxy-password)$/i.test(prev))
        return a.includes(MASK) ? a : MASK;
      const userPass = ['-u', '-U', '--user', '--proxy-user'].includes(prev) || (prev === '-w' && dsa);
      if (userPass && a.includes(':') && !a.includes(MASK)) return `${a.slice(0, a.indexOf(':'))}:${MASK}`;
      return this.text(a, extra);
    });
  }

  /** Deep-copies a JSON value with every string masked, secret-named fields and argument arrays included. */
  json<T>(value: T, extra: readonly Redactor[] = []): T {
    if (value === undefined) return value;
    const walk = (v: unknown, key: string | null, parent: Record<string, unknown> | null): unknown => {
      if (typeof v === 'string') {
        if (key !== null && KEY_EXACT.test(key) && v !== '' && !v.includes(MASK)) return MASK;
        if (key === 'value' && parent && typeof parent.key === 'string' && KEY_EXACT.test(parent.key) && v !== '')
          return v.includes(MASK) ? v : MASK;
        return this.text(v, extra);
      }
      if (typeof v === 'number' && key !== null && KEY_EXACT.test(key)) return MASK;
      if (Array.isArray(v)) {
        if (v.every((x) => typeof x === 'string'))
          return this.argv(v as string[], extra, parent && typeof parent.command === 'string' ? parent.command : '');
        return v.map((x) => walk(x, null, null));
      }
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [this.text(k, extra), walk(x, k, o)]));
      }
      return v;
    };
    return walk(JSON.parse(JSON.stringify(value)) as unknown, null, null) as T;
  }
}

/** The secrets of this process (one CLI run, or the app): registered once, seen by every output path. */
export const processSecrets = new Redactor();

const extras = new Map<string, Redactor>();

/** A redactor for a caller's own list of secrets (kept: callers pass the same list for a whole run). */
function extraOf(secrets: readonly string[]): Redactor[] {
  if (secrets.length === 0) return [];
  const key = secrets.join('\0');
  let r = extras.get(key);
  if (!r) {
    if (extras.size > 32) extras.clear();
    r = new Redactor();
    for (const s of secrets) r.add(s);
    extras.set(key, r);
  }
  return [r];
}

/** Masks free text: the process's secrets, `secrets`, and every pattern (see the module comment). */
export function redactText(text: string, secrets: readonly string[] = []): string {
  return processSecrets.text(text, extraOf(secrets));
}

/** Deep-copies a JSON value with every string masked (secret-named fields and argument arrays included). */
export function redactJson<T>(value: T, secrets: readonly string[] = []): T {
  return processSecrets.json(value, extraOf(secrets));
}

/** Masks the argument array of `command` (`-p X` of dsa_control, `-u user:pass`, `--token X` …). */
export function redactArgv(command: string, args: readonly string[], secrets: readonly string[] = []): string[] {
  return processSecrets.argv(args, extraOf(secrets), command);
}

/** Options of the CLI whose value is a secret, or may carry one (a URL with user info). */
const SECRET_FLAGS: Record<string, (r: Redactor, v: string) => void> = {
  '--token': (r, v) => r.add(v, 'token'),
  '--tenant-id': (r, v) => r.add(v, 'tenantID'),
  '--password': (r, v) => r.add(v, 'password'),
  '--proxy-auth': (r, v) => r.addCredentials(v, 'password'),
  '--proxy': (r, v) => r.addUrl(v),
  '--manager': (r, v) => r.addUrl(v),
  '--manager-url': (r, v) => r.addUrl(v),
};

/** The shape of a Cloud One token or tenant ID. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Edit distance of two short words (an option name as typed and as spelled). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The kind of secret an option no one spelled right stands for (`--tokn`, `--tennant-id`, `--pasword`,
 * `--activation-token`): the CLI's error names the option as typed, `--tokn=VALUE` included.
 */
function misspelledSecretFlag(flag: string): SecretKind | null {
  const name = flag.replace(/^-+/, '').toLowerCase().replace(/[-_]/g, '');
  if (name.length < 3) return null;
  const near = (w: string): boolean => name.includes(w) || distance(name, w) <= 2;
  if (near('token')) return 'token';
  if (near('tenantid') || name.includes('tenant')) return 'tenantID';
  if (near('password') || near('passwd') || near('proxyauth') || /pass|pwd|secret|cred/.test(name)) return 'password';
  return null;
}

/**
 * Registers the secrets of a command line and environment before anything is parsed or printed: `--token`,
 * `--tenant-id`, `--password`, `--proxy-auth`, the user info of `--proxy` / `--manager` and of any URL argument,
 * the value of a misspelled secret option (`--tokn=…`), secret-shaped arguments (`token:…` pasted from an
 * activation command, a token or tenant ID given to another option), DSA_SETUP_AGENT_PASSWORD and the proxy
 * variables.
 */
export function registerProcessSecrets(argv: readonly string[], env: NodeJS.ProcessEnv = {}): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const [flag, value] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, argv[i + 1]];
    const reg = SECRET_FLAGS[flag];
    if (reg && value !== undefined) reg(processSecrets, value);
    else if (flag.startsWith('--') && value !== undefined && !(eq < 0 && value.startsWith('-'))) {
      const kind = misspelledSecretFlag(flag);
      if (kind) processSecrets.add(value, kind);
    }
    if (a.includes('@')) processSecrets.addUrl(a.slice(eq + 1));
    processSecrets.learn(a);
    // A token or tenant ID pasted where another value goes (`--activation-file 8F2E…`): errors repeat the value.
    const bare = a.slice(eq + 1).replace(/^["']|["']$/g, '');
    if (UUID.test(bare)) processSecrets.add(bare, 'token');
  }
  processSecrets.add(env.DSA_SETUP_AGENT_PASSWORD, 'password');
  for (const n of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'])
    processSecrets.addUrl(env[n]);
}

/** Activation argument keys whose values are not secret. */
const PUBLIC_ACTIVATION_KEYS = /^(hostname|policyid|groupid|relaygroupid|description|displayname)$/i;

/**
 * Registers the secrets of an activation command file or deployment script, misspelled ones included
 * (`"tokn:…"`, `"tenantId=…"`): every `KEY:VALUE` / `KEY=VALUE` argument of dsa_control other than the public
 * ones (`hostname:`, `policyid:` …, and misspellings of them), and every value the patterns find.
 */
export function registerActivationSecrets(text: string): void {
  processSecrets.learn(text);
  for (const line of text.split(/\r?\n/)) {
    const at = line.search(/dsa_control/i);
    if (at < 0) continue;
    for (const word of line.slice(at).split(/\s+/)) {
      const m = /^["']?([A-Za-z_-]+)[:=](.+?)["']?$/.exec(word);
      if (!m || PUBLIC_ACTIVATION_KEYS.test(m[1]!) || /^\/\//.test(m[2]!)) continue;
      // A misspelled key: its value is secret when the key looks like token / tenant / password, or it is long.
      if (!/t[eo]|ken|ant|pass|pw|secret|key/i.test(m[1]!) && m[2]!.length < 16) continue;
      processSecrets.add(m[2]!, /ten/i.test(m[1]!) ? 'tenantID' : /tok/i.test(m[1]!) ? 'token' : 'secret');
    }
  }
}
