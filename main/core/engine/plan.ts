import { findStep } from '../steps/registry.js';
import { PLAN_FORMAT, type Plan, type StepPlan } from '../steps/types.js';
import { DsaError, ExitCode } from '../errors.js';
import type { SystemContext } from '../system.js';

/** A step to plan, with its input. */
export interface StepRequest {
  stepId: string;
  input: unknown;
}

/** Validates a step's input with the step's own schema. */
export function stepInput(stepId: string, input: unknown): unknown {
  const step = findStep(stepId);
  if (!step)
    throw new DsaError({
      code: 'plan.unknownStep',
      messageKey: 'plan.unknownStep',
      params: { step: stepId },
      exitCode: ExitCode.badInput,
    });
  const r = step.input.safeParse(input);
  if (!r.success) {
    throw new DsaError({
      code: 'plan.badInput',
      messageKey: 'plan.badInput',
      params: { step: stepId, detail: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') },
      exitCode: ExitCode.badInput,
    });
  }
  return r.data;
}

/** Detects and plans every requested step; changes nothing. */
export async function buildPlan(sys: SystemContext, requests: StepRequest[]): Promise<Plan> {
  const steps: StepPlan[] = [];
  for (const req of requests) {
    const step = findStep(req.stepId)!;
    const input = stepInput(req.stepId, req.input);
    const p = await step.plan(sys, input);
    steps.push({ id: step.id, titleKey: step.titleKey, input, ...p });
  }
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
