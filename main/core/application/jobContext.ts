import { AsyncLocalStorage } from 'node:async_hooks';
import type { Message } from '../message.js';
import { onProgress } from '../progress.js';
import type { StampedEvent } from '../engine/journal.js';

/**
 * What one job (apply, activate, doctor…) reports to and is cancelled by. Each job gets its own: two jobs at
 * once never see each other's progress.
 */
export interface JobContext {
  /** A progress message of the job (attempts, waiting for a service, …). */
  progress(m: Message): void;
  /** Each journal event of the job's run, as it is written (an elevated run's journal is followed). */
  event?(e: StampedEvent): void;
  /** Cancels the job (an elevated job stops waiting; the journal keeps what happened). */
  signal?: AbortSignal;
}

/** A context that drops everything (a caller that shows no progress). */
export const quietJob: JobContext = { progress: () => {} };

const current = new AsyncLocalStorage<JobContext>();
let routed = false;

/**
 * Runs `fn` as the job of `ctx`: progress reported by the core while `fn` runs (on its async path only) goes
 * to `ctx` alone. The core's progress calls are routed by the async context, so a concurrent job keeps its
 * own stream.
 */
export function runInJob<T>(ctx: JobContext, fn: () => Promise<T>): Promise<T> {
  if (!routed) {
    // The one route from the core's progress calls to the running job's context.
    onProgress((m) => current.getStore()?.progress(m));
    routed = true;
  }
  return current.run(ctx, fn);
}
