import type { Message } from './steps/types.js';

type Listener = (m: Message) => void;
const listeners = new Set<Listener>();

/** Subscribes to progress of long operations (service wait, activation retries, download); returns unsubscribe. */
export function onProgress(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Reports progress to every subscriber (apply journals it; the CLI prints it on stderr; the app shows it). */
export function reportProgress(key: string, params: Record<string, string | number> = {}): void {
  for (const l of listeners) l({ key, params });
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
