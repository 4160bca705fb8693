import { create } from 'zustand';
import type {
  ActivationView,
  ApplyView,
  DoctorView,
  ErrorInfoView,
  FixPlanView,
  InputKind,
  InputSummary,
  MessageView,
  PlanView,
  ProgressEvent,
  Response,
  RevertPreviewView,
  SavedView,
  StepChoice,
} from '../../main/core/ipc/contract';
import type { FleetView } from '../../main/core/fleet/view';
import type { GuiAction } from '../../main/core/ipc/remedyForms';
import { msg } from '../../main/core/message';
import { asErrorInfo, call, onApplyProgress, onProgress, pathForFile, UiError } from './api';
import { switchLanguage, type Lang } from './i18n';

/** The agent's documentation (activation and troubleshooting). */
export const HELP_URL = 'https://help.deepsecurity.trendmicro.com/';

export const SCREENS = ['welcome', 'inputs', 'plan', 'apply', 'activate', 'diagnose'] as const;
export type Screen = (typeof SCREENS)[number];

/** Where an error is shown: each screen part has its own place, all filled by one chain (`fail`). */
export type ErrorArea =
  'app' | `input.${InputKind}` | 'plan' | 'apply' | 'revert' | 'activate' | 'doctor' | 'fix' | 'export' | 'fleet';

type AppInfo = Response<'app:info'>;
type Inspection = Response<'inspect'>;

/** The run installed the agent package and it is still there (removed by hand since: nothing to keep or remove). */
export function ownsAgent(preview: RevertPreviewView): boolean {
  return preview.agent.removal !== null && preview.agent.installed !== false;
}

export interface State {
  screen: Screen;
  /** The field a remedy's button opened (a `data-testid`): it takes the focus once its screen shows it. */
  focusTarget: string | null;
  lang: Lang;
  info: AppInfo | null;
  inspection: Inspection | null;
  inputs: Partial<Record<InputKind, InputSummary>>;
  choices: StepChoice[];
  selected: Record<string, boolean>;
  plan: PlanView | null;
  planning: boolean;
  applying: boolean;
  progress: ProgressEvent[];
  applied: ApplyView | null;
  /** The plan the last apply ran (a new review makes a new plan that can be applied again). */
  appliedPlanId: string | null;
  /** What reverting the shown run will undo and leave, while the confirmation is open. */
  revertPreview: RevertPreviewView | null;
  /** The confirmation's explicit choice to reset newer activations too (`dsa_control -r`). */
  revertDeactivate: boolean;
  /** The confirmation's explicit choice to uninstall the agent package the run installed (off: it stays). */
  revertRemoveAgent: boolean;
  reverting: boolean;
  reverted:
    | (Response<'revert'> & {
        activationsReset: number;
        activationsKept: number;
        /** Whether the agent package was installed before the revert (for a run that did not install it). */
        agentInstalled: boolean | null;
      })
    | null;
  /** The plan of the running (or last) apply: its steps are counted n/N. */
  runPlan: PlanView | null;
  /** When each running step started (ms, the window's clock), for its elapsed time. */
  stepStarted: Record<string, number>;
  activating: boolean;
  activation: ActivationView | null;
  /** The registered host name typed by the user (empty: the file's, else this machine's) and the reset choice. */
  activationOptions: { hostname: string; reset: boolean };
  /** The latest progress message of the running activation. */
  activity: MessageView | null;
  doctoring: boolean;
  doctor: DoctorView | null;
  /** The doctor's fix plan under review (Diagnose → Fix), what is being done with it, and its apply's result. */
  fix: FixPlanView | null;
  fixing: 'planning' | 'applying' | null;
  fixResult: ApplyView | null;
  /** What each export wrote (each its own message: a bundle never replaces the report's). */
  exported: Partial<Record<'report' | 'bundle', SavedView & { path: string }>>;
  busyExport: boolean;
  /** Many machines' doctor results from a folder, grouped by root cause (the Diagnose screen's fleet view). */
  fleet: FleetView | null;
  fleetLoading: boolean;
  errors: Partial<Record<ErrorArea, ErrorInfoView>>;
}

export interface Actions {
  init(): Promise<void>;
  setLang(lang: Lang): Promise<void>;
  go(screen: Screen): void;
  /** Does what a remedy's button says: opens its screen and field, or runs the diagnosis or the bundle. */
  follow(action: GuiAction): void;
  /** The field a remedy's button opened has the focus now. */
  focused(): void;
  dropInput(kind: InputKind, file: File): Promise<void>;
  pickInput(kind: InputKind): Promise<void>;
  loadPlan(): Promise<void>;
  toggleStep(id: string, on: boolean): Promise<void>;
  apply(): Promise<void>;
  /** Opens the revert confirmation: what will be undone and what will not. */
  askRevert(): Promise<void>;
  setRevertDeactivate(on: boolean): void;
  setRevertRemoveAgent(on: boolean): void;
  cancelRevert(): void;
  /** Reverts after the confirmation (newer activations first, when their reset was chosen). */
  revert(): Promise<void>;
  setActivationOptions(patch: Partial<State['activationOptions']>): void;
  activate(): Promise<void>;
  runDoctor(): Promise<void>;
  /** Builds the fix plan of the last diagnosis and shows it for review. */
  planFix(): Promise<void>;
  /** Applies the reviewed fix plan (one elevation), then runs the doctor again. */
  applyFix(): Promise<void>;
  cancelFix(): void;
  exportReport(): Promise<void>;
  exportBundle(): Promise<void>;
  /** Shows an exported file in the file manager. */
  showInFolder(path: string): Promise<void>;
  /** Opens the vendor's documentation in the browser (the main process allows only its https sites). */
  openHelp(): Promise<void>;
  /** Asks for a folder of doctor results and shows them grouped by root cause. */
  openFleet(): Promise<void>;
}

const initial: State = {
  screen: 'welcome',
  focusTarget: null,
  lang: 'en',
  info: null,
  inspection: null,
  inputs: {},
  choices: [],
  selected: {},
  plan: null,
  planning: false,
  applying: false,
  progress: [],
  applied: null,
  appliedPlanId: null,
  revertPreview: null,
  revertDeactivate: false,
  revertRemoveAgent: false,
  reverting: false,
  reverted: null,
  stepStarted: {},
  runPlan: null,
  activating: false,
  activation: null,
  activationOptions: { hostname: '', reset: false },
  activity: null,
  doctoring: false,
  doctor: null,
  fix: null,
  fixing: null,
  fixResult: null,
  exported: {},
  busyExport: false,
  fleet: null,
  fleetLoading: false,
  errors: {},
};

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The window's state and every call to the API (components never call `window.dsaSetup` themselves). */
export const useApp = create<State & Actions>()((set, get) => {
  /** The one error chain: runs an action, clears its area first, and files any error under that area. */
  const guard = async (area: ErrorArea, fn: () => Promise<void>): Promise<void> => {
    set((s) => ({ errors: { ...s.errors, [area]: undefined } }));
    try {
      await fn();
    } catch (e) {
      set((s) => ({ errors: { ...s.errors, [area]: asErrorInfo(e) } }));
    }
  };
  let planSeq = 0;
  /** Keeps a journal event of the running apply, and when each step started. */
  const record = (e: ProgressEvent): void =>
    set((s) => ({
      progress: [...s.progress, e],
      ...(e.type === 'step.start' && e.step ? { stepStarted: { ...s.stepStarted, [e.step]: Date.now() } } : {}),
    }));
  const takeInput = (summary: InputSummary): void =>
    set((s) => ({ inputs: { ...s.inputs, [summary.kind]: summary }, plan: null }));

  return {
    ...initial,
    async init() {
      await guard('app', async () => {
        const info = await call('appInfo', {});
        set({ info });
        const inspection = await call('inspect', {});
        set({ inspection });
      });
    },
    async setLang(lang) {
      await switchLanguage(lang);
      set({ lang });
      // The application menu follows the window's language (main builds it again).
      await guard('app', async () => {
        await call('setLang', { lang });
      });
    },
    go(screen) {
      set({ screen });
      // The review always shows the machine as it is now: after an apply or revert it is planned again.
      if (screen === 'plan' && (!get().plan || get().appliedPlanId === get().plan?.planId)) void get().loadPlan();
    },
    follow(action) {
      if (action.kind === 'go') {
        get().go(action.screen);
        set({ focusTarget: action.focus ?? null });
      } else if (action.kind === 'activateReset') {
        set({ activationOptions: { ...get().activationOptions, reset: true } });
        get().go('activate');
        set({ focusTarget: 'activate-hostname' });
      } else {
        get().go('diagnose');
        void (action.kind === 'doctor' ? get().runDoctor() : get().exportBundle());
      }
    },
    focused() {
      set({ focusTarget: null });
    },
    async dropInput(kind, file) {
      await guard(`input.${kind}`, async () => {
        if (kind === 'installer') {
          // An installer is too large to send: main reads it where it is.
          const path = await pathForFile(file);
          if (!path) throw new UiError({ code: 'ui.dropNoPath', message: msg('ui.inputs.dropNoPath') });
          takeInput(await call('loadInput', { kind, path }));
          return;
        }
        const bytes = new Uint8Array(await file.arrayBuffer());
        takeInput(await call('parseInput', { kind, name: file.name, contentBase64: toBase64(bytes) }));
      });
    },
    async pickInput(kind) {
      await guard(`input.${kind}`, async () => {
        const r = await call('pickInput', { kind });
        if (!('canceled' in r)) takeInput(r);
      });
    },
    async loadPlan() {
      // Toggling quickly starts several plans: only the latest one's answer is shown.
      const seq = ++planSeq;
      set({ planning: true });
      await guard('plan', async () => {
        const r = await call('plan', { selected: get().selected });
        if (seq === planSeq) set({ plan: r.plan, choices: r.choices });
      });
      if (seq === planSeq) set({ planning: false });
    },
    async toggleStep(id, on) {
      set((s) => ({
        selected: { ...s.selected, [id]: on },
        choices: s.choices.map((c) => (c.id === id ? { ...c, selected: on } : c)),
      }));
      await get().loadPlan();
    },
    async apply() {
      const plan = get().plan;
      if (!plan) return;
      set({
        applying: true,
        runPlan: plan,
        progress: [],
        stepStarted: {},
        applied: null,
        reverted: null,
        revertPreview: null,
      });
      const off = onApplyProgress(record);
      await guard('apply', async () => {
        set({ applied: await call('apply', { planId: plan.planId, lang: get().lang }), appliedPlanId: plan.planId });
      });
      off();
      set({ applying: false });
    },
    async askRevert() {
      const runId = get().applied?.runId ?? undefined;
      await guard('revert', async () => {
        set({
          revertPreview: await call('revertPreview', runId ? { runId } : {}),
          revertDeactivate: false,
          revertRemoveAgent: false,
        });
      });
    },
    setRevertDeactivate(on) {
      set({ revertDeactivate: on });
    },
    setRevertRemoveAgent(on) {
      set({ revertRemoveAgent: on });
    },
    cancelRevert() {
      set({ revertPreview: null });
    },
    async revert() {
      const preview = get().revertPreview;
      if (!preview) return;
      const deactivate = get().revertDeactivate;
      set({ reverting: true });
      await guard('revert', async () => {
        let activationsReset = 0;
        // Newer activations first (newest first), and only when their reset was chosen.
        if (deactivate)
          for (const runId of [...preview.activations].reverse()) {
            await call('revert', { runId, deactivate: true });
            activationsReset++;
          }
        // The agent package this run installed stays unless its removal was ticked (then it is deactivated first).
        const removeAgent = get().revertRemoveAgent && ownsAgent(preview);
        const r = await call('revert', {
          runId: preview.runId,
          agent: removeAgent ? 'remove' : 'keep',
          ...(removeAgent ? { deactivate: true } : {}),
        });
        set({
          reverted: {
            ...r,
            activationsReset,
            activationsKept: preview.activations.length - activationsReset,
            agentInstalled: preview.agent.installed,
          },
          revertPreview: null,
          plan: null,
        });
      });
      set({ reverting: false });
    },
    setActivationOptions(patch) {
      set({ activationOptions: { ...get().activationOptions, ...patch } });
    },
    async activate() {
      set({ activating: true, activation: null, activity: null });
      const off = onProgress((m) => set({ activity: m }));
      const { hostname, reset } = get().activationOptions;
      await guard('activate', async () => {
        set({
          activation: await call('activate', {
            ...(hostname.trim() ? { hostname: hostname.trim() } : {}),
            reset,
            lang: get().lang,
          }),
        });
      });
      off();
      set({ activating: false, activity: null });
    },
    async runDoctor() {
      set({ doctoring: true });
      await guard('doctor', async () => {
        set({ doctor: await call('doctor', {}) });
      });
      set({ doctoring: false });
    },
    async planFix() {
      set({ fixing: 'planning', fix: null, fixResult: null });
      await guard('fix', async () => {
        set({ fix: await call('doctorFix', {}) });
      });
      set({ fixing: null });
    },
    async applyFix() {
      const plan = get().fix?.plan;
      if (!plan) return;
      set({
        fixing: 'applying',
        applying: true,
        runPlan: plan,
        progress: [],
        stepStarted: {},
        reverted: null,
        revertPreview: null,
      });
      const off = onApplyProgress(record);
      await guard('fix', async () => {
        const r = await call('apply', { planId: plan.planId, lang: get().lang });
        // The Apply screen shows this run too, so it can be reverted there.
        set({ fixResult: r, applied: r, appliedPlanId: plan.planId, fix: null });
      });
      off();
      set({ applying: false, fixing: null });
      if (get().fixResult?.outcome === 'applied') await get().runDoctor();
    },
    cancelFix() {
      set({ fix: null });
    },
    async exportReport() {
      set((s) => ({ busyExport: true, exported: { ...s.exported, report: undefined } }));
      await guard('export', async () => {
        const r = await call('exportReport', { lang: get().lang });
        const path = r.path;
        if (path) set((s) => ({ exported: { ...s.exported, report: { ...r, path } } }));
      });
      set({ busyExport: false });
    },
    async showInFolder(path) {
      await guard('export', async () => {
        await call('showInFolder', { path });
      });
    },
    async openHelp() {
      await guard('app', async () => {
        await call('openExternal', { url: HELP_URL });
      });
    },
    async openFleet() {
      set({ fleetLoading: true });
      await guard('fleet', async () => {
        const r = await call('openFleet', {});
        if (!('canceled' in r)) set({ fleet: r });
      });
      set({ fleetLoading: false });
    },
    async exportBundle() {
      set((s) => ({ busyExport: true, exported: { ...s.exported, bundle: undefined } }));
      await guard('export', async () => {
        const r = await call('exportBundle', { lang: get().lang });
        const path = r.path;
        if (path) set((s) => ({ exported: { ...s.exported, bundle: { ...r, path } } }));
      });
      set({ busyExport: false });
    },
  };
});
