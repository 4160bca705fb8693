import { msg, type Message } from '../message.js';
import type { CheckContext, CheckOutcome } from './types.js';

/** A check cut off by the run's deadline: what it was waiting for, never a verdict on anyone (no class). */
export function cutAtDeadline(ctx: Pick<CheckContext, 'deadlineMs' | 'timeoutMs'>, what: Message): CheckOutcome {
  return {
    status: 'fail',
    class: null,
    detail: msg('doctor.common.cutAtDeadline', { what, ms: ctx.deadlineMs }),
    remedy: msg('doctor.common.timedOutRemedy', { ms: ctx.timeoutMs }),
  };
}
