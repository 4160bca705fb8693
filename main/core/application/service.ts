import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import pkg from '../../../package.json' with { type: 'json' };
import { activationRequest } from '../agent/activationRequest.js';
import { writeSupportBundle } from '../bundle/bundle.js';
import { doctorFixPlan } from '../doctor/fixPlan.js';
import { loadDoctorInputs } from '../doctor/inputs.js';
import { runDoctor } from '../doctor/runDoctor.js';
import type { DoctorInputs, DoctorResult } from '../doctor/types.js';
import type { ApplyOutcome } from '../engine/apply.js';
import { runsDir, type StampedEvent } from '../engine/journal.js';
import { buildPlan, planIsEmpty } from '../engine/plan.js';
import { pickRun, type AgentChoice, type RevertOutcome } from '../engine/revert.js';
import { runElevatedJob, type ElevationService, type ManualReason } from '../elevation/elevatedJob.js';
import { watchNewRuns } from '../elevation/journalTail.js';
import { fail, DsaError, ExitCode } from '../errors.js';
import { atomicWrite } from '../fsx.js';
import { readFleet } from '../fleet/read.js';
import { groupFleet } from '../fleet/group.js';
import { msg } from '../message.js';
import { translator, type Lang } from '../i18n.js';
import { inspectSystem } from '../platform/inspect.js';
import { renderHtml } from '../report/render.js';
import { registerProcessSecrets } from '../secrets.js';
import { stepRequests } from '../steps/requests.js';
import { optionsForChoices } from '../steps/registry.js';
import type { Plan } from '../steps/types.js';
import type { SystemContext } from '../system.js';
import type {
  ActivationView,
  ApplyView,
  DoctorView,
  FixPlanView,
  InputKind,
  InputSummary,
  PlanView,
  RevertPreviewView,
  SavedView,
  StepChoice,
} from '../ipc/contract.js';
import type { ActivationRun } from './activation.js';
import { SessionInputs } from './inputs.js';
import { revertPreview } from './revertPreview.js';
import { jobArgs, manualCommand, runJob, type Job, type JobOutput } from './jobs.js';
import type { JobContext } from './jobContext.js';
import { stepChoices } from './stepChoices.js';
import { activationView, applyView, doctorView, resultIn } from './views.js';

/** What the shell provides (Electron dialogs and elevation; stand-ins in tests; nothing in a headless run). */
export interface ShellServices {
  /** The open-file dialog for one input; null when canceled. */
  pickFile(kind: InputKind): Promise<string | null>;
  /** The save dialog for an export; null when canceled. */
  saveFile(defaultName: string): Promise<string | null>;
  /** The folder dialog for a folder of doctor results (the fleet view); absent or null: canceled. */
  pickFolder?(): Promise<string | null>;
  openExternal(url: string): Promise<void>;
  /** Shows a file in the system's file manager (absent: the shell cannot). */
  showInFolder?(path: string): void;
  /** Absent: this shell cannot raise rights, and jobs show the command to run instead. */
  elevation?: ElevationService;
  /** Whether this process already has administrator rights (then jobs run in process). */
  isAdmin(sys: SystemContext): Promise<boolean>;
  /** The OS language (the doctor's inputs are read in it). */
  lang(): Lang;
  /** The window switched to `lang`: the shell's own texts follow it (the Electron shell builds its menu again). */
  setLang?(lang: Lang): void;
}

/** Where `openExternal` may go: the vendor's documentation over https, nothing else. */
export const OPEN_EXTERNAL_ALLOWED = [
  'https://help.deepsecurity.trendmicro.com/',
  'https://cloudone.trendmicro.com/docs/',
  'https://success.trendmicro.com/',
] as const;

/** True when `url` is https and under one of the allowed documentation sites. */
export function isAllowedExternal(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && OPEN_EXTERNAL_ALLOWED.some((p) => u.href.startsWith(p));
  } catch {
    return false;
  }
}

/** The activation job's first journal event names the one step `activate`; an apply's never does. */
const isActivationRun = (e: StampedEvent): boolean =>
  e.type === 'run.start' && e.steps.length === 1 && e.steps[0] === 'activate';

/** What the journal of a run says happened, when the elevated run printed nothing usable. */
function outcomeFromEvents(plan: Plan, runId: string, dir: string, events: StampedEvent[]): ApplyOutcome {
  const done = events.find((e) => e.type === 'run.done');
  const steps = plan.steps.map((s) => {
    const failed = events.find((e) => e.type === 'step.failed' && e.step === s.id);
    const ok = events.find((e) => e.type === 'step.done' && e.step === s.id);
    if (failed && failed.type === 'step.failed') return { id: s.id, status: 'failed' as const, error: failed.error };
    if (ok && ok.type === 'step.done')
      return { id: s.id, status: 'applied' as const, verified: ok.verified, detail: ok.detail };
    // Started and never finished (the run was killed): it may have changed things, and nothing read them back.
    if (events.some((e) => e.type === 'step.start' && e.step === s.id))
      return {
        id: s.id,
        status: 'failed' as const,
        error: { code: 'elevation.stepInterrupted', message: msg('elevation.stepInterrupted', { run: runId }) },
      };
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

/** The reason a manual-command error carries, as the window names it. */
function manualReason(r: unknown): ManualReason {
  return r === 'noPolkit' || r === 'refused' ? r : 'noElevation';
}

/**
 * A job that printed no result: with no run of its own seen, nothing is known to have changed; with one, the run
 * stopped part-way, and its journal (revert can read it) is what is known.
 */
function noResult(runIds: string[]): DsaError {
  if (!runIds.length) return fail('elevation.noResult', msg('elevation.noResult'));
  return fail('elevation.interrupted', msg('elevation.interrupted', { run: runIds.join(', ') }), {
    remedy: msg('elevation.interruptedRemedy', { run: runIds[0]! }),
  });
}

/**
 * The application service: the session (inputs, plans, the last diagnosis) and the orchestration of every
 * verb (plan, apply, revert, activate, doctor, exports) over the core, for one system. The IPC handlers call
 * it after validating; the CLI runs the same jobs (`runJob`, `runActivation`). Results are untranslated.
 */
export function createAppService(sys: SystemContext, shell: ShellServices) {
  // What the CLI registers from its environment before anything prints: the proxy variables' credentials and
  // DSA_SETUP_AGENT_PASSWORD are masked in every reply, report and bundle of the app too.
  registerProcessSecrets([], sys.env);
  const inputs = new SessionInputs();
  const plans = new Map<string, Plan>();
  /** The one job (apply, revert, activate) this window runs at a time: a second one would follow the first's journal. */
  let running = false;
  /** The files this session exported: the only ones "open folder" shows. */
  const exportedFiles = new Set<string>();
  /** Keeps a built plan for review and `apply`, under a fresh id. */
  const keepPlan = (plan: Plan): PlanView => {
    const planId = randomBytes(8).toString('hex');
    plans.set(planId, plan);
    return { planId, os: plan.os, rebootRequired: plan.rebootRequired, steps: plan.steps };
  };
  let lastDoctor: { result: DoctorResult; inputs: DoctorInputs } | undefined;

  /** Runs every doctor check over the session's inputs; the result is kept for the exports. */
  const diagnose = async (): Promise<{ result: DoctorResult; inputs: DoctorInputs }> => {
    const di = await loadDoctorInputs(inputs.options(), shell.lang());
    lastDoctor = { result: await runDoctor(sys, di), inputs: di };
    return lastDoctor;
  };

  /** Runs `f` as the window's one job: refused while another runs (checked before it picks a plan or a run). */
  const oneJob = async <T>(f: () => Promise<T>): Promise<T> => {
    if (running) throw fail('elevation.busy', msg('elevation.busy'));
    running = true;
    try {
      return await f();
    } finally {
      running = false;
    }
  };

  /**
   * Runs one job with administrator rights: in process when this process has them, else the app's own CLI
   * once through the elevation prompt. Either way progress is read from the job's journal.
   */
  const execute = async (
    job: Job,
    ctx: JobContext,
    lang: Lang,
  ): Promise<{ output: JobOutput | null; runIds: string[]; events: StampedEvent[] }> => {
    const args = jobArgs(sys, lang, job);
    const acceptRun = (e: StampedEvent) => job.kind !== 'revert' && (job.kind === 'activate') === isActivationRun(e);
    const onEvent = (e: StampedEvent) => ctx.event?.(e);
    if (!(await shell.isAdmin(sys)) && !(job.kind === 'apply' && planIsEmpty(job.plan as Plan)))
      return (await runElevatedJob({
        args,
        ...(shell.elevation ? { elevation: shell.elevation } : {}),
        runsDir: runsDir(sys),
        // The elevated run's progress messages come from its journal (in process they come directly).
        onEvent: (e) => {
          onEvent(e);
          if (e.type === 'step.progress') ctx.progress(msg(e.key, e.params));
        },
        acceptRun,
        // A revert journals into the run it undoes, which the watcher cannot tell from an older write.
        newRun: job.kind !== 'revert',
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        manual: () => manualCommand(args),
      })) as { output: JobOutput | null; runIds: string[]; events: StampedEvent[] };
    const watcher = watchNewRuns(runsDir(sys), { onEvent, accept: acceptRun });
    try {
      const output = await runJob(sys, args, ctx);
      const events = await watcher.stop();
      return { output, runIds: watcher.runIds(), events };
    } finally {
      await watcher.stop();
    }
  };

  return {
    /** What the window shows about this app and machine. */
    async info() {
      return {
        version: pkg.version,
        lang: shell.lang(),
        platform: sys.os,
        root: sys.root,
        live: sys.live,
        admin: await shell.isAdmin(sys),
        canElevate: !!shell.elevation,
      };
    },
    inspect: () => inspectSystem(sys),
    /** A dropped text file, by its bytes. */
    parseInput: (kind: 'hosts' | 'activation', name: string, data: Buffer) => inputs.fromBytes(kind, name, data),
    /** Opens the file dialog for one input; null when canceled. */
    async pickInput(kind: InputKind): Promise<InputSummary | null> {
      const path = await shell.pickFile(kind);
      return path ? inputs.fromPath(kind, path) : null;
    },
    /** An input by its path on this machine. */
    loadInput: (kind: InputKind, path: string) => inputs.fromPath(kind, path),

    /** Plans the chosen steps (`selected` overrides the platform defaults); no step chosen: no plan. */
    async plan(selected: Record<string, boolean>): Promise<{ plan: PlanView | null; choices: StepChoice[] }> {
      const choices = await stepChoices(sys, inputs, selected);
      const requests = await stepRequests(optionsForChoices(choices, inputs));
      if (requests.length === 0) return { plan: null, choices };
      return { plan: keepPlan(await buildPlan(sys, requests)), choices };
    },

    /** Applies a reviewed plan as one job; without a way to raise rights, the view carries the command to run. */
    async apply(planId: string, ctx: JobContext, lang: Lang): Promise<ApplyView> {
      const plan = plans.get(planId);
      if (!plan) throw fail('ui.noPlan', msg('ui.apply.noPlan'), { exit: ExitCode.badInput });
      try {
        const r = await oneJob(() => execute({ kind: 'apply', plan }, ctx, lang));
        const runId = r.runIds[0];
        if (r.output) return applyView(r.output as ApplyOutcome);
        // The journal stands in for the result only when it is this job's one run: another apply started at the
        // same time (a terminal's) journals too, and its events are not this plan's.
        if (runId && r.runIds.length === 1)
          return applyView(outcomeFromEvents(plan, runId, join(runsDir(sys), runId), r.events));
        throw noResult(r.runIds);
      } catch (e) {
        if (e instanceof DsaError && e.code === 'elevation.manual')
          return {
            outcome: 'manual',
            runId: null,
            ok: false,
            rebootRequired: false,
            steps: [],
            manual: {
              reason: manualReason(e.info.message.params.reason),
              command: String(e.info.message.params.command),
            },
          };
        throw e;
      }
    },

    /** What reverting a run (the latest when none is named) will undo and what it leaves. */
    revertPreview: (runId?: string): Promise<RevertPreviewView> => revertPreview(sys, pickRun(sys, runId)),

    /**
     * Undoes a run (the latest when none is named; an activation run only with `deactivate`) as one job: in process
     * with rights, else the app's own CLI once elevated, like apply; without a way to raise rights, the error
     * carries the command to run. The agent package the run installed is kept unless `agent` is `remove`.
     */
    async revert(
      runId: string | undefined,
      choice: { deactivate: boolean; agent: AgentChoice },
      ctx: JobContext,
      lang: Lang,
    ): Promise<RevertOutcome> {
      // The run is picked inside the one job: while another job runs, "the latest run" may be the one it writes.
      const r = await oneJob(() => execute({ kind: 'revert', runId: pickRun(sys, runId), ...choice }, ctx, lang));
      if (!r.output) throw noResult(r.runIds);
      return r.output as RevertOutcome;
    },

    /**
     * Activates with the session's activation file as one job (in process with rights, else elevated; the
     * token stays in the file). The host name is checked here first, unprivileged, so a bad one never reaches
     * a prompt.
     */
    async activate(opts: { hostname?: string; reset: boolean }, ctx: JobContext, lang: Lang): Promise<ActivationView> {
      const file = inputs.activationFile;
      if (!file) throw fail('ui.noActivationFile', msg('ui.activate.noFile'), { exit: ExitCode.badInput });
      const hostname = opts.hostname?.trim() || undefined;
      await activationRequest(sys, { activationFile: file, ...(hostname ? { hostname } : {}) });
      const r = await oneJob(() =>
        execute(
          {
            kind: 'activate',
            activationFile: file,
            reset: opts.reset,
            ...(hostname ? { hostname } : {}),
            ...(inputs.hostsFile ? { hostsFile: inputs.hostsFile } : {}),
          },
          ctx,
          lang,
        ),
      );
      if (!r.output) throw noResult(r.runIds);
      return activationView(r.output as ActivationRun);
    },

    /** Runs every doctor check over the session's inputs; the result is kept for the exports. */
    async doctor(): Promise<DoctorView> {
      const d = await diagnose();
      const fixes = await doctorFixPlan(sys, d.inputs, d.result);
      return doctorView(d.result, [...new Set(fixes.fixes.map((f) => f.check))]);
    },

    /**
     * The fix plan of the last diagnosis (run now if none), built by the same code as `doctor --fix`, kept for
     * review and applied through `apply` (one elevation); null plan when no step here fixes anything.
     */
    async doctorFix(): Promise<FixPlanView> {
      const d = lastDoctor ?? (await diagnose());
      const f = await doctorFixPlan(sys, d.inputs, d.result);
      return { plan: f.fixes.length ? keepPlan(f.plan) : null, fixes: f.fixes, elsewhere: f.elsewhere };
    },

    /** Writes the HTML report of the last diagnosis (run now if none) in `lang`; null when the dialog was closed. */
    async exportReport(lang: Lang): Promise<SavedView> {
      const { result } = lastDoctor ?? (await diagnose());
      const file = await shell.saveFile(`dsa-setup-report-${result.host.hostname ?? 'host'}.html`);
      if (!file) return { path: null };
      const html = renderHtml(translator(lang), resultIn(result, lang), lang);
      await atomicWrite(file, html, { mode: 0o644 });
      exportedFiles.add(file);
      return { path: file, bytes: Buffer.byteLength(html) };
    },

    /** Writes the support bundle (secrets masked) in `lang`; null when the dialog was closed. */
    async exportBundle(lang: Lang): Promise<SavedView> {
      const { result, inputs: di } = lastDoctor ?? (await diagnose());
      const ext = sys.os === 'windows' ? 'zip' : 'tar.gz';
      const file = await shell.saveFile(`dsa-setup-bundle-${result.host.hostname ?? 'host'}.${ext}`);
      if (!file) return { path: null };
      // The save dialog asked before replacing a file.
      const manifest = await writeSupportBundle(sys, file, {
        result: resultIn(result, lang),
        inputs: di,
        t: translator(lang),
        force: true,
      });
      exportedFiles.add(file);
      return {
        path: file,
        bytes: (await stat(file)).size,
        files: manifest.files.length,
        masked: manifest.masked.length,
        omitted: manifest.omitted.length,
      };
    },

    /** Shows an exported file in the file manager; false for a path this session did not export. */
    showInFolder(path: string): boolean {
      if (!exportedFiles.has(path) || !shell.showInFolder) return false;
      shell.showInFolder(path);
      return true;
    },

    /** Reads the doctor results in a folder the admin picks, grouped by root cause; null when canceled. */
    async openFleet() {
      const folder = (await shell.pickFolder?.()) ?? null;
      return folder ? { folder, ...groupFleet(await readFleet([folder])) } : null;
    },

    /** The window's language changed: tells the shell (its menu follows); returns the language now in use. */
    setLang(lang: Lang): Lang {
      shell.setLang?.(lang);
      return lang;
    },

    /** Opens an allowed documentation page in the browser; false for any other address. */
    async openExternal(url: string): Promise<boolean> {
      if (!isAllowedExternal(url)) return false;
      await shell.openExternal(url);
      return true;
    },
  };
}

export type AppService = ReturnType<typeof createAppService>;
