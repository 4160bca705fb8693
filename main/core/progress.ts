import type { Message } from './steps/types.js';

/**
 * Where one job's progress goes (its journal, the terminal, the window). Each job (apply, revert, activate)
 * gets its own, so two jobs at once never see each other's messages.
 */
export type Progress = (m: Message) => void;

/** A progress sink that drops everything (a job nobody watches). */
export const noProgress: Progress = () => undefined;

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
