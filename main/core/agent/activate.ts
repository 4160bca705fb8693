import { fail } from '../errors.js';
import { msg, type Message, type MessageParam } from '../message.js';
import { statusValue, orUnknown } from '../statusValues.js';
import { Journal } from '../engine/journal.js';
import type { ExecResult } from '../exec.js';
import { inspectSystem } from '../platform/inspect.js';
import { redactArgv, redactText } from '../secrets.js';
import type { SystemContext } from '../system.js';
import { classifyActivation, activationOutcome, type ActivationOutcome } from './activationFailure.js';
import { buildActivationArgs, buildResetArgs, requestSecrets, type ActivationRequest } from './activationArgs.js';
import { activationFromStatus, dsaQuery, queryAgentState, type AgentState } from './agentState.js';
import { agentTool, runAgentCommand } from './agentTools.js';
import { sleep, type Progress } from '../progress.js';
import { parseEndpoint } from '../inputs/hostPort.js';
import { isSameManager, resolveNames, type ResolvedNames } from './managerIdentity.js';
import { checkManager, managerUnreachable, type ManagerCheckOptions } from './managerCheck.js';
import { activationRemedy, explainWithDoctor } from './activationFailure.js';
import { managerFlavour, type ManagerFlavour } from '../openings.js';
import { platformKind, type PlatformKind } from '../platformText.js';
import type { DoctorResult } from '../doctor/types.js';

export interface ActivateOptions {
  /**
   * Run `dsa_control -r` first when the agent is already activated or bound elsewhere — only after the doctor's
   * checks reached the new manager (a refusal leaves the current activation alone).
   */
  reset: boolean;
  /** Reset even when the new manager cannot be reached from here (the admin knows better). */
  forceReset?: boolean;
  /** How the doctor runs: before a reset (always), and after a failure (when `doctorOnFailure`). */
  check?: ManagerCheckOptions;
  /** After a failure, run the doctor's checks for this manager and add its verdict to the result. */
  doctorOnFailure?: boolean;
  /** Further attempts after a failure worth retrying. */
  retries: number;
  /** Delay before the first retry; doubles each time (capped at 10 minutes). */
  retryDelaySec: number;
  /** Limit for one `dsa_control` run. */
  timeoutSec: number;
  /** How long to wait, after success, for the agent to be activated and in contact with the manager. */
  contactWaitSec: number;
  /** Poll interval while waiting for contact (default 2 s). */
  pollMs?: number;
  /** Where this activation's progress goes (besides its journal). */
  progress?: Progress;
  /** The run's deadline: aborting kills a running dsa_control / dsa_query (its whole process group) at once. */
  signal?: AbortSignal;
}

/** A problem with the agent's identity found before activating. */
export interface IdentityProblem {
  kind: 'alreadyActivated' | 'otherManager' | 'clonedImage';
  params: Record<string, string>;
}

export interface ActivationAttempt {
  n: number;
  reason: ActivationOutcome['reason'];
  exitCode: number | null;
  timedOut: boolean;
  ms: number;
  detail: string;
  /** The agent's whole output (stdout, then stderr), secrets masked. */
  output: string;
}

export interface ActivateResult {
  ok: boolean;
  runId: string;
  journalDir: string;
  manager: string;
  hostname: ActivationRequest['hostname'];
  identity: IdentityProblem[];
  reset: boolean;
  /** The platform and manager flavour the texts are worded for. */
  platform: PlatformKind;
  flavour: ManagerFlavour;
  /** What to do after a failure, worded for the platform and the manager (null on success). */
  remedy: Message | null;
  /** The manager the agent was activated with before this run (recorded before any reset), or null. */
  previousManager: string | null;
  attempts: ActivationAttempt[];
  outcome: ActivationOutcome;
  /** After success: activated and in contact with the manager within the wait. */
  contact: {
    reached: boolean;
    waitedMs: number;
    state: Pick<AgentState, 'activated' | 'agentState' | 'dsmUrl'>;
  } | null;
  /** The doctor's checks for this manager after a failure (null on success or without `doctorOnFailure`). */
  doctor: DoctorResult | null;
}

/** Masks an argument array for journals and output: `-p` / `-u` values, token and tenant ID, known secret values. */
export function maskArgs(args: readonly string[], secrets: readonly string[]): string[] {
  return redactArgv('dsa_control', args, secrets);
}

/**
 * What stands in the way of activating this agent for this manager and host name (see IdentityProblem). "Another
 * manager" only when isSameManager says so — the agent reports the endpoint it talks to, not the activation URL.
 */
export function identityProblems(
  state: AgentState,
  req: ActivationRequest,
  thisHost: string | null,
  resolved?: ResolvedNames,
): IdentityProblem[] {
  const out: IdentityProblem[] = [];
  if (!state.activated) return out;
  const want = `${req.manager.host}:${req.manager.port}`;
  if (state.dsmUrl && isSameManager(state.dsmUrl, req.manager, resolved ? { resolved } : {}) === false)
    out.push({ kind: 'otherManager', params: { url: state.dsmUrl, manager: want } });
  else out.push({ kind: 'alreadyActivated', params: { url: state.dsmUrl ?? want } });
  const registered = state.registeredHostname;
  if (registered && thisHost && registered.toLowerCase() !== thisHost.toLowerCase())
    out.push({ kind: 'clonedImage', params: { registered, host: thisHost } });
  return out;
}

/**
 * Activates the agent: checks its identity (already activated, bound to another manager, registered under
 * another host name), resets it with `dsa_control -r` when asked, runs `dsa_control -a` with retries and
 * backoff, maps the result to a reason, and after success polls `dsa_query` until the agent is activated and
 * in contact. Every command is journaled with secrets masked. Throws (exit 1) when identity problems stand
 * and `reset` is off; the agent must be installed and running.
 */
export async function activateAgent(
  sys: SystemContext,
  req: ActivationRequest,
  opts: ActivateOptions,
): Promise<ActivateResult> {
  const secrets = requestSecrets(req);
  const state = await queryAgentState(sys);
  if (state.installed === false)
    throw fail('agent.activate.notInstalled', msg('agent.activate.notInstalled'), {
      remedy: msg(
        sys.os === 'windows' ? 'agent.activate.notInstalledRemedyWindows' : 'agent.activate.notInstalledRemedy',
      ),
    });
  const ins = await inspectSystem(sys);
  const thisHost = ins.hostname;
  const platform = platformKind(ins.os);
  const flavour = managerFlavour(
    req.manager,
    req.args.some((a) => a.key === 'tenantID'),
  );
  const reported = state.activated && state.dsmUrl ? parseEndpoint(state.dsmUrl)?.host : undefined;
  const resolved = reported && sys.live ? await resolveNames([reported, req.manager.host]) : undefined;
  const identity = identityProblems(state, req, thisHost, resolved);
  if (identity.length && !opts.reset && !opts.forceReset) {
    const first = identity.find((p) => p.kind !== 'alreadyActivated') ?? identity[0]!;
    const key = `agent.activate.identity.${first.kind}`;
    const params = {
      ...Object.assign({}, ...identity.map((p) => p.params)),
      ...first.params,
      all: identity.map((p) => p.kind).join(','),
    };
    // Cloud One has no order form: its own wording where Cloudn's speaks of the name registered in the order.
    const cloudOne = first.kind === 'clonedImage' && flavour === 'cloud-one' ? 'CloudOne' : '';
    throw fail(key, msg(key, params), { remedy: msg(`${key}Remedy${cloudOne}`) });
  }

  const previousManager = state.activated ? (state.dsmUrl ?? null) : null;
  const willReset = identity.length > 0 && (opts.reset || opts.forceReset === true);
  if (willReset && !opts.forceReset) {
    // A reset toward a manager this machine cannot reach would leave a working agent deactivated.
    opts.progress?.(msg('agent.activate.checkingManager', { manager: `${req.manager.host}:${req.manager.port}` }));
    const d = await checkManager(sys, req, {
      lang: opts.check?.lang ?? 'en',
      ...opts.check,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (managerUnreachable(d))
      throw fail(
        'agent.activate.resetRefused',
        msg('agent.activate.resetRefused', {
          was: orUnknown(previousManager),
          manager: `${req.manager.host}:${req.manager.port}`,
          check: d.verdict?.check ?? '',
          cause: d.verdict?.causeRef ?? '',
        }),
        { remedy: msg('agent.activate.resetRefusedRemedy', { remedy: d.verdict?.remedyRef ?? '' }) },
      );
  }

  const journal = Journal.create(sys);
  journal.append({ type: 'run.start', runId: journal.runId, root: sys.root, steps: ['activate'] });
  journal.append({ type: 'step.start', step: 'activate' });
  const mask = (s: string): string => redactText(s, secrets);
  // This job's progress goes to its own journal and to its caller only.
  const reportProgress = (key: string, params: Record<string, MessageParam>): void => {
    journal.append({ type: 'step.progress', step: 'activate', key, params });
    opts.progress?.(msg(key, params));
  };
  const run = async (args: string[]): Promise<ExecResult> => {
    const c = agentTool(sys, 'dsa_control', args);
    // A hard limit: the executor kills dsa_control's whole process group (TERM, then KILL) at the timeout.
    const r = await runAgentCommand(sys, c, {
      timeoutMs: opts.timeoutSec * 1000,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    journal.append({
      type: 'command',
      step: 'activate',
      command: c.command,
      args: maskArgs(args, secrets),
      exitCode: r.exitCode,
      timedOut: r.timedOut,
      stdout: mask(r.stdout.slice(-16_384)),
      stderr: mask(r.stderr.slice(-16_384)),
    });
    return r;
  };

  const attempts: ActivationAttempt[] = [];
  let outcome: ActivationOutcome | null = null;
  let didReset = false;
  if (willReset) {
    reportProgress('agent.activate.resetting', { was: orUnknown(previousManager) });
    const r = await run(buildResetArgs(req));
    const o = classifyActivation(r);
    if (!o.ok) outcome = o;
    didReset = o.ok;
  }
  if (!outcome && state.service !== 'running' && state.service !== 'unknown')
    outcome = activationOutcome('agentNotRunning', `ds_agent: ${state.service}`);
  if (!outcome) {
    const args = buildActivationArgs(req);
    for (let n = 1; ; n++) {
      reportProgress('agent.activate.attempt', {
        n,
        of: opts.retries + 1,
        manager: `${req.manager.host}:${req.manager.port}`,
      });
      const r = await run(args);
      outcome = classifyActivation(r);
      attempts.push({
        n,
        reason: outcome.reason,
        exitCode: r.exitCode,
        timedOut: r.timedOut,
        ms: r.ms,
        detail: mask(outcome.detail),
        output: mask(agentOutput(r)),
      });
      if (outcome.ok || !outcome.retryable || n > opts.retries) break;
      const delay = Math.min(opts.retryDelaySec * 2 ** (n - 1), 600);
      reportProgress('agent.activate.retrying', { seconds: delay, n: n + 1, of: opts.retries + 1 });
      await sleep(delay * 1000);
    }
  }
  outcome = { ...outcome, detail: redactText(outcome.detail, secrets) };

  let contact: ActivateResult['contact'] = null;
  if (outcome.ok) {
    const started = Date.now();
    for (;;) {
      // Only the agent's own status is polled here: the package and the service were checked before activating.
      const rec = await dsaQuery(sys, 'GetAgentStatus', opts.signal);
      const s = rec ? activationFromStatus(rec) : { activated: null, inContact: null };
      const waitedMs = Date.now() - started;
      const st = {
        activated: s.activated,
        ...(s.agentState ? { agentState: s.agentState } : {}),
        ...(s.dsmUrl ? { dsmUrl: s.dsmUrl } : {}),
      };
      if (s.activated && s.inContact) {
        contact = { reached: true, waitedMs, state: st };
        break;
      }
      if (waitedMs >= opts.contactWaitSec * 1000) {
        contact = { reached: false, waitedMs, state: st };
        break;
      }
      reportProgress('agent.activate.waitingContact', {
        seconds: Math.round(waitedMs / 1000),
        max: opts.contactWaitSec,
      });
      await sleep(opts.pollMs ?? 2_000);
    }
  }
  const ok = outcome.ok && contact?.reached === true;
  let doctor: DoctorResult | null = null;
  if (!outcome.ok && opts.doctorOnFailure) {
    reportProgress('agent.activate.runningDoctor', { checks: outcome.doctorChecks.join(', ') });
    doctor = await checkManager(sys, req, { lang: opts.check?.lang ?? 'en', ...opts.check }, outcome.doctorChecks);
    // The message and the checks agree: a path the doctor found open is not blamed.
    outcome = explainWithDoctor(outcome, doctor);
  }
  if (ok)
    journal.append({
      type: 'step.done',
      step: 'activate',
      verified: true,
      detail: msg('agent.activate.done', { manager: `${req.manager.host}:${req.manager.port}` }),
    });
  else
    journal.append({
      type: 'step.failed',
      step: 'activate',
      error: {
        code: `agent.activate.${outcome.ok ? 'noContact' : outcome.reason}`,
        message: outcome.ok
          ? msg('agent.activate.noContact', {
              seconds: Math.round((contact?.waitedMs ?? 0) / 1000),
              state: statusValue(contact?.state.agentState),
            })
          : outcome.message,
      },
    });
  journal.append({ type: 'run.done', ok, rebootRequired: false });
  return {
    ok,
    runId: journal.runId,
    journalDir: journal.dir,
    manager: `${req.manager.host}:${req.manager.port}`,
    hostname: req.hostname,
    identity,
    reset: didReset,
    platform,
    flavour,
    remedy: outcome.ok
      ? null
      : activationRemedy(outcome, { platform, flavour, manager: `${req.manager.host}:${req.manager.port}` }),
    previousManager,
    attempts,
    outcome,
    contact,
    doctor,
  };
}

/** The agent's whole answer: stdout, then stderr, without trailing blank lines (the journal keeps the last 16 KiB). */
export function agentOutput(r: { stdout: string; stderr: string }): string {
  return [r.stdout, r.stderr]
    .map((s) => s.replace(/\s+$/, ''))
    .filter(Boolean)
    .join('\n')
    .slice(-16_384);
}
