import { redactText } from '../secrets.js';

/** A secret value we know (from the activation input), and what it is. */
export interface KnownSecret {
  value: string;
  kind: string;
}

/** What masking found in one file: how many of each kind. */
export interface MaskCount {
  kind: string;
  count: number;
}

const KEYED = /\b(token|tenantID|password|pass)(\s*[:=]\s*["']?)([^"'\s&]+)/gi;
const USER_PASS = /(-u\s+["']?[^:"'\s]+:)([^"'\s]+)/g;
const URL_CREDS = /(\/\/[^:/@\s]+:)([^@/\s]+)(@)/g;

/**
 * Masks secrets in a text (redactText: known values and `token:…`, `tenantID:…`, `password=…`, `-u user:pass`,
 * `scheme://user:pass@`) and counts what it masked, by kind, for the bundle's manifest.
 */
export function redactWithReport(text: string, known: readonly KnownSecret[]): { text: string; masked: MaskCount[] } {
  const counts = new Map<string, number>();
  const add = (kind: string, n = 1): void => {
    if (n > 0) counts.set(kind, (counts.get(kind) ?? 0) + n);
  };
  let rest = text;
  for (const s of known) {
    if (s.value.length < 4) continue;
    const n = rest.split(s.value).length - 1;
    add(s.kind, n);
    rest = rest.split(s.value).join('[masked]');
  }
  for (const m of rest.matchAll(KEYED)) {
    if (m[3]!.includes('[masked]')) continue;
    const key = m[1]!.toLowerCase();
    add(key === 'pass' ? 'password' : key === 'tenantid' ? 'tenantID' : key);
  }
  for (const m of rest.matchAll(USER_PASS)) if (!m[2]!.includes('[masked]')) add('password');
  for (const m of rest.matchAll(URL_CREDS)) if (m[2] !== '[masked]') add('url-credentials');
  return {
    text: redactText(
      text,
      known.map((s) => s.value),
    ),
    masked: [...counts].map(([kind, count]) => ({ kind, count })),
  };
}
