import type { Translate } from '../i18n.js';
import type { TextRef } from './types.js';

/** Translates a text, translating nested texts among its parameters first. */
export function renderText(t: Translate, ref: TextRef): string {
  const params: Record<string, string | number> = {};
  for (const [name, v] of Object.entries(ref.params ?? {}))
    params[name] = typeof v === 'object' && v !== null ? renderText(t, v) : v;
  return t(ref.key, params);
}
