/** Keys of activation arguments whose values are secret. */
export const SECRET_ARG_KEYS = new Set(['token', 'tenantid', 'password']);

/** Masks a secret for display: never more than its first 4 characters, and only when it is long. */
export function maskSecret(value: string): string {
  if (value.length >= 16) return `${value.slice(0, 4)}…[masked]`;
  return '[masked]';
}

const SECRET_PATTERNS: RegExp[] = [
  /\b(token|tenantID|password|pass)(\s*[:=]\s*["']?)([^"'\s&]+)/gi,
  /(-u\s+["']?[^:"'\s]+:)([^"'\s]+)/g,
  /(\/\/[^:/@\s]+:)([^@/\s]+)(@)/g,
];

/**
 * Masks secrets in free text: every known secret value, and anything shaped like `token:…`,
 * `tenantID:…`, `password=…`, `-u user:pass` or `scheme://user:pass@`.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(maskSecret(s));
  out = out.replace(SECRET_PATTERNS[0]!, (_m, k: string, sepr: string, v: string) =>
    v.includes('[masked]') ? `${k}${sepr}${v}` : `${k}${sepr}${maskSecret(v)}`,
  );
  out = out.replace(SECRET_PATTERNS[1]!, (_m, a: string, v: string) =>
    v.includes('[masked]') ? `${a}${v}` : `${a}${maskSecret(v)}`,
  );
  out = out.replace(SECRET_PATTERNS[2]!, (_m, a: string, _v: string, b: string) => `${a}[masked]${b}`);
  return out;
}

/** Deep-copies a JSON value with every string passed through redactText. */
export function redactJson<T>(value: T, secrets: readonly string[] = []): T {
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
    typeof v === 'string' ? redactText(v, secrets) : v,
  ) as T;
}
