import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DsaError, ExitCode, type ErrorInfo } from '../errors.js';
import { applyPlan, type ApplyOutcome } from '../engine/apply.js';
import { planIsEmpty } from '../engine/plan.js';
import { runsDir, type StampedEvent } from '../engine/journal.js';
import { isAdmin, type SystemContext } from '../system.js';
import { redactText } from '../secrets.js';
import type { Plan } from '../steps/types.js';
import { sudoPromptCommand } from './commandLine.js';
import { watchNewRuns } from './journalTail.js';
import { hasGraphicalPolkitAgent } from './polkit.js';

/** The shape of `@vscode/sudo-prompt`'s `exec` (injected, so tests use a stand-in). */
export type SudoPromptExec = (
  command: string,
  options: { name: string; env?: Record<string, string> },
  callback: (error?: Error, stdout?: string | Buffer, stderr?: string | Buffer) => void,
) => void;

/** sudo-prompt's messages (its API reports these as plain Error messages). */
export const SUDO_PERMISSION_DENIED = 'User did not grant permission.';
export const SUDO_NO_POLKIT_AGENT = 'No polkit authentication agent found.';

export interface ElevatedApplyOptions {
  sys: SystemContext;
  plan: Plan;
  /** The Electron binary (`process.execPath` in the app), run in node mode. */
  execPath: string;
  /** The app's CLI script (`out/main/cli.js` inside the app). */
  cliPath: string;
  sudoExec: SudoPromptExec;
  /** Progress: each journal event of the run as it is written. */
  onEvent?: (e: StampedEvent) => void;
  /** Default: this process is root / administrator. */
  isElevated?: () => Promise<boolean>;
  /** Default: a graphical polkit agent runs (Linux only). */
  hasPolkitAgent?: () => Promise<boolean>;
  /** Where the short-lived plan file goes (default: the OS temp dir). */
  workDir?: string;
  /** Where the plan is kept for a manual `sudo dsa-setup apply --plan FILE` (default: the OS temp dir). */
  keepDir?: string;
  /** The command name the user runs by hand (default `dsa-setup`). */
  cliName?: string;
  platform?: NodeJS.Platform;
  pollMs?: number;
}

export interface ElevatedApplyResult {
  outcome: ApplyOutcome;
  /** True when the run went through the elevation prompt (false: in process). */
  elevated: boolean;
  events: StampedEvent[];
}

const inFlight = new Set<string>();

async function writePlanFile(dir: string, plan: Plan): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `dsa-setup-plan-${randomBytes(6).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(plan, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return file;
}

function noAgentError(cliName: string, file: string, root: string | null): DsaError {
  const rootArg = root ? ` --root ${root}` : '';
  return new DsaError({
    code: 'prep.elevation.noPolkitAgent',
    messageKey: 'prep.elevation.noPolkitAgent',
    params: { command: `sudo ${cliName}${rootArg} apply --plan ${file}`, file },
    remedyKey: 'prep.elevation.noPolkitAgentRemedy',
    exitCode: ExitCode.needsAdmin,
  });
}

/** Reads the one JSON document `apply --json` printed: an outcome, or `{ok:false, error}`. */
function parseCliJson(stdout: string): { outcome?: ApplyOutcome; error?: ErrorInfo } {
  const text = stdout.trim();
  if (!text.startsWith('{')) return {};
  try {
    const j = JSON.parse(text) as Partial<ApplyOutcome> & { error?: ErrorInfo };
    if (j.error && typeof j.error.code === 'string') return { error: j.error };
    if (Array.isArray(j.steps) && typeof j.ok === 'boolean')
      return {
        outcome: {
          runId: j.runId ?? null,
          journalDir: j.journalDir ?? null,
          ok: j.ok,
          rebootRequired: Boolean(j.rebootRequired),
          steps: j.steps,
        },
      };
  } catch {
    // not the document; handled by the caller as "no result"
  }
  return {};
}

/** What the journal of a run says happened, when the elevated run printed nothing usable. */
function outcomeFromEvents(plan: Plan, runId: string, dir: string, events: StampedEvent[]): ApplyOutcome {
  const done = events.find((e) => e.type === 'run.done');
  const steps = plan.steps.map((s) => {
    const failed = events.find((e) => e.type === 'step.failed' && e.step === s.id);
    const ok = events.find((e) => e.type === 'step.done' && e.step === s.id);
    if (failed && failed.type === 'step.failed') return { id: s.id, status: 'failed' as const, error: failed.error };
    if (ok && ok.type === 'step.done')
      return { id: s.id, status: 'applied' as const, verified: ok.verified, detail: ok.detail };
    return { id: s.id, status: s.upToDate ? ('unchanged' as const) : ('not-run' as const) };
  });
  return {
    runId,
    journalDir: dir,
    ok: done?.type === 'run.done' ? done.ok : false,
    rebootRequired: done?.type === 'run.done' ? done.rebootRequired : false,
    steps,
  };
}

/**
 * Applies a plan with administrator rights from the unprivileged GUI: exactly one elevation prompt per plan
 * (`<electron> <cli> apply --plan FILE --yes --json` with ELECTRON_RUN_AS_NODE=1 through sudo-prompt); the
 * plan file (0600) is deleted in finally; progress comes from tailing the run's `events.jsonl`. Already
 * elevated: applies in process. A cancelled prompt, a missing polkit agent and a failed run are DsaErrors
 * (the journal tells a cancel from a failure, since sudo-prompt can report both the same way).
 */
export async function applyElevated(o: ElevatedApplyOptions): Promise<ElevatedApplyResult> {
  const { sys, plan } = o;
  const key = `${plan.createdAt}|${plan.root}|${plan.steps.map((s) => s.id).join(',')}`;
  if (inFlight.has(key))
    throw new DsaError({
      code: 'prep.elevation.busy',
      messageKey: 'prep.elevation.busy',
      params: {},
      exitCode: ExitCode.failed,
    });
  inFlight.add(key);
  const watcher = watchNewRuns(runsDir(sys), {
    ...(o.onEvent ? { onEvent: (e: StampedEvent) => o.onEvent!(e) } : {}),
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
  });
  let stopped: StampedEvent[] | null = null;
  const stop = async (): Promise<StampedEvent[]> => (stopped ??= await watcher.stop());
  try {
    if (planIsEmpty(plan) || (await (o.isElevated ?? (() => isAdmin(sys)))())) {
      const outcome = await applyPlan(sys, plan);
      return { outcome, elevated: false, events: await stop() };
    }
    const platform = o.platform ?? process.platform;
    const cliName = o.cliName ?? 'dsa-setup';
    const rootArgs = sys.live ? [] : ['--root', sys.root];
    if (platform === 'linux' && !(await (o.hasPolkitAgent ?? (() => hasGraphicalPolkitAgent()))())) {
      const kept = await writePlanFile(o.keepDir ?? tmpdir(), plan);
      throw noAgentError(cliName, kept, sys.live ? null : sys.root);
    }
    const dir = await mkdtemp(join(o.workDir ?? tmpdir(), 'dsa-setup-elevate-'));
    try {
      const file = await writePlanFile(dir, plan);
      const command = sudoPromptCommand(
        [o.execPath, o.cliPath, ...rootArgs, 'apply', '--plan', file, '--yes', '--json'],
        platform,
      );
      const r = await new Promise<{ error?: Error; stdout: string; stderr: string }>((resolve) => {
        o.sudoExec(command, { name: 'DSA Setup', env: { ELECTRON_RUN_AS_NODE: '1' } }, (error, stdout, stderr) =>
          resolve({ ...(error ? { error } : {}), stdout: String(stdout ?? ''), stderr: String(stderr ?? '') }),
        );
      });
      const events = await stop();
      const runId = watcher.runIds()[0] ?? null;
      const parsed = parseCliJson(r.stdout);
      if (parsed.outcome) return { outcome: parsed.outcome, elevated: true, events };
      if (runId) {
        // The run started (its journal exists), so whatever sudo-prompt said, this was not a cancel.
        return {
          outcome: outcomeFromEvents(plan, runId, join(runsDir(sys), runId), events),
          elevated: true,
          events,
        };
      }
      if (parsed.error) throw new DsaError({ ...parsed.error, exitCode: ExitCode.failed });
      if (r.error?.message === SUDO_NO_POLKIT_AGENT) {
        const kept = await writePlanFile(o.keepDir ?? tmpdir(), plan);
        throw noAgentError(cliName, kept, sys.live ? null : sys.root);
      }
      if (r.error?.message === SUDO_PERMISSION_DENIED)
        throw new DsaError({
          code: 'prep.elevation.cancelled',
          messageKey: 'prep.elevation.cancelled',
          params: {},
          remedyKey: 'prep.elevation.cancelledRemedy',
          exitCode: ExitCode.needsAdmin,
        });
      throw new DsaError({
        code: 'prep.elevation.failed',
        messageKey: 'prep.elevation.failed',
        params: {
          detail:
            redactText(`${r.error?.message ?? ''} ${r.stderr}`)
              .trim()
              .slice(-500) || '-',
        },
        exitCode: ExitCode.failed,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await stop();
    inFlight.delete(key);
  }
}
