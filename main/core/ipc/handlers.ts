import { promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pkg from '../../../package.json' with { type: 'json' };
import { DsaError, ExitCode, toErrorInfo, type ErrorInfo } from '../errors.js';
import { detectLang, translator, type Lang } from '../i18n.js';
import { detectOs, inspectSystem } from '../platform/inspect.js';
import { isAdmin as processIsAdmin, type SystemContext } from '../system.js';
import { unwrapParse, readInputFile } from '../inputs/load.js';
import { parseManagerHosts, type HostsEntry } from '../inputs/managerHosts.js';
import { activationUrl, parseActivation, type ActivationInput } from '../inputs/activation.js';
import { maskSecret, redactJson } from '../secrets.js';
import { buildPlan } from '../engine/plan.js';
import type { ApplyOutcome } from '../engine/apply.js';
import type { StampedEvent } from '../engine/journal.js';
import { pickRun, revertRun } from '../engine/revert.js';
import { optionsForChoices, stepChoices } from '../steps/registry.js';
import { stepRequests } from '../steps/requests.js';
import type { Plan } from '../steps/types.js';
import {
  applyElevated,
  SUDO_NO_POLKIT_AGENT,
  SUDO_PERMISSION_DENIED,
  type SudoPromptExec,
} from '../elevation/elevatedApply.js';
import { hasGraphicalPolkitAgent } from '../elevation/polkit.js';
import { runDoctor } from '../doctor/runDoctor.js';
import { loadDoctorInputs } from '../doctor/inputs.js';
import type { DoctorCheck, DoctorResult } from '../doctor/types.js';
import { renderHtml } from '../report/render.js';
import { writeSupportBundle } from '../bundle/bundle.js';
import { activateAgent, type ActivateResult } from '../agent/activate.js';
import { agentStatus, toStatusView, type AgentStatus } from '../agent/agentStatus.js';
import { activationRequest } from '../agent/activationRequest.js';
import { sudoPromptCommand } from '../elevation/commandLine.js';
import { atomicWrite } from '../fsx.js';
import { readFleet } from '../fleet/read.js';
import { groupFleet } from '../fleet/group.js';
import {
  channels,
  type ActivationView,
  type ApplyView,
  type ChannelName,
  type CheckView,
  type DoctorView,
  type InputKind,
  type InputSummary,
  type ParsedRequest,
  type ProgressEvent,
  type Reply,
  type Response,
} from './contract.js';
import { EVENTS } from './verbs.js';

export type HandlerTable = { [C in ChannelName]: (req: ParsedRequest<C>) => Promise<Response<C>> };

/** How the shell raises rights for one apply: the app's own CLI run once through @vscode/sudo-prompt. */
export interface ElevationService {
  /** The Electron binary (run in node mode) and the CLI script inside the app. */
  execPath: string;
  cliPath: string;
  sudoExec: SudoPromptExec;
  /** Default: look for a graphical polkit agent (Linux). */
  hasPolkitAgent?: () => Promise<boolean>;
}

/**
 * What the shell provides to the handlers (Electron dialogs, shell, window events, elevation). Tests give
 * stand-ins; the defaults are those of a headless run (no dialog: canceled; no elevation).
 */
export interface AppServices {
  /** The open-file dialog for one input; null when canceled. */
  pickFile(kind: InputKind): Promise<string | null>;
  /** The save dialog for an export; null when canceled. */
  saveFile(defaultName: string): Promise<string | null>;
  /** The folder dialog for a folder of doctor results (the fleet view); absent or null: canceled. */
  pickFolder?(): Promise<string | null>;
  openExternal(url: string): Promise<void>;
  /** Sends an event to the window. */
  emit(event: string, payload: unknown): void;
  /** Absent: this shell cannot raise rights, and apply shows the command to run instead. */
  elevation?: ElevationService;
  /** Whether this process already has administrator rights (then apply runs in process). */
  isAdmin(sys: SystemContext): Promise<boolean>;
  lang(): Lang;
}

/** The services of a headless run: no dialogs, no window, the process's own rights. */
export const headlessServices: AppServices = {
  pickFile: async () => null,
  saveFile: async () => null,
  openExternal: async () => {},
  emit: () => {},
  isAdmin: processIsAdmin,
  lang: () => detectLang(),
};

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

/**
 * What the window has given so far. Every input is a file path, so the planner, the doctor and activation
 * read it exactly as the CLI's `--hosts-file` / `--activation-file` / `--installer` (a dropped file is kept
 * in a private temp directory under its own name).
 */
interface Session {
  hostsFile?: string;
  activationFile?: string;
  installer?: string;
  plans: Map<string, Plan>;
  lastDoctor?: { result: DoctorResult; inputs: Awaited<ReturnType<typeof loadDoctorInputs>> };
  dropDir?: string;
}

function summarizeHosts(file: string, entries: HostsEntry[]): InputSummary {
  return { kind: 'hosts', file, entries };
}

function summarizeActivation(file: string, a: ActivationInput): InputSummary {
  return {
    kind: 'activation',
    file,
    manager: a.manager,
    url: activationUrl(a.manager),
    target: a.target,
    hostname: a.args.find((x) => x.key === 'hostname')?.value ?? null,
    args: a.args.map((x) => ({ key: x.key, value: x.secret ? maskSecret(x.value) : x.value, secret: x.secret })),
  };
}

function installerFormat(file: string): 'rpm' | 'deb' | 'msi' | 'other' {
  const m = /\.(rpm|deb|msi)$/i.exec(file);
  return m ? (m[1]!.toLowerCase() as 'rpm' | 'deb' | 'msi') : 'other';
}

/** Parses one text input (errors name `name`, line and expectation); returns the summary, or throws. */
function parseTextInput(kind: 'hosts' | 'activation', name: string, data: Buffer): InputSummary {
  return kind === 'hosts'
    ? summarizeHosts(name, unwrapParse(name, parseManagerHosts(name, data)))
    : summarizeActivation(name, unwrapParse(name, parseActivation(name, data)));
}

/** The steps the window offers, from the step descriptors, with the platform's defaults. */
async function choicesFor(sys: SystemContext, session: Session, selected: Record<string, boolean>) {
  const family = sys.os === 'windows' ? 'windows' : (await detectOs(sys)).family;
  return stepChoices(family, { hostsFile: !!session.hostsFile, installer: !!session.installer }, selected);
}

function applyView(o: ApplyOutcome): ApplyView {
  return {
    outcome: o.runId ? 'applied' : 'nothing',
    runId: o.runId,
    ok: o.ok,
    rebootRequired: o.rebootRequired,
    steps: o.steps.map((s) => ({
      id: s.id,
      status: s.status,
      ...(s.verified !== undefined ? { verified: s.verified } : {}),
      ...(s.detail ? { detail: s.detail } : {}),
      ...(s.error ? { error: s.error } : {}),
    })),
  };
}

/** A journal event as the window's progress list shows it. */
function progressEvent(runId: string, e: StampedEvent): ProgressEvent {
  const ev = e as Record<string, unknown>;
  return {
    runId,
    type: e.type,
    ...(typeof ev.step === 'string' ? { step: ev.step } : {}),
    ...(typeof ev.ok === 'boolean' ? { ok: ev.ok } : {}),
    ...(typeof ev.verified === 'boolean' ? { verified: ev.verified } : {}),
    ...(typeof ev.path === 'string' ? { path: ev.path } : {}),
    ...(typeof ev.command === 'string' ? { command: ev.command } : {}),
  };
}

function checkView(c: DoctorCheck): CheckView {
  return {
    id: c.id,
    status: c.status,
    title: c.title,
    detail: c.detail,
    ...(c.remedy ? { remedy: c.remedy } : {}),
    ms: c.ms,
  };
}

function doctorView(r: DoctorResult): DoctorView {
  return { checks: r.checks.map(checkView), summary: r.summary, ms: r.ms };
}

/** A sudo-prompt that cannot prompt: a shell without elevation gets the manual command instead. */
const noSudo: SudoPromptExec = (_cmd, _opts, cb) => cb(new Error(SUDO_NO_POLKIT_AGENT));

/** The handlers of every channel, built over the core for one system. */
export function createHandlers(sys: SystemContext, services: AppServices = headlessServices): HandlerTable {
  const session: Session = { plans: new Map() };

  /** Keeps a dropped file's bytes in a private (0700) temp directory under its own name. */
  const keepDropped = async (name: string, data: Buffer): Promise<string> => {
    if (!session.dropDir) {
      const dir = await fs.mkdtemp(join(tmpdir(), 'dsa-setup-inputs-'));
      session.dropDir = dir;
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
    const dir = await fs.mkdtemp(join(session.dropDir, 'f-'));
    const file = join(dir, basename(name));
    await fs.writeFile(file, data, { mode: 0o600 });
    return file;
  };
  const remember = (kind: InputKind, path: string): void => {
    if (kind === 'hosts') session.hostsFile = path;
    else if (kind === 'activation') session.activationFile = path;
    else session.installer = path;
  };
  /** Reads and checks one input from a path (chosen in the dialog or dropped) and keeps it for the session. */
  const loadPath = async (kind: InputKind, path: string): Promise<InputSummary> => {
    if (kind === 'installer') {
      const st = await fs.stat(path).catch(() => null);
      if (!st?.isFile()) await readInputFile(path); // throws the not-found / directory error naming the file
      remember(kind, path);
      return { kind, file: basename(path), size: st!.size, format: installerFormat(path) };
    }
    const summary = parseTextInput(kind, path, await readInputFile(path));
    remember(kind, path);
    return summary;
  };
  const doctorInputs = () =>
    loadDoctorInputs(
      {
        ...(session.hostsFile ? { hostsFile: session.hostsFile } : {}),
        ...(session.activationFile ? { activationFile: session.activationFile } : {}),
        ...(session.installer ? { installer: session.installer } : {}),
      },
      services.lang(),
    );

  const apply = async (planId: string): Promise<ApplyView> => {
    const plan = session.plans.get(planId);
    if (!plan)
      throw new DsaError({ code: 'ui.noPlan', messageKey: 'ui.apply.noPlan', params: {}, exitCode: ExitCode.badInput });
    const el = services.elevation;
    let runId = '';
    try {
      const r = await applyElevated({
        sys,
        plan,
        execPath: el?.execPath ?? process.execPath,
        cliPath: el?.cliPath ?? '',
        sudoExec: el?.sudoExec ?? noSudo,
        isElevated: () => services.isAdmin(sys),
        ...(el
          ? el.hasPolkitAgent
            ? { hasPolkitAgent: el.hasPolkitAgent }
            : {}
          : { hasPolkitAgent: async () => false }),
        onEvent: (e) => {
          if (e.type === 'run.start') runId = e.runId;
          services.emit(EVENTS.applyProgress, progressEvent(runId, e));
        },
      });
      return applyView(r.outcome);
    } catch (e) {
      // No way to raise rights here (no polkit agent, or a shell without elevation): the plan is kept and
      // the window shows the terminal command that applies it.
      if (e instanceof DsaError && e.code === 'prep.elevation.noPolkitAgent')
        return {
          outcome: 'manual',
          runId: null,
          ok: false,
          rebootRequired: false,
          steps: [],
          manual: { reasonKey: el ? 'ui.apply.noPolkit' : 'ui.apply.noElevation', command: String(e.params.command) },
        };
      throw e;
    }
  };

  /** The activation's result as the window shows it: plain words, and on failure the reason, remedy and checks. */
  const activationView = (
    r: Pick<ActivateResult, 'ok' | 'manager' | 'runId' | 'outcome' | 'contact' | 'hostname'>,
    checks: DoctorCheck[],
    status: AgentStatus | null,
  ): ActivationView => {
    // Accepted but never in contact with the manager: installed is not protecting, so it is not a success.
    const noContact = r.outcome.ok && !r.ok;
    return {
      ok: r.ok,
      messageKey: noContact ? 'agent.activate.noContact' : r.outcome.messageKey,
      params: {
        manager: r.manager,
        detail: r.outcome.detail,
        run: r.runId,
        seconds: Math.round((r.contact?.waitedMs ?? 0) / 1000),
        state: r.contact?.state.agentState ?? '?',
      },
      ...(r.ok ? {} : { remedyKey: noContact ? 'agent.activate.noContactRemedy' : r.outcome.remedyKey }),
      checks: checks.map(checkView),
      hostname: r.hostname ? { value: r.hostname.value, source: r.hostname.source } : null,
      status: status ? toStatusView(status) : null,
    };
  };

  /**
   * Activates with the session's activation file. With administrator rights it runs in process; without,
   * the app's own `dsa-setup activate --json` runs once through the elevation prompt (the token stays in the
   * file, never on a command line); with no way to elevate, the error names the command to run instead.
   */
  const activate = async (opts: { hostname?: string; reset: boolean }): Promise<ActivationView> => {
    const file = session.activationFile;
    if (!file)
      throw new DsaError({
        code: 'ui.noActivationFile',
        messageKey: 'ui.activate.noFile',
        params: {},
        exitCode: ExitCode.badInput,
      });
    // Read and checked here, unprivileged, so a bad host name is told at once and never reaches a prompt.
    const hostname = opts.hostname?.trim() || undefined;
    const request = await activationRequest(sys, { activationFile: file, ...(hostname ? { hostname } : {}) });
    const rootArgs = sys.live ? [] : ['--root', sys.root];
    const cliArgs = [
      ...rootArgs,
      'activate',
      '--activation-file',
      file,
      ...(hostname ? ['--hostname', hostname] : []),
      ...(opts.reset ? ['--reset'] : []),
      ...(session.hostsFile ? ['--hosts-file', session.hostsFile] : []),
    ];
    if (!(await services.isAdmin(sys))) {
      const el = services.elevation;
      const manual = new DsaError({
        code: 'ui.activate.needsAdmin',
        messageKey: 'ui.activate.needsAdmin',
        params: { command: `sudo dsa-setup ${cliArgs.join(' ')}` },
        exitCode: ExitCode.needsAdmin,
      });
      const polkit = el?.hasPolkitAgent ?? (process.platform === 'linux' ? () => hasGraphicalPolkitAgent() : null);
      if (!el || (polkit && !(await polkit()))) throw manual;
      const command = sudoPromptCommand([el.execPath, el.cliPath, ...cliArgs, '--json']);
      const r = await new Promise<{ error?: Error; stdout: string }>((resolve) =>
        el.sudoExec(command, { name: 'DSA Setup', env: { ELECTRON_RUN_AS_NODE: '1' } }, (error, stdout) =>
          resolve({ ...(error ? { error } : {}), stdout: String(stdout ?? '') }),
        ),
      );
      let json:
        | (ActivateResult & { doctor: DoctorResult | null; status?: AgentStatus | null })
        | { ok: false; error: ErrorInfo };
      try {
        json = JSON.parse(r.stdout) as typeof json;
      } catch {
        if (r.error?.message === SUDO_NO_POLKIT_AGENT) throw manual;
        if (r.error?.message === SUDO_PERMISSION_DENIED)
          throw new DsaError({ code: 'ui.elevationCancelled', messageKey: 'ui.apply.cancelled', params: {} });
        throw new DsaError({ code: 'ui.activate.noResult', messageKey: 'ui.activate.noResult', params: {} });
      }
      if ('error' in json) throw new DsaError(json.error);
      return activationView(json, json.doctor?.checks ?? [], json.status ?? null);
    }
    const r = await activateAgent(sys, request, {
      reset: opts.reset,
      retries: 0,
      retryDelaySec: 5,
      timeoutSec: 90,
      contactWaitSec: 30,
      // "Reset first" checks the new manager first (the same core function as `activate --reset`).
      check: { lang: services.lang(), ...(session.hostsFile ? { hostsFile: session.hostsFile } : {}) },
      doctorOnFailure: true,
      // Progress of the in-process activation (attempts, waiting for contact) goes to the window as it happens.
      progress: (m) => services.emit(EVENTS.progress, m),
    });
    return activationView(r, r.doctor?.checks ?? [], r.ok ? await agentStatus(sys) : null);
  };

  const lastDoctor = async () => {
    if (session.lastDoctor) return session.lastDoctor;
    const inputs = await doctorInputs();
    session.lastDoctor = { result: await runDoctor(sys, inputs), inputs };
    return session.lastDoctor;
  };

  return {
    'app:info': async () => ({
      version: pkg.version,
      lang: services.lang(),
      platform: sys.os,
      root: sys.root,
      live: sys.live,
      admin: await services.isAdmin(sys),
      features: { activate: true, doctor: true, report: true, bundle: true, elevation: !!services.elevation },
    }),
    inspect: async () => inspectSystem(sys),
    'inputs:parse': async ({ kind, name, contentBase64 }) => {
      const data = Buffer.from(contentBase64, 'base64');
      const summary = parseTextInput(kind, basename(name), data);
      remember(kind, await keepDropped(name, data));
      return summary;
    },
    'inputs:pick': async ({ kind }) => {
      const path = await services.pickFile(kind);
      return path ? loadPath(kind, path) : { canceled: true as const };
    },
    'inputs:load': async ({ kind, path }) => loadPath(kind, path),
    plan: async ({ selected }) => {
      const choices = await choicesFor(sys, session, selected);
      const requests = await stepRequests(optionsForChoices(choices, session));
      if (requests.length === 0) return { plan: null, choices };
      const plan = await buildPlan(sys, requests);
      const planId = randomBytes(8).toString('hex');
      session.plans.set(planId, plan);
      return {
        plan: { planId, os: plan.os, rebootRequired: plan.rebootRequired, steps: plan.steps },
        choices,
      };
    },
    apply: async ({ planId }) => apply(planId),
    revert: async ({ runId }) => revertRun(sys, pickRun(sys, runId)),
    activate: async (req) => {
      return activate(req);
    },
    doctor: async () => {
      session.lastDoctor = undefined;
      return doctorView((await lastDoctor()).result);
    },
    'export:report': async ({ lang }) => {
      const { result } = await lastDoctor();
      const file = await services.saveFile(`dsa-setup-report-${result.host.hostname ?? 'host'}.html`);
      if (!file) return { path: null };
      await atomicWrite(file, renderHtml(translator(lang), result, lang), { mode: 0o644 });
      return { path: file };
    },
    'export:bundle': async () => {
      const { result, inputs } = await lastDoctor();
      const ext = sys.os === 'windows' ? 'zip' : 'tar.gz';
      const file = await services.saveFile(`dsa-setup-bundle-${result.host.hostname ?? 'host'}.${ext}`);
      if (!file) return { path: null };
      // The save dialog asked before replacing a file.
      await writeSupportBundle(sys, file, { result, inputs, t: translator(services.lang()), force: true });
      return { path: file };
    },
    'fleet:open': async () => {
      const folder = (await services.pickFolder?.()) ?? null;
      if (!folder) return { canceled: true as const };
      return { folder, ...groupFleet(await readFleet([folder])) };
    },
    'app:openExternal': async ({ url }) => {
      if (!isAllowedExternal(url)) return { opened: false };
      await services.openExternal(url);
      return { opened: true };
    },
  };
}

/**
 * Runs one IPC call: validates the payload against the contract, calls the handler, validates the
 * response, and returns an `{ok, value|error}` reply (never throws across the process boundary).
 */
export async function dispatch(table: HandlerTable, channel: string, payload: unknown): Promise<Reply<ChannelName>> {
  return redactJson(await dispatchRaw(table, channel, payload));
}

async function dispatchRaw(table: HandlerTable, channel: string, payload: unknown): Promise<Reply<ChannelName>> {
  if (!Object.hasOwn(channels, channel)) {
    return {
      ok: false,
      error: { code: 'ipc.unknownChannel', messageKey: 'errors.ipcUnknownChannel', params: { channel } },
    };
  }
  const name = channel as ChannelName;
  const req = channels[name].request.safeParse(payload ?? {});
  if (!req.success) {
    return {
      ok: false,
      error: {
        code: 'ipc.badRequest',
        messageKey: 'errors.ipcBadRequest',
        params: { channel, detail: req.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') },
      },
    };
  }
  try {
    const handler = table[name] as (r: unknown) => Promise<unknown>;
    const value = channels[name].response.parse(await handler(req.data));
    return { ok: true, value } as Reply<ChannelName>;
  } catch (e) {
    return { ok: false, error: toErrorInfo(e) };
  }
}
