import { create } from 'zustand';
import type {
  ActivationView,
  ApplyView,
  DoctorView,
  ErrorInfoView,
  InputKind,
  InputSummary,
  MessageView,
  PlanView,
  ProgressEvent,
  Response,
  StepChoice,
} from '../../main/core/ipc/contract';
import type { FleetView } from '../../main/core/fleet/view';
import { asErrorInfo, call, onApplyProgress, onProgress, pathForFile, UiError } from './api';
import { switchLanguage, type Lang } from './i18n';

/** The agent's documentation (activation and troubleshooting). */
export const HELP_URL = 'https://help.deepsecurity.trendmicro.com/';

export const SCREENS = ['welcome', 'inputs', 'plan', 'apply', 'activate', 'diagnose'] as const;
export type Screen = (typeof SCREENS)[number];

/** Where an error is shown: each screen part has its own place, all filled by one chain (`fail`). */
export type ErrorArea =
  'app' | `input.${InputKind}` | 'plan' | 'apply' | 'revert' | 'activate' | 'doctor' | 'export' | 'fleet';

type AppInfo = Response<'app:info'>;
type Inspection = Response<'inspect'>;

export interface State {
  screen: Screen;
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
  reverted: { runId: string; files: number } | null;
  activating: boolean;
  activation: ActivationView | null;
  /** The registered host name typed by the user (empty: the file's, else this machine's) and the reset choice. */
  activationOptions: { hostname: string; reset: boolean };
  /** The latest progress message of the running activation. */
  activity: MessageView | null;
  doctoring: boolean;
  doctor: DoctorView | null;
  exported: { kind: 'report' | 'bundle'; path: string } | null;
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
  dropInput(kind: InputKind, file: File): Promise<void>;
  pickInput(kind: InputKind): Promise<void>;
  loadPlan(): Promise<void>;
  toggleStep(id: string, on: boolean): Promise<void>;
  apply(): Promise<void>;
  revert(): Promise<void>;
  setActivationOptions(patch: Partial<State['activationOptions']>): void;
  activate(): Promise<void>;
  runDoctor(): Promise<void>;
  exportReport(): Promise<void>;
  exportBundle(): Promise<void>;
  /** Opens the vendor's documentation in the browser (the main process allows only its https sites). */
  openHelp(): Promise<void>;
  /** Asks for a folder of doctor results and shows them grouped by root cause. */
  openFleet(): Promise<void>;
}

const initial: State = {
  screen: 'welcome',
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
  reverted: null,
  activating: false,
  activation: null,
  activationOptions: { hostname: '', reset: false },
  activity: null,
  doctoring: false,
  doctor: null,
  exported: null,
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
    },
    go(screen) {
      set({ screen });
      // The review always shows the machine as it is now: after an apply or revert it is planned again.
      if (screen === 'plan' && (!get().plan || get().appliedPlanId === get().plan?.planId)) void get().loadPlan();
    },
    async dropInput(kind, file) {
      await guard(`input.${kind}`, async () => {
        if (kind === 'installer') {
          // An installer is too large to send: main reads it where it is.
          const path = await pathForFile(file);
          if (!path) throw new UiError({ code: 'ui.dropNoPath', messageKey: 'ui.inputs.dropNoPath', params: {} });
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
      set({ applying: true, progress: [], applied: null, reverted: null });
      const off = onApplyProgress((e) => set((s) => ({ progress: [...s.progress, e] })));
      await guard('apply', async () => {
        set({ applied: await call('apply', { planId: plan.planId, lang: get().lang }), appliedPlanId: plan.planId });
      });
      off();
      set({ applying: false });
    },
    async revert() {
      const runId = get().applied?.runId ?? undefined;
      await guard('revert', async () => {
        const r = await call('revert', runId ? { runId } : {});
        set({ reverted: { runId: r.runId, files: r.files.length }, plan: null });
      });
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
    async exportReport() {
      set({ busyExport: true, exported: null });
      await guard('export', async () => {
        const r = await call('exportReport', { lang: get().lang });
        if (r.path) set({ exported: { kind: 'report', path: r.path } });
      });
      set({ busyExport: false });
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
      set({ busyExport: true, exported: null });
      await guard('export', async () => {
        const r = await call('exportBundle', { lang: get().lang });
        if (r.path) set({ exported: { kind: 'bundle', path: r.path } });
      });
      set({ busyExport: false });
    },
  };
});
