import { rm } from 'node:fs/promises';
import { fail, DsaError, ExitCode, type ErrorInfo } from '../errors.js';
import { ErrorInfoSchema } from '../errorInfo.js';
import { msg, type Message } from '../message.js';
import type { StampedEvent } from '../engine/journal.js';
import { redactText } from '../secrets.js';
import { privateJobDir, writeArgsFile } from './argsFile.js';
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

/** How long an elevated job may run (install, activation with its contact wait) before the window stops waiting. */
export const ELEVATED_JOB_TIMEOUT_MS = 30 * 60_000;

/** How the shell raises rights: the app's own CLI run once through @vscode/sudo-prompt. */
export interface ElevationService {
  /** The Electron binary (run in node mode) and the CLI script inside the app. */
  execPath: string;
  cliPath: string;
  sudoExec: SudoPromptExec;
  /** Default: look for a graphical polkit agent (Linux). */
  hasPolkitAgent?: () => Promise<boolean>;
}

export interface ElevatedJobOptions {
  /** What the elevated CLI reads from the args file (`dsa-setup job --args FILE`). */
  args: unknown;
  /** Absent: this shell cannot raise rights, and the job fails with the manual command. */
  elevation?: ElevationService;
  /** Where the job's runs appear (the journal), followed for progress. */
  runsDir: string;
  /** Each journal event of the job's run as it is written. */
  onEvent?: (e: StampedEvent) => void;
  /** Whether a new run is this job's, by its first event (another job may journal at the same time). */
  acceptRun?: (first: StampedEvent) => boolean;
  /**
   * Whether the job journals a run of its own (default true). A revert writes into the run it undoes, so no
   * new run tells that it started: its failure without a result is never "failed before it started".
   */
  newRun?: boolean;
  /** The caller's cancel; the job's own deadline is added to it. */
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * The command a person runs instead (`sudo dsa-setup … apply --plan FILE`), quoted and copyable, with the
   * translation keys that say why; called only when no prompt is possible.
   */
  manual: () => Promise<ManualCommand>;
  platform?: NodeJS.Platform;
  workDir?: string;
  pollMs?: number;
}

/** The command to run by hand and how to say so. */
export interface ManualCommand {
  command: string;
  message: Message;
  /** Where to run it (a terminal with sudo; on Windows an administrator terminal), naming the command. */
  remedy: Message;
}

export interface ElevatedJobResult {
  /** The one JSON document the elevated CLI printed (null when it printed none, e.g. sudo-prompt lost it). */
  output: unknown;
  /** The run(s) the job journaled. */
  runIds: string[];
  events: StampedEvent[];
}

/** Why the job needs the command run by hand: no way to ask, no polkit agent, or the system refused the prompt. */
export type ManualReason = 'noPolkit' | 'noElevation' | 'refused';

/** pkexec's exit status when the caller is not authorized or authorization failed (126: the dialog was dismissed). */
const PKEXEC_NOT_AUTHORIZED = 127;

/** The error that carries the manual command (exit 3); `reason` says why no prompt was possible. */
export function manualError(m: ManualCommand, reason: ManualReason): DsaError {
  return fail('elevation.manual', msg(m.message.key, { ...m.message.params, command: m.command, reason }), {
    remedy: m.remedy,
    exit: ExitCode.needsAdmin,
  });
}

function jobError(code: string, params: Record<string, string | number> = {}, remedy?: Message): DsaError {
  return fail(`elevation.${code}`, msg(`elevation.${code}`, params), {
    ...(remedy ? { remedy } : {}),
    exit: code === 'cancelled' ? ExitCode.needsAdmin : ExitCode.failed,
  });
}

/** Reads the one JSON document `--json` printed; `{ok:false, error}` comes back as the error. */
function parseOutput(stdout: string): { value?: unknown; error?: ErrorInfo } {
  const text = stdout.trim();
  if (!text.startsWith('{')) return {};
  try {
    const j = JSON.parse(text) as { ok?: unknown; error?: unknown };
    const error = j.ok === false ? ErrorInfoSchema.safeParse(j.error) : null;
    if (error?.success) return { error: error.data };
    return { value: j };
  } catch {
    return {};
  }
}

/**
 * The one elevated-job mechanism (apply, activate, any later job): the job's arguments go into a 0600 args
 * file created exclusively in a private temp directory, the app's own CLI runs once elevated
 * (`<electron> <cli> job --args FILE --json`, ELECTRON_RUN_AS_NODE=1, through sudo-prompt), progress is read
 * from the run's journal as it grows, and the directory is removed in finally. One deadline and cancel
 * policy: `timeoutMs` (default 30 min) combined with the caller's signal. A cancelled prompt, no polkit agent
 * and a failed run are DsaErrors; the journal tells a cancel from a failure (sudo-prompt may say the same).
 */
export async function runElevatedJob(o: ElevatedJobOptions): Promise<ElevatedJobResult> {
  const platform = o.platform ?? process.platform;
  const el = o.elevation;
  if (!el) throw manualError(await o.manual(), 'noElevation');
  if (platform === 'linux' && !(await (el.hasPolkitAgent ?? (() => hasGraphicalPolkitAgent()))()))
    throw manualError(await o.manual(), 'noPolkit');
  const timeoutMs = o.timeoutMs ?? ELEVATED_JOB_TIMEOUT_MS;
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(o.signal ? [o.signal] : [])]);
  const dir = await privateJobDir(o.workDir);
  const watcher = watchNewRuns(o.runsDir, {
    ...(o.onEvent ? { onEvent: (e: StampedEvent) => o.onEvent!(e) } : {}),
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
    ...(o.acceptRun ? { accept: o.acceptRun } : {}),
  });
  let stopped: StampedEvent[] | null = null;
  const stop = async (): Promise<StampedEvent[]> => (stopped ??= await watcher.stop());
  try {
    const file = await writeArgsFile(dir, o.args);
    const command = sudoPromptCommand([el.execPath, el.cliPath, 'job', '--args', file, '--json'], platform);
    const r = await new Promise<{ error?: Error; stdout: string; stderr: string }>((resolve, reject) => {
      // A cancel once the run has started stops the waiting, not the run: never "nothing was changed" then.
      const onAbort = () =>
        reject(
          signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError'
            ? jobError('timedOut', { minutes: Math.round(timeoutMs / 60_000) }, msg('elevation.timedOutRemedy'))
            : watcher.runIds().length
              ? jobError('stoppedWaiting', { run: watcher.runIds().join(', ') }, msg('elevation.timedOutRemedy'))
              : jobError('cancelled', {}, msg('elevation.cancelledRemedy')),
        );
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      el.sudoExec(command, { name: 'DSA Setup', env: { ELECTRON_RUN_AS_NODE: '1' } }, (error, stdout, stderr) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ ...(error ? { error } : {}), stdout: String(stdout ?? ''), stderr: String(stderr ?? '') });
      });
    });
    const events = await stop();
    const runIds = watcher.runIds();
    const parsed = parseOutput(r.stdout);
    if (parsed.error) throw new DsaError(parsed.error);
    if (parsed.value !== undefined) return { output: parsed.value, runIds, events };
    // The run started (its journal exists), so whatever sudo-prompt said, this was not a cancel.
    if (runIds.length) return { output: null, runIds, events };
    if (r.error?.message === SUDO_NO_POLKIT_AGENT) throw manualError(await o.manual(), 'noPolkit');
    // pkexec refused (exit 127: "Not authorized", no session for the agent, not setuid root): not the admin's
    // cancel, and asking again will not help; the command never ran, so the way on is a terminal with sudo.
    if (r.error?.message === SUDO_PERMISSION_DENIED && (r.error as { code?: unknown }).code === PKEXEC_NOT_AUTHORIZED)
      throw manualError(await o.manual(), 'refused');
    if (r.error?.message === SUDO_PERMISSION_DENIED) throw jobError('cancelled', {}, msg('elevation.cancelledRemedy'));
    const detail =
      redactText(`${r.error?.message ?? ''} ${r.stderr}`)
        .trim()
        .slice(-500) || '-';
    // "Before it started" only when the journal was seen and the job would have written a run there.
    if (o.newRun === false || watcher.blind())
      throw jobError('unknownOutcome', { detail }, msg('elevation.unknownOutcomeRemedy'));
    throw jobError('failed', { detail });
  } finally {
    await stop();
    await rm(dir, { recursive: true, force: true });
  }
}
