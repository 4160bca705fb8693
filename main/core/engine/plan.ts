import { findStep } from '../steps/registry.js';
import { ChangeSchema, PLAN_FORMAT, type Change, type Plan, type StepPlan } from '../steps/types.js';
import { fail, ExitCode } from '../errors.js';
import { msg } from '../message.js';
import type { SystemContext } from '../system.js';

/** A step to plan, with its input. */
export interface StepRequest {
  stepId: string;
  input: unknown;
}

/** Validates a step's input with the step's own schema. */
export function stepInput(stepId: string, input: unknown): unknown {
  const step = findStep(stepId);
  if (!step) throw fail('plan.unknownStep', msg('plan.unknownStep', { step: stepId }), { exit: ExitCode.badInput });
  const r = step.input.safeParse(input);
  if (!r.success) {
    throw fail(
      'plan.badInput',
      msg('plan.badInput', {
        step: stepId,
        detail: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      }),
      { exit: ExitCode.badInput },
    );
  }
  return r.data;
}

/** Plans one step: its exact actions for the machine as it is now (changes nothing). */
export async function planStep(sys: SystemContext, stepId: string, rawInput: unknown): Promise<StepPlan> {
  const step = findStep(stepId)!;
  const input = stepInput(stepId, rawInput);
  const p = await step.plan(sys, input);
  const changes: Change[] = p.changes.map((c) => ChangeSchema.parse(c));
  return { id: step.id, titleKey: step.titleKey, input, ...p, changes };
}

/** Plans every requested step; changes nothing. */
export async function buildPlan(sys: SystemContext, requests: StepRequest[]): Promise<Plan> {
  const steps: StepPlan[] = [];
  for (const req of requests) steps.push(await planStep(sys, req.stepId, req.input));
  return {
    format: PLAN_FORMAT,
    createdAt: new Date().toISOString(),
    root: sys.root,
    os: sys.os,
    steps,
    rebootRequired: steps.some((s) => s.rebootRequired && !s.upToDate),
  };
}

/** True when applying the plan would change nothing. */
export function planIsEmpty(plan: Plan): boolean {
  return plan.steps.every((s) => s.upToDate);
}

/** An action in one line, for messages: `write /etc/hosts` or `nft insert rule …` (cut at 200 characters). */
export function describeAction(c: Change): string {
  const text = c.kind === 'file' ? `${c.action} ${c.path}` : [c.command, ...c.args].join(' ');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** What must match between a reviewed action and the same action planned again (the bytes by their hash). */
function actionKey(c: Change): unknown {
  if (c.kind === 'file') {
    const { edit: _edit, diff: _diff, ...rest } = c;
    return rest;
  }
  const { reason: _reason, ...rest } = c;
  return rest;
}

/** Canonical JSON (keys sorted), so two equal actions compare equal whatever the key order of the file. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The first action where two lists differ (index and both sides), or null when they are the same. */
export function firstDifference(
  reviewed: readonly Change[],
  fresh: readonly Change[],
): { index: number; reviewed: Change | null; fresh: Change | null } | null {
  for (let i = 0; i < Math.max(reviewed.length, fresh.length); i++) {
    const a = reviewed[i] ?? null;
    const b = fresh[i] ?? null;
    if (!a || !b || canonical(actionKey(a)) !== canonical(actionKey(b))) return { index: i, reviewed: a, fresh: b };
  }
  return null;
}
