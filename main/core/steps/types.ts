import { z } from 'zod';
import type { SystemContext } from '../system.js';
import type { Transaction } from '../engine/transaction.js';

/** A message for the user: a translation key and its parameters. */
export const MessageSchema = z.object({
  key: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});
export type Message = z.infer<typeof MessageSchema>;

/** One exact change a step will make, as shown in the plan. */
export const ChangeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    /** Path on the target system (`/etc/hosts`). */
    path: z.string(),
    action: z.enum(['create', 'modify', 'delete']),
    /** sha256 of the file when planned (null: did not exist); apply refuses when it changed since. */
    beforeSha: z.string().nullable(),
    /** Diff lines: `+ text`, `- text`, `~ N: text` (a line commented out). */
    diff: z.array(z.string()),
  }),
  z.object({
    kind: z.literal('command'),
    command: z.string(),
    args: z.array(z.string()),
    /** Why the command runs. */
    reason: MessageSchema.optional(),
  }),
]);
export type Change = z.infer<typeof ChangeSchema>;

export const StepPlanSchema = z.object({
  id: z.string(),
  titleKey: z.string(),
  /** The step's own input, validated again by the step before it applies. */
  input: z.unknown(),
  changes: z.array(ChangeSchema),
  notes: z.array(MessageSchema),
  rebootRequired: z.boolean(),
  /** Nothing to do: the system already is as the step wants it. */
  upToDate: z.boolean(),
});
export type StepPlan = z.infer<typeof StepPlanSchema>;

export const PLAN_FORMAT = 'dsa-setup-plan/1';
export const PlanSchema = z.object({
  format: z.literal(PLAN_FORMAT),
  createdAt: z.string(),
  root: z.string(),
  os: z.enum(['linux', 'windows']),
  steps: z.array(StepPlanSchema),
  rebootRequired: z.boolean(),
});
export type Plan = z.infer<typeof PlanSchema>;

/** What a step's verify saw after applying. */
export interface Verification {
  ok: boolean;
  detail: Message;
}

/**
 * A change to the machine: detect (read-only) → plan (exact changes) → apply (privileged, journaled)
 * → verify (detect again); revert is done by the engine from the journal.
 */
export interface Step<I> {
  id: string;
  titleKey: string;
  input: z.ZodType<I>;
  /** Read-only facts about the current state, for `inspect` and the plan. */
  detect(sys: SystemContext, input: I): Promise<unknown>;
  /** The exact changes; `upToDate` when there is nothing to do. */
  plan(sys: SystemContext, input: I): Promise<Omit<StepPlan, 'id' | 'titleKey' | 'input'>>;
  /** Makes the changes through the transaction, which backs up and journals every one. */
  apply(sys: SystemContext, input: I, tx: Transaction): Promise<void>;
  verify(sys: SystemContext, input: I): Promise<Verification>;
}

/** Erases the input type so steps of different inputs sit in one registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = Step<any>;
