import { z } from 'zod';
import type { SystemContext } from '../system.js';
import type { OsFamily } from '../platform/inspect.js';
import type { HostsEntry } from '../inputs/managerHosts.js';

import { MessageSchema, type Message } from '../message.js';
import { ErrorInfoSchema } from '../errorInfo.js';
export { MessageSchema, type Message };

/**
 * How revert reads an undo back: it runs `command args` after the undo, which counts only when that exits with
 * `exitCode` (default 0), prints exactly `stdout` (trimmed) when given, no longer shows `absent` (a word of its
 * output: the kernel argument, the rule's handle) and shows `present` again (the previous setting), when given.
 */
export const UndoCheckSchema = z.object({
  command: z.string().min(1),
  args: z.array(z.string()),
  exitCode: z.number().int().optional(),
  stdout: z.string().optional(),
  absent: z.string().optional(),
  /** A text its output must show again (the previous setting), whitespace runs read as one space. */
  present: z.string().optional(),
});
export type UndoCheck = z.infer<typeof UndoCheckSchema>;

/** A command line: what runs, for real even under a sandbox root when `real` (rpm/dpkg take the root themselves). */
export const ArgvSchema = z.object({
  command: z.string().min(1),
  args: z.array(z.string()),
  real: z.boolean().optional(),
  env: z.record(z.string(), z.string()).optional(),
  /** An undo's read-back (see UndoCheckSchema). */
  check: UndoCheckSchema.optional(),
});
export type Argv = z.infer<typeof ArgvSchema>;

/** A file write: the exact bytes before (by hash) and after, the mode kept. */
export const FileActionSchema = z.object({
  kind: z.literal('file'),
  /** Path on the target system (`/etc/hosts`). */
  path: z.string().min(1),
  action: z.enum(['create', 'modify', 'delete']),
  /** sha256 of the file when planned (null: did not exist); apply refuses when it changed since. */
  beforeSha: z.string().nullable(),
  /** sha256 of the bytes written (null: the file is deleted). */
  afterSha: z.string().nullable(),
  /**
   * The bytes written, as one edit of the bytes before (which `beforeSha` pins): from byte `at`, `remove` bytes
   * replaced by `text` (UTF-8) or `base64`. Small for a hosts file of any size; `afterSha` is the result's hash.
   */
  edit: z
    .object({
      at: z.number().int().min(0),
      remove: z.number().int().min(0),
      text: z.string().optional(),
      base64: z.string().optional(),
    })
    .optional(),
  /** Permission bits kept from the file (null: a new file, 0644). Owner and extended attributes are kept too. */
  mode: z.number().int().nullable(),
  /** Diff lines: `+ text`, `- text`, `~ N: text` (a line commented out). */
  diff: z.array(z.string()),
});
export type FileAction = z.infer<typeof FileActionSchema>;

/** How an undo is read from a command's result: nft deletes a rule only by the handle it printed. */
export const UndoFromResultSchema = z.object({
  kind: z.literal('nftHandle'),
  family: z.string(),
  table: z.string(),
  chain: z.string(),
});

/**
 * A command: its argv, its undo (or how the undo is read from its result) and what reads it back.
 * `role` types it further: a plain command, a service action (then wait for the service to run) or a
 * package install (the package file is named in `package`).
 */
export const CommandActionSchema = z.object({
  kind: z.literal('command'),
  role: z.enum(['command', 'service', 'package']).default('command'),
  command: z.string().min(1),
  args: z.array(z.string()),
  real: z.boolean().optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeoutSec: z.number().int().min(1).max(7200).default(120),
  okExitCodes: z.array(z.number().int()).optional(),
  /** Why the command runs. */
  reason: MessageSchema.optional(),
  undo: ArgvSchema.optional(),
  undoFromResult: UndoFromResultSchema.optional(),
  /** Run after the command; its output is journaled (what the rule or setting looks like now). */
  readBack: ArgvSchema.optional(),
  /** A package install: the file given, the package inside a ZIP, and where msiexec writes its log. */
  package: z
    .object({
      file: z.string(),
      entry: z.string().optional(),
      /** The argument of `args` that names the package (replaced by the extracted file of a ZIP). */
      shown: z.string(),
      msiLog: z.string().optional(),
      /** The version the package installs (read back from the package database after the install). */
      version: z.string().optional(),
    })
    .optional(),
  /** A service action: the service must run within `waitSec` after it. */
  service: z.object({ name: z.string(), waitSec: z.number().int().min(0).max(3600) }).optional(),
});
export type CommandAction = z.infer<typeof CommandActionSchema>;
/** A command action as steps build it (defaults filled by the schema when read back). */
export type CommandActionInput = z.input<typeof CommandActionSchema>;

/** One exact action a step will take, as shown in the plan and executed by the engine. */
export const ChangeSchema = z.discriminatedUnion('kind', [FileActionSchema, CommandActionSchema]);
export type Change = z.infer<typeof ChangeSchema>;

export const StepPlanSchema = z.object({
  id: z.string(),
  titleKey: z.string(),
  /** The step's own input, validated again by the step before it applies. */
  input: z.unknown(),
  /** The actions, in the order the engine runs them. */
  changes: z.array(ChangeSchema),
  notes: z.array(MessageSchema),
  rebootRequired: z.boolean(),
  /** Undoing the step takes effect only after a reboot (revert says so, exit 4). */
  revertNeedsReboot: z.boolean().optional(),
  /** Nothing to do: the system already is as the step wants it. */
  upToDate: z.boolean(),
  /** What keeps the step from completing (applying it runs its actions, then fails with this error). */
  blocked: ErrorInfoSchema.optional(),
});
export type StepPlan = z.infer<typeof StepPlanSchema>;

export const PLAN_FORMAT = 'dsa-setup-plan/3';
export const PlanSchema = z.object({
  format: z.literal(PLAN_FORMAT),
  createdAt: z.string(),
  root: z.string(),
  os: z.enum(['linux', 'windows']),
  steps: z.array(StepPlanSchema),
  rebootRequired: z.boolean(),
});
export type Plan = z.infer<typeof PlanSchema>;

/** What a step's read-back saw after applying. */
export interface Verification {
  ok: boolean;
  detail: Message;
}

/** What a step's plan returns: its actions, notes, and whether a reboot is needed. */
export type StepPlanBody = Omit<StepPlan, 'id' | 'titleKey' | 'input' | 'changes'> & {
  changes: (FileAction | CommandActionInput)[];
};

/** The inputs and flags that select steps (the CLI's options and the window's choices share this shape). */
export interface StepOptions {
  hostsFile?: string;
  /** Rewrite a UTF-16 hosts file as UTF-8 (backed up) instead of refusing it. */
  rewriteUtf16Hosts?: boolean;
  /** Agent package (.rpm/.deb/.msi) or the portal's ZIP: the `install` step. */
  installer?: string;
  /** Supported-kernel list checked by the `install` step. */
  kernelList?: string;
  /** Seconds the `install` step waits for the agent service (default 120). */
  serviceWait?: string;
  /** `--disable-ipv6 [addressing|protocol]` (true: the default, addressing). */
  disableIpv6?: boolean | string;
  disableScep?: boolean;
  openFirewall?: boolean;
  /** Inbound 4118 from the manager (the manager initiates communication). */
  managerInitiated?: boolean;
  /** Extra outbound openings `ADDRESS:PORT` / `[V6]:PORT` / `NAME:PORT` (SaaS managers on 443, relays). */
  firewallAllow?: string[];
  /** The activation file: with `--open-firewall`, a Cloud One manager gets its outbound 443. */
  activationFile?: string;
}

/** A CLI flag of a step: commander's flag syntax, its help key, and the values it accepts. */
export interface StepFlag {
  flags: string;
  helpKey: string;
  choices?: readonly string[];
}

/** An input a step needs before the window can offer it (the translation key says so). */
export type StepNeed = 'hostsFile' | 'installer' | 'ntpServer';

/** What a step's `fromOptions` gets besides the options: the manager's entries, parsed once. */
export interface RequestContext {
  entries: readonly HostsEntry[];
  /** The target system: names given as inputs resolve as its resolver does (under `--root`, its hosts file first). */
  sys?: SystemContext;
}

/**
 * A step, declared once: its id and title, the CLI flags that select it, its input schema, the OS
 * families it runs on and where it is selected by default, the inputs it needs, how its input is built
 * from the options, `plan` (the exact actions, reading the machine, changing nothing) and `verify` (the
 * read-back after the engine ran the actions).
 */
export interface StepDescriptor<I> {
  id: string;
  titleKey: string;
  input: z.ZodType<I>;
  flags: readonly StepFlag[];
  platforms: readonly ('linux' | 'windows')[];
  /** OS families where the window selects the step by default (`all`: everywhere). */
  defaultOn: readonly OsFamily[] | 'all';
  needs: readonly StepNeed[];
  /** The step's input when the options select it, else null. */
  fromOptions(opts: StepOptions, ctx: RequestContext): unknown;
  /** The exact actions; `upToDate` when there is nothing to do. */
  plan(sys: SystemContext, input: I): Promise<StepPlanBody>;
  /** Reads the result back after the actions ran. */
  verify(sys: SystemContext, input: I): Promise<Verification>;
}

/** Erases the input type so steps of different inputs sit in one registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = StepDescriptor<any>;
