import { readIfExists, sha256 } from '../fsx.js';
import { DsaError, ExitCode, toErrorInfo, type ErrorInfo } from '../errors.js';
import { redactJson } from '../secrets.js';
import { findStep } from '../steps/registry.js';
import { PlanSchema, type Plan } from '../steps/types.js';
import type { SystemContext } from '../system.js';
import { Journal } from './journal.js';
import { stepInput } from './plan.js';
import { Transaction } from './transaction.js';
import { onProgress } from '../progress.js';
import type { Message } from '../steps/types.js';

export interface StepOutcome {
  id: string;
  status: 'applied' | 'unchanged' | 'failed' | 'not-run';
  verified?: boolean;
  detail?: { key: string; params: Record<string, string | number> };
  error?: ErrorInfo;
}

export interface ApplyOutcome {
  /** The run's journal id; null when nothing needed changing. */
  runId: string | null;
  journalDir: string | null;
  ok: boolean;
  rebootRequired: boolean;
  steps: StepOutcome[];
}

/** Validates a plan read from a file (the elevated helper never trusts its input). */
export function parsePlan(file: string, text: string): Plan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DsaError({
      code: 'plan.notJson',
      messageKey: 'plan.notJson',
      params: { file, detail: (e as Error).message },
      exitCode: ExitCode.badInput,
    });
  }
  const r = PlanSchema.safeParse(json);
  if (!r.success) {
    throw new DsaError({
      code: 'plan.invalid',
      messageKey: 'plan.invalid',
      params: { file, detail: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') },
      exitCode: ExitCode.badInput,
    });
  }
  return r.data;
}

/** Refuses a plan made for another system, or whose files changed since it was made. */
async function checkPlanFresh(sys: SystemContext, plan: Plan): Promise<void> {
  if (plan.os !== sys.os || plan.root !== sys.root) {
    throw new DsaError({
      code: 'apply.otherSystem',
      messageKey: 'apply.otherSystem',
      params: { planRoot: plan.root, root: sys.root },
      exitCode: ExitCode.badInput,
    });
  }
  for (const step of plan.steps) {
    if (step.upToDate) continue;
    for (const c of step.changes) {
      if (c.kind !== 'file') continue;
      const now = await readIfExists(sys.path(c.path), { root: sys.root });
      const nowSha = now ? sha256(now) : null;
      if (nowSha !== c.beforeSha) {
        throw new DsaError({
          code: 'apply.stalePlan',
          messageKey: 'apply.stalePlan',
          params: { path: c.path },
          remedyKey: 'apply.stalePlanRemedy',
        });
      }
    }
  }
}

/**
 * Applies a plan: every step that has changes runs through a journaled transaction, then verifies.
 * Stops at the first failing step (what was applied stays revertable). A plan with nothing to do
 * creates no run.
 */
export async function applyPlan(
  sys: SystemContext,
  plan: Plan,
  opts: { secrets?: string[]; onProgress?: (step: string, m: Message) => void } = {},
): Promise<ApplyOutcome> {
  await checkPlanFresh(sys, plan);
  const todo = plan.steps.filter((s) => !s.upToDate);
  if (todo.length === 0) {
    return {
      runId: null,
      journalDir: null,
      ok: true,
      rebootRequired: false,
      steps: plan.steps.map((s) => ({ id: s.id, status: 'unchanged' })),
    };
  }
  // Every step's input is validated before anything is written: a bad plan changes nothing and creates no run.
  const inputs = new Map(todo.map((s) => [s.id, stepInput(s.id, s.input)]));
  const journal = Journal.create(sys);
  journal.writeJson('plan.json', redactJson(plan, opts.secrets ?? []));
  journal.append({ type: 'run.start', runId: journal.runId, root: sys.root, steps: todo.map((s) => s.id) });
  const outcomes: StepOutcome[] = [];
  let failed = false;
  for (const sp of plan.steps) {
    if (failed) {
      outcomes.push({ id: sp.id, status: 'not-run' });
      continue;
    }
    if (sp.upToDate) {
      journal.append({ type: 'step.skipped', step: sp.id });
      outcomes.push({ id: sp.id, status: 'unchanged' });
      continue;
    }
    const step = findStep(sp.id)!;
    journal.append({ type: 'step.start', step: sp.id });
    // Progress of long operations goes to the journal (the app and the elevated path read it) and to the caller.
    const off = onProgress((m) => {
      journal.append({ type: 'step.progress', step: sp.id, key: m.key, params: m.params });
      opts.onProgress?.(sp.id, m);
    });
    try {
      const input = inputs.get(sp.id);
      await step.apply(sys, input, new Transaction(sys, journal, sp.id, opts.secrets ?? []));
      const v = await step.verify(sys, input);
      journal.append({ type: 'step.done', step: sp.id, verified: v.ok, detail: v.detail });
      outcomes.push({ id: sp.id, status: 'applied', verified: v.ok, detail: v.detail });
    } catch (e) {
      const error = toErrorInfo(e);
      journal.append({ type: 'step.failed', step: sp.id, error });
      outcomes.push({ id: sp.id, status: 'failed', error });
      failed = true;
    } finally {
      off();
    }
  }
  const ok = !failed && outcomes.every((o) => o.verified !== false);
  const rebootRequired = !failed && plan.rebootRequired;
  journal.append({ type: 'run.done', ok, rebootRequired });
  return { runId: journal.runId, journalDir: journal.dir, ok, rebootRequired, steps: outcomes };
}
