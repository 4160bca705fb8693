import { orUnknown } from '../statusValues.js';
import { fail, DsaError, ExitCode, type ErrorInfo } from '../errors.js';
import { describeError } from '../errorLog.js';
import { msg } from '../message.js';
import { redactJson } from '../secrets.js';
import { findStep } from '../steps/registry.js';
import { PlanSchema, type Plan, type Message } from '../steps/types.js';
import type { SystemContext } from '../system.js';
import { Journal, type JournalEvent } from './journal.js';
import { describeAction, firstDifference, planStep, stepInput } from './plan.js';
import { runAction } from './execute.js';
import { applyEdit } from '../steps/fileAction.js';
import { acquireSystemLock, type LockHolder } from './lock.js';
import { pathInSystem } from './paths.js';
import { interruptedRuns, removeLeftoverTemps, runSummaries, type RunSummary } from './runs.js';
import { osFailure, readIfExists, sha256 } from '../fsx.js';

export interface StepOutcome {
  id: string;
  status: 'applied' | 'unchanged' | 'failed' | 'not-run';
  verified?: boolean;
  detail?: Message;
  /** The exit code a failed step asks for when it is not 1 (2: bad input or an OS error the admin can fix). */
  exitCode?: number;
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

/** What a job reports while it runs, besides its journal: progress, and notices (a lock waited for, a run found interrupted). */
export interface JobHooks {
  /** Progress of a step's long operations (service wait…). */
  onProgress?: (step: string, m: Message) => void;
  /** Notices for the person running the job. */
  onNotice?: (m: Message) => void;
}

/** Validates a plan read from a file (the elevated helper never trusts its input). */
export function parsePlan(file: string, text: string): Plan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail('plan.notJson', msg('plan.notJson', { file, detail: (e as Error).message.slice(0, 200) }), {
      exit: ExitCode.badInput,
    });
  }
  const r = PlanSchema.safeParse(json);
  if (!r.success) {
    throw fail(
      'plan.invalid',
      msg('plan.invalid', {
        file,
        detail: r.error.issues
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')
          .slice(0, 400),
      }),
      { exit: ExitCode.badInput },
    );
  }
  return r.data;
}

/** Refuses a plan made for another system, naming paths outside it, or whose bytes do not match their hash. */
function checkPlanShape(sys: SystemContext, plan: Plan): void {
  if (plan.os !== sys.os || plan.root !== sys.root) {
    throw fail('apply.otherSystem', msg('apply.otherSystem', { planRoot: plan.root, root: sys.root }), {
      exit: ExitCode.badInput,
    });
  }
  for (const step of plan.steps) for (const c of step.changes) if (c.kind === 'file') pathInSystem(sys, c.path, 'plan');
}

function staleAction(step: string, action: string): DsaError {
  return fail('apply.staleAction', msg('apply.staleAction', { path: `[${step}] ${action}` }), {
    remedy: msg('apply.stalePlanRemedy'),
  });
}

/** Plans every step again and refuses (exit 1, naming the action) when an action differs from the reviewed one. */
async function checkPlanFresh(sys: SystemContext, plan: Plan): Promise<void> {
  for (const sp of plan.steps) {
    const fresh = await planStep(sys, sp.id, sp.input);
    for (const c of sp.changes) {
      if (c.kind !== 'file' || c.action === 'delete') continue;
      const now = await readIfExists(sys.path(c.path), { root: sys.root });
      if ((now ? sha256(now) : null) !== c.beforeSha) continue; // named below, as a file that changed
      if (sha256(applyEdit(now ?? Buffer.alloc(0), c.edit ?? { at: 0, remove: 0 })) !== c.afterSha)
        throw staleAction(sp.id, describeAction(c));
    }
    const d = firstDifference(sp.changes, fresh.changes);
    if (d?.reviewed?.kind === 'file') {
      const now = await readIfExists(sys.path(d.reviewed.path), { root: sys.root });
      if ((now ? sha256(now) : null) !== d.reviewed.beforeSha)
        throw fail('apply.stalePlan', msg('apply.stalePlan', { path: d.reviewed.path }), {
          remedy: msg('apply.stalePlanRemedy'),
        });
    }
    if (d) throw staleAction(sp.id, describeAction((d.reviewed ?? d.fresh)!));
    if (fresh.upToDate !== sp.upToDate || !!fresh.blocked !== !!sp.blocked) throw staleAction(sp.id, sp.id);
  }
}

/** A stale-plan error naming the job that changed the system after the plan was made, when a run says so. */
function staleBy(sys: SystemContext, plan: Plan, e: unknown): unknown {
  if (!(e instanceof DsaError) || (e.code !== 'apply.stalePlan' && e.code !== 'apply.staleAction')) return e;
  const since = runSummaries(sys).filter((r) => r.lastAt >= plan.createdAt && r.changed);
  const by = since[since.length - 1];
  if (!by) return e;
  return fail(
    e.code,
    msg('apply.staleBy', {
      what: String(e.info.message.params.path),
      command: by.job,
      pid: orUnknown(by.pid),
      started: by.startedAt,
      run: by.runId,
    }),
    { remedy: msg('apply.stalePlanRemedy') },
  );
}

/**
 * What every job that changes the system does first, holding the lock: say which runs were interrupted
 * (killed, or the machine went down) and remove the temp files they left.
 */
export async function noticeInterrupted(sys: SystemContext, notice: (m: Message) => void): Promise<RunSummary[]> {
  const runs = interruptedRuns(sys);
  for (const r of runs) notice(msg('apply.interruptedRun', { run: r.runId, started: r.startedAt }));
  for (const f of await removeLeftoverTemps(sys, runs)) notice(msg('apply.tempRemoved', { file: f }));
  return runs;
}

/**
 * Runs a job that changes the system holding its lock: tells when the lock was waited for or taken over from
 * a dead job, says which runs were interrupted and removes the temp files they left, then runs `fn`.
 */
export async function withSystemLock<T>(
  sys: SystemContext,
  job: string,
  onNotice: ((m: Message) => void) | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const notice = onNotice ?? (() => undefined);
  const params = (h: LockHolder) => ({ pid: h.pid, command: h.command, started: h.startedAt });
  // A full disk or a read-only mount met by the lock, the journal or a step is the admin's to fix (exit 2).
  const lock = await acquireSystemLock(sys, job, { onWait: (h) => notice(msg('lock.waiting', params(h))) }).catch(
    async (e: unknown) => {
      throw await osFailure(e, sys.stateDir);
    },
  );
  try {
    if (lock.tookOverFrom) notice(msg('lock.tookOver', params(lock.tookOverFrom)));
    await noticeInterrupted(sys, notice);
    return await fn();
  } catch (e) {
    throw await osFailure(e, sys.stateDir);
  } finally {
    lock.release();
  }
}

/**
 * Applies a plan, holding the system's lock: plans every step again and refuses a plan whose actions no
 * longer match; then executes exactly the plan's actions, each journaled before it runs, and reads each
 * step back. Stops at the first failing step (what was applied stays revertable). A plan with nothing to
 * do creates no run.
 */
export async function applyPlan(
  sys: SystemContext,
  plan: Plan,
  opts: { secrets?: string[] } & JobHooks = {},
): Promise<ApplyOutcome> {
  const inputs = stepsToRun(sys, plan);
  if (!inputs) return unchangedOutcome(plan);
  return withSystemLock(sys, 'apply', opts.onNotice, async () => {
    await checkPlanFresh(sys, plan).catch((e: unknown) => {
      throw staleBy(sys, plan, e);
    });
    return execute(sys, plan, inputs, opts);
  });
}

/**
 * `apply --yes` without a plan file: plans holding the system's lock and executes that same plan without
 * planning a second time, since no other job can change the system in between (they wait for the lock) and
 * every file action is still checked against its hash as it runs. `show` prints the plan before anything runs.
 * Returns the plan, and the outcome (null when there was nothing to do). A plan a person reviews and confirms
 * takes `applyPlan`, which plans again after the wait.
 */
export async function planAndApply(
  sys: SystemContext,
  makePlan: () => Promise<Plan>,
  show: (plan: Plan) => void,
  opts: { secrets?: string[] } & JobHooks = {},
): Promise<{ plan: Plan; outcome: ApplyOutcome | null }> {
  return withSystemLock(sys, 'apply', opts.onNotice, async () => {
    const plan = await makePlan();
    const inputs = stepsToRun(sys, plan);
    show(plan);
    return { plan, outcome: inputs ? await execute(sys, plan, inputs, opts) : null };
  });
}

/**
 * The validated input of every step that has something to do, by step id, or null when none has: a plan for
 * another system, a path outside it or a bad step input is refused before anything is written (no run).
 */
function stepsToRun(sys: SystemContext, plan: Plan): Map<string, unknown> | null {
  checkPlanShape(sys, plan);
  const todo = plan.steps.filter((s) => !s.upToDate);
  return todo.length ? new Map(todo.map((s) => [s.id, stepInput(s.id, s.input)])) : null;
}

/** The outcome of a plan with nothing to do: every step unchanged, no run. */
function unchangedOutcome(plan: Plan): ApplyOutcome {
  return {
    runId: null,
    journalDir: null,
    ok: true,
    rebootRequired: false,
    steps: plan.steps.map((s) => ({ id: s.id, status: 'unchanged' })),
  };
}

/** Appends an event when the journal can still be written (after a failure that may be the journal's own). */
function appendIfPossible(journal: Journal, event: JournalEvent): void {
  try {
    journal.append(event);
  } catch {
    // Already reported as the step's error; revert reads the intents that were written.
  }
}

async function execute(
  sys: SystemContext,
  plan: Plan,
  inputs: Map<string, unknown>,
  opts: { secrets?: string[] } & JobHooks,
): Promise<ApplyOutcome> {
  const secrets = opts.secrets ?? [];
  const journal = Journal.create(sys);
  // The journal keeps the plan without the bytes to write (the backups hold what revert needs).
  const kept = {
    ...plan,
    steps: plan.steps.map((s) => ({
      ...s,
      changes: s.changes.map((c) => (c.kind === 'file' ? { ...c, edit: undefined } : c)),
    })),
  };
  journal.writeJson('plan.json', redactJson(kept, secrets));
  journal.append({
    type: 'run.start',
    runId: journal.runId,
    root: sys.root,
    steps: plan.steps.filter((s) => !s.upToDate).map((s) => s.id),
    job: 'apply',
  });
  const outcomes: StepOutcome[] = [];
  let failed = false;
  let n = 0;
  for (const sp of plan.steps) {
    if (failed) {
      outcomes.push({ id: sp.id, status: 'not-run' });
      continue;
    }
    if (sp.upToDate) {
      appendIfPossible(journal, { type: 'step.skipped', step: sp.id });
      outcomes.push({ id: sp.id, status: 'unchanged' });
      continue;
    }
    const step = findStep(sp.id)!;
    // This job's progress goes to its own journal (the app and the elevated path read it) and to its caller.
    const progress = (m: Message): void => {
      journal.append({ type: 'step.progress', step: sp.id, key: m.key, params: m.params });
      opts.onProgress?.(sp.id, m);
    };
    try {
      // Inside: a journal that cannot be written (a full disk) fails this step, and the outcome still names the
      // run whose earlier steps are to revert.
      journal.append({ type: 'step.start', step: sp.id, ...(sp.revertNeedsReboot ? { revertNeedsReboot: true } : {}) });
      for (const action of sp.changes)
        await runAction({ sys, journal, step: sp.id, n: ++n, secrets, progress }, action);
      if (sp.blocked) throw new DsaError(sp.blocked);
      const v = await step.verify(sys, inputs.get(sp.id));
      journal.append({ type: 'step.done', step: sp.id, verified: v.ok, detail: v.detail });
      outcomes.push({ id: sp.id, status: 'applied', verified: v.ok, detail: v.detail });
    } catch (raw) {
      const e = await osFailure(raw, journal.dir);
      const error = describeError(e, 'apply');
      // The journal itself may be what failed (a full disk): the outcome is still told, with the run to revert.
      appendIfPossible(journal, { type: 'step.failed', step: sp.id, error });
      // An OS error the admin can fix (immutable file, read-only mount, disk full) keeps its exit code (2).
      const exitCode = e instanceof DsaError ? e.exitCode : ExitCode.failed;
      outcomes.push({ id: sp.id, status: 'failed', error, ...(exitCode !== ExitCode.failed ? { exitCode } : {}) });
      failed = true;
    }
  }
  const ok = !failed && outcomes.every((o) => o.verified !== false);
  const rebootRequired = !failed && plan.rebootRequired;
  appendIfPossible(journal, { type: 'run.done', ok, rebootRequired });
  return { runId: journal.runId, journalDir: journal.dir, ok, rebootRequired, steps: outcomes };
}
