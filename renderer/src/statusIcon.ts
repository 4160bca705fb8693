import type { CheckView } from '../../main/core/ipc/contract';

/** The icon shown before each check status (the word follows it, so the icon is decoration). */
export const STATUS_ICON: Record<CheckView['status'], string> = {
  pass: '✔',
  warn: '⚠',
  fail: '✖',
  skip: '–',
  blocked: '↳',
};
