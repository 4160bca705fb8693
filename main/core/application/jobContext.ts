import type { Message } from '../message.js';
import type { StampedEvent } from '../engine/journal.js';

/**
 * What one job (apply, activate, doctor…) reports to and is cancelled by. Each job gets its own, passed down to
 * the core (`applyPlan`'s hooks, `activateAgent`'s progress): two jobs at once never see each other's progress.
 */
export interface JobContext {
  /** A progress message of the job (attempts, waiting for a service, a lock waited for…). */
  progress(m: Message): void;
  /** Each journal event of the job's run, as it is written (an elevated run's journal is followed). */
  event?(e: StampedEvent): void;
  /** Cancels the job (an elevated job stops waiting; the journal keeps what happened). */
  signal?: AbortSignal;
}
