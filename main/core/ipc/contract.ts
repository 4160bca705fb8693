import { z } from 'zod';
import { MessageSchema } from '../message.js';
import { ErrorInfoSchema, type ErrorInfo } from '../errorInfo.js';
import { FleetViewSchema } from '../fleet/view.js';

/**
 * Every IPC channel with its request and response schemas. The Electron shell and the test harness both
 * register the handler table built from this (ipcMain.handle vs page.exposeBinding), and the preload exposes
 * one verb per channel (verbs.ts). Shared by the Node side and the renderer: no Node imports here.
 */

/** Errors cross IPC as their ErrorInfo (`{code, message, remedy?, issues?}`, messages untranslated). */
export { ErrorInfoSchema, internalErrorInfo } from '../errorInfo.js';
export type ErrorInfoView = ErrorInfo;

/** The one message type (`{key, params}`, main/core/message.ts): every text crosses IPC untranslated. */
export const MessageViewSchema = MessageSchema;
export type MessageView = z.infer<typeof MessageViewSchema>;

/** A plan as the window shows it (the step inputs stay in the main process). */
export const ChangeViewSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    path: z.string(),
    action: z.enum(['create', 'modify', 'delete']),
    diff: z.array(z.string()),
  }),
  z.object({
    kind: z.literal('command'),
    command: z.string(),
    args: z.array(z.string()),
    reason: MessageViewSchema.optional(),
  }),
]);
export const StepPlanViewSchema = z.object({
  id: z.string(),
  titleKey: z.string(),
  changes: z.array(ChangeViewSchema),
  notes: z.array(MessageViewSchema),
  rebootRequired: z.boolean(),
  upToDate: z.boolean(),
});
export const PlanViewSchema = z.object({
  planId: z.string(),
  os: z.enum(['linux', 'windows']),
  rebootRequired: z.boolean(),
  steps: z.array(StepPlanViewSchema),
});
export type PlanView = z.infer<typeof PlanViewSchema>;

/** A step the user can opt in or out of, with the platform's default and whether it is built/usable. */
export const StepChoiceSchema = z.object({
  id: z.string(),
  titleKey: z.string(),
  available: z.boolean(),
  /** Why it cannot be chosen (a translation key), when not available. */
  unavailableKey: z.string().optional(),
  defaultSelected: z.boolean(),
  selected: z.boolean(),
});
export type StepChoice = z.infer<typeof StepChoiceSchema>;

export const InputKindSchema = z.enum(['hosts', 'activation', 'installer']);
export type InputKind = z.infer<typeof InputKindSchema>;

export const InputSummarySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('hosts'),
    file: z.string(),
    entries: z.array(z.object({ address: z.string(), names: z.array(z.string()), line: z.number() })),
  }),
  z.object({
    kind: z.literal('activation'),
    file: z.string(),
    manager: z.object({ host: z.string(), port: z.number() }),
    url: z.string(),
    target: z.enum(['linux', 'windows']),
    /** The `hostname:` the activation registers under, when the file gives one. */
    hostname: z.string().nullable(),
    /** Arguments with secrets masked. */
    args: z.array(z.object({ key: z.string(), value: z.string(), secret: z.boolean() })),
  }),
  z.object({
    kind: z.literal('installer'),
    file: z.string(),
    size: z.number(),
    format: z.enum(['rpm', 'deb', 'msi', 'other']),
  }),
]);
export type InputSummary = z.infer<typeof InputSummarySchema>;

/** A doctor check, untranslated: the window renders its messages in its own language (a switch re-renders). */
export const CheckViewSchema = z.object({
  id: z.string(),
  status: z.enum(['pass', 'warn', 'fail', 'skip', 'blocked']),
  title: MessageViewSchema,
  detail: MessageViewSchema,
  remedy: MessageViewSchema.optional(),
  /** For `blocked`: the check whose failure this one depends on. */
  blockedBy: z.string().optional(),
  ms: z.number().optional(),
});
export type CheckView = z.infer<typeof CheckViewSchema>;

export const DoctorViewSchema = z.object({
  /** The one root cause named first, when the doctor names one. */
  verdict: z
    .object({ check: z.string(), class: z.string(), cause: MessageViewSchema, remedy: MessageViewSchema })
    .nullable(),
  checks: z.array(CheckViewSchema),
  summary: z.object({ pass: z.number(), warn: z.number(), fail: z.number(), skip: z.number() }).catchall(z.number()),
  ms: z.number(),
  /** The checks a step on this machine can fix (`doctor --fix`): the window offers **Fix** for these. */
  fixable: z.array(z.string()).default([]),
});
export type DoctorView = z.infer<typeof DoctorViewSchema>;

/** The doctor's fix plan for review: the steps that fix findings here, and what only others can fix. */
export const FixPlanViewSchema = z.object({
  plan: PlanViewSchema.nullable(),
  fixes: z.array(z.object({ check: z.string(), step: z.string() })),
  elsewhere: z.array(z.object({ check: z.string(), who: MessageViewSchema, what: MessageViewSchema })),
});
export type FixPlanView = z.infer<typeof FixPlanViewSchema>;

export const StepOutcomeViewSchema = z.object({
  id: z.string(),
  status: z.enum(['applied', 'unchanged', 'failed', 'not-run']),
  verified: z.boolean().optional(),
  detail: MessageViewSchema.optional(),
  error: ErrorInfoSchema.optional(),
});

export const ApplyViewSchema = z.object({
  /** applied: a run happened (see ok); nothing: the plan had nothing to do; manual: no elevation possible here. */
  outcome: z.enum(['applied', 'nothing', 'manual']),
  runId: z.string().nullable(),
  ok: z.boolean(),
  rebootRequired: z.boolean(),
  steps: z.array(StepOutcomeViewSchema),
  /** For `manual`: why (no polkit agent, a shell that cannot elevate, pkexec refused), and the command to run instead. */
  manual: z.object({ reason: z.enum(['noPolkit', 'noElevation', 'refused']), command: z.string() }).optional(),
});
export type ApplyView = z.infer<typeof ApplyViewSchema>;

/** One journal event of a running apply, pushed to the window as it is written. */
export const ProgressEventSchema = z.object({
  runId: z.string(),
  type: z.string(),
  step: z.string().optional(),
  ok: z.boolean().optional(),
  verified: z.boolean().optional(),
  path: z.string().optional(),
  command: z.string().optional(),
});
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;

/** The agent's status as the window shows it after activation. */
export const AgentStatusViewSchema = z.object({
  installed: z.boolean().nullable(),
  version: z.string().nullable(),
  service: z.string(),
  activated: z.boolean().nullable(),
  dsmUrl: z.string().nullable(),
  agentState: z.string().nullable(),
  lastContact: z.string().nullable(),
  modules: z.array(z.object({ module: z.string(), mode: z.string().nullable(), version: z.string().nullable() })),
  protecting: z.boolean(),
  /** The verdict in plain words (translation key). */
  verdictKey: z.string(),
});
export type AgentStatusView = z.infer<typeof AgentStatusViewSchema>;

export const ActivationViewSchema = z.object({
  ok: z.boolean(),
  /** The result in plain words, and on failure the remedy. */
  message: MessageViewSchema,
  remedy: MessageViewSchema.optional(),
  /** The doctor's checks that bear on this failure (empty on success). */
  checks: z.array(CheckViewSchema),
  /** On failure: the agent's whole answer (secrets masked) and its exit code, as the CLI shows it. */
  agentOutput: z.object({ text: z.string(), exitCode: z.number().nullable() }).optional(),
  /** The host name the activation registered under, and where it came from (`file`, `flag`, `system`). */
  hostname: z.object({ value: z.string(), source: z.string() }).nullable(),
  /** The agent's status after a successful activation (what `dsa-setup status` shows). */
  status: AgentStatusViewSchema.nullable(),
});
export type ActivationView = z.infer<typeof ActivationViewSchema>;

/** What reverting a run will undo and what it leaves (shown for confirmation before anything runs). */
export const RevertPreviewViewSchema = z.object({
  runId: z.string(),
  job: z.enum(['apply', 'activate']),
  reverted: z.boolean(),
  /** Files the run wrote: each gets its original bytes back (or is removed when it did not exist). */
  files: z.array(z.string()),
  /** Commands that undo the run's commands, newest first, with the step each belongs to (the agent's removal apart). */
  undo: z.array(z.object({ step: z.string(), command: z.string() })),
  /** The agent package: it stays installed unless its removal is chosen (only a package this run installed). */
  agent: z.object({
    /** The command that removes the package this run installed (null: the run installed none). */
    removal: z.string().nullable(),
    /** What the package database says now (null: cannot tell), and the version installed. */
    installed: z.boolean().nullable(),
    version: z.string().nullable(),
    /** The manager the agent is activated with now (null: not activated, or cannot tell): removal deactivates it first. */
    activatedWith: z.string().nullable(),
  }),
  /** Newer activation runs: they stay unless the reset (`dsa_control -r`) is chosen. */
  activations: z.array(z.string()),
});
export type RevertPreviewView = z.infer<typeof RevertPreviewViewSchema>;

/**
 * A dropped file's path as Electron gives it: absolute (POSIX, a drive letter or UNC) and without NUL. A relative
 * path would be read against the shell's working directory, and the elevated job's is another one.
 */
export const DroppedPathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p) && !p.includes('\0'), {
    message: 'expected an absolute path without NUL characters',
  });

const Empty = z.object({});
const Lang = z.enum(['ja', 'en']);
/** What an export wrote: where, its size, and for a bundle how many files, maskings and left-out items. */
const Saved = z.object({
  path: z.string().nullable(),
  bytes: z.number().optional(),
  files: z.number().optional(),
  masked: z.number().optional(),
  omitted: z.number().optional(),
});
export type SavedView = z.infer<typeof Saved>;

export const channels = {
  'app:info': {
    request: Empty,
    response: z.object({
      version: z.string(),
      lang: z.enum(['ja', 'en']),
      platform: z.enum(['linux', 'windows']),
      root: z.string(),
      live: z.boolean(),
      admin: z.boolean(),
      /** Whether this shell can ask for administrator rights (else it shows the command to run). */
      canElevate: z.boolean(),
    }),
  },
  inspect: {
    request: Empty,
    response: z.object({
      root: z.string(),
      live: z.boolean(),
      os: z.object({
        family: z.string(),
        id: z.string(),
        versionId: z.string(),
        major: z.number().nullable(),
        name: z.string(),
      }),
      kernel: z.string().nullable(),
      arch: z.string().nullable(),
      hostname: z.string().nullable(),
      agent: z.object({ installed: z.boolean().nullable(), version: z.string().optional(), via: z.string() }),
    }),
  },
  /** A file the user dropped: its name and bytes (text inputs only; 4 MiB at most). */
  'inputs:parse': {
    request: z.object({
      kind: z.enum(['hosts', 'activation']),
      name: z.string().min(1).max(255),
      contentBase64: z.string().max(6_000_000),
    }),
    response: InputSummarySchema,
  },
  /** Opens the file dialog for one input and parses the chosen file; `canceled` when the user closed it. */
  'inputs:pick': {
    request: z.object({ kind: InputKindSchema }),
    response: z.union([z.object({ canceled: z.literal(true) }), InputSummarySchema]),
  },
  /** A file dropped on the window, by its path on this machine (Electron knows it; the installer is too large to send). */
  'inputs:load': {
    request: z.object({ kind: InputKindSchema, path: DroppedPathSchema }),
    response: InputSummarySchema,
  },
  /** Plans the chosen steps (`selected` overrides the platform defaults per step id). */
  plan: {
    request: z.object({ selected: z.record(z.string(), z.boolean()).default({}) }),
    response: z.object({ plan: PlanViewSchema.nullable(), choices: z.array(StepChoiceSchema) }),
  },
  apply: {
    request: z.object({ planId: z.string().min(1).max(100), lang: Lang.optional() }),
    response: ApplyViewSchema,
  },
  /** What reverting a run (the latest when none is named) will undo and leave; changes nothing. */
  'revert:preview': {
    request: z.object({ runId: z.string().max(100).optional() }),
    response: RevertPreviewViewSchema,
  },
  revert: {
    request: z.object({
      runId: z.string().max(100).optional(),
      /** An activation run is undone only when this is chosen (`dsa_control -r` resets the agent). */
      deactivate: z.boolean().optional(),
      /** The agent package the run installed: kept unless its removal is chosen (then it is deactivated first). */
      agent: z.enum(['keep', 'remove']).default('keep'),
    }),
    response: z.object({
      runId: z.string(),
      files: z.array(z.object({ path: z.string(), restored: z.enum(['bytes', 'deleted']) })),
      commands: z.array(z.object({ command: z.string(), args: z.array(z.string()), exitCode: z.number().nullable() })),
      rebootRequired: z.boolean().default(false),
      /** The agent was reset (`dsa_control -r`): it is no longer activated. */
      deactivated: z.boolean().default(false),
      /** The agent package this run installed: removed, kept installed, or null (the run installed none). */
      agent: z.enum(['removed', 'alreadyRemoved', 'kept']).nullable().default(null),
    }),
  },
  activate: {
    request: z.object({
      /** The host name registered in the order (empty: the one in the activation file, else this machine's). */
      hostname: z.string().max(253).optional(),
      /** Run `dsa_control -r` first when the agent is already activated or bound elsewhere. */
      reset: z.boolean().default(false),
      /** The window's language (the job's texts); default: the OS language. */
      lang: Lang.optional(),
    }),
    response: ActivationViewSchema,
  },
  doctor: {
    request: Empty,
    response: DoctorViewSchema,
  },
  /** Builds the fix plan of the last diagnosis (the same code as `doctor --fix`); applied through `apply`. */
  'doctor:fix': { request: Empty, response: FixPlanViewSchema },
  /** Exports in the window's language. */
  'export:report': { request: z.object({ lang: Lang }), response: Saved },
  'export:bundle': { request: z.object({ lang: Lang }), response: Saved },
  /** Shows a file this session exported in the file manager (any other path: `shown: false`). */
  'export:showInFolder': {
    request: z.object({ path: z.string().max(4096) }),
    response: z.object({ shown: z.boolean() }),
  },
  'app:openExternal': { request: z.object({ url: z.string().max(2048) }), response: z.object({ opened: z.boolean() }) },
  /** The window switched its language: the shell's own texts (the application menu) follow it. */
  'app:setLang': { request: z.object({ lang: Lang }), response: z.object({ lang: Lang }) },
  /** Opens the folder dialog and reads the doctor results in the chosen folder, grouped by root cause. */
  'fleet:open': {
    request: Empty,
    response: z.union([z.object({ canceled: z.literal(true) }), FleetViewSchema]),
  },
} as const;

export type ChannelName = keyof typeof channels;
export type Request<C extends ChannelName> = z.input<(typeof channels)[C]['request']>;
export type ParsedRequest<C extends ChannelName> = z.infer<(typeof channels)[C]['request']>;
export type Response<C extends ChannelName> = z.infer<(typeof channels)[C]['response']>;
export type Reply<C extends ChannelName> = { ok: true; value: Response<C> } | { ok: false; error: ErrorInfoView };
export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];
