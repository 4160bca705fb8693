import { msg, type Message, type MessageParam } from './message.js';

/**
 * The status values tools report (the agent's state, service and module states, where a value was read from),
 * each with a translation key under `value.`: the words admins read, never the raw token alone.
 * Shared by the Node side and the renderer: no Node imports here.
 */
const KNOWN: Record<string, string> = {
  running: 'running',
  stopped: 'stopped',
  absent: 'absent',
  'not registered': 'absent',
  unknown: 'unknown',
  green: 'green',
  yellow: 'yellow',
  red: 'red',
  gray: 'gray',
  grey: 'gray',
  managed: 'managed',
  online: 'online',
  offline: 'offline',
  on: 'on',
  off: 'off',
  'driver-offline': 'driverOffline',
  'not-capable': 'notCapable',
  'not capable': 'notCapable',
  'not activated': 'notActivated',
  'not-activated': 'notActivated',
  activated: 'activated',
  loaded: 'loaded',
  builtin: 'builtin',
  'not loaded': 'notLoaded',
  metadata: 'metadata',
  filename: 'filename',
  enabled: 'enabled',
  disabled: 'disabled',
  active: 'active',
  inactive: 'inactive',
};

/** Values whose English words are the raw value itself (shown without it in parentheses). */
const PLAIN = new Set(
  ['running', 'stopped', 'unknown', 'online', 'offline', 'on', 'off', 'notActivated', 'activated', 'loaded']
    .concat(['enabled', 'disabled', 'active', 'inactive', 'managed'])
    .map((k) => `value.${k}`),
);

/** The translation key of a raw status value (`value.running`), or null when it is not one we know. */
export function statusValueKey(raw: string): string | null {
  const k = KNOWN[raw.trim().toLowerCase()];
  return k ? `value.${k}` : null;
}

/** Every status value key (for the test that each has its words in every language). */
export const STATUS_VALUE_KEYS: readonly string[] = [...new Set(Object.values(KNOWN))].map((k) => `value.${k}`);

/**
 * A status value as a message: its words ("実行中"), with the raw value after them in parentheses where the raw
 * value is a tool's jargon ("正常 (green)", "パッケージのメタデータ (metadata)"); a value we do not know is shown
 * as it is.
 */
export function statusValue(raw: string | null | undefined): Message {
  if (raw === null || raw === undefined || raw === '') return msg('value.unknown');
  const key = statusValueKey(raw);
  if (!key) return msg('value.raw', { raw });
  // Plain English words read the same in English: the raw value follows only where it is a tool's jargon.
  return PLAIN.has(key) ? msg(key) : msg('value.withRaw', { value: msg(key), raw });
}

/** A value for a message, or the words for "unknown" when there is none (never a bare `?`). */
export function orUnknown(value: string | number | null | undefined): MessageParam {
  return value === null || value === undefined || value === '' ? msg('value.unknown') : value;
}

/** A size in MiB for a message ("512 MiB"), or the words for "unknown" when it could not be measured. */
export function mib(n: number | null | undefined): MessageParam {
  return n === null || n === undefined ? msg('value.unknown') : msg('value.mib', { n });
}

/**
 * A time as a message: rendered in the reader's language, in local time with the zone (`value.time` formats it
 * with Intl), from an ISO string or epoch seconds / milliseconds; a value that is not a time stays as it is.
 */
export function timeRef(value: string | number | null | undefined): Message {
  const ms = timeMs(value);
  return ms === null ? msg('value.raw', { raw: String(value ?? '?') }) : msg('value.time', { ms });
}

/** Epoch milliseconds of an ISO string or epoch seconds / milliseconds, or null. */
function timeMs(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  let ms: number;
  if (typeof value === 'number' || /^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    ms = n < 1e11 ? n * 1000 : n;
  } else ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * A time in the reader's local time with its zone ("2026/11/30 16:04:05 JST"), from an ISO string or epoch
 * seconds / milliseconds; a value that is not a time is returned as it is.
 */
export function localTime(value: string | number | null | undefined, lang: string, timeZone?: string): string {
  const ms = timeMs(value);
  if (ms === null) return value === null || value === undefined ? '' : String(value);
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(ms));
}
