import type { Lang, Translate } from '../i18n.js';
import type { SystemContext } from '../system.js';
import type { HostsEntry } from '../inputs/managerHosts.js';
import type { ManagerAddress } from '../inputs/activation.js';
import type { Message, MessageParam } from '../message.js';
import type { FailClass } from './failClass.js';

export { FAIL_CLASSES, type FailClass } from './failClass.js';

/** `blocked`: not judged because a prerequisite check failed first (`blockedBy` names it). */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'blocked';

/** One phase of a check toward the manager (DNS → TCP → TLS → the manager answering). */
export interface PhaseOutcome {
  name: 'dns' | 'tcp' | 'tls' | 'manager';
  status: CheckStatus;
  detail: Message;
  ms: number;
}

/** What a check found, before translation. */
export interface CheckOutcome {
  status: CheckStatus;
  detail: Message;
  /** Required unless the status is `pass`. */
  remedy?: Message;
  /** Who the failure is on; null when nothing was judged (the check was cut off by the deadline or its timeout). */
  class?: FailClass | null;
  phases?: PhaseOutcome[];
}

/** A network target the doctor connects to. */
export interface Target {
  host: string;
  port: number;
  role: 'manager' | 'relay' | 'extra';
}

/** Everything the doctor checks against; each field is optional, and a check whose input is missing is `skip`. */
export interface DoctorInputs {
  lang: Lang;
  /** The manager hosts file (`VMSecurity_hosts_cln.txt`), parsed. */
  hostsFile?: { path: string; entries: HostsEntry[] };
  /** The manager from the activation command / deployment script / `--manager`. */
  manager?: ManagerAddress & { saas: boolean; source: string };
  relays?: { host: string; port: number }[];
  extraTargets?: { host: string; port: number }[];
  ntpServer?: string;
  /** The agent's own proxy (`--proxy`, or the agent's configuration): the path the agent takes to the manager. */
  agentProxy?: import('./probes/managerProbe.js').AgentProxy;
  installer?: string;
  kernelList?: string;
  /** Secret values (token, tenant ID) to mask wherever they could appear. */
  secrets?: string[];
  /** The same secrets with their kind (`token`, `tenantID`), for the bundle's manifest. */
  secretFields?: { value: string; kind: string }[];
}

/** What a check runs with. */
export interface CheckContext {
  sys: SystemContext;
  inputs: DoctorInputs;
  /** Per-operation timeout (connect, handshake, NTP query), ms. */
  timeoutMs: number;
  /** The platform the remedies are worded for (RHEL 6, Windows…). */
  platform: import('../platformText.js').PlatformKind;
  probes: import('./probes/managerProbe.js').ProbeCache;
  /** Aborted at the run's deadline: every lookup, connection and child process stops then. */
  signal: AbortSignal;
  /** The run's overall deadline (ms), as given. */
  deadlineMs: number;
  /** Milliseconds left until the run's deadline. */
  remainingMs(): number;
  /** Commands of this run that were stopped because they did not end in time (a hung `dsa_query`). */
  stoppedCommands(): { command: string; ms: number }[];
}

/** A check the doctor can run. */
export interface CheckDef {
  id: string;
  titleKey: string;
  titleParams?: Record<string, MessageParam>;
  /** The class of a failure of this check when the check itself does not say. */
  defaultClass: FailClass;
  /** The check this one builds on (hosts → dns → tcp → tls; installed → service → activated): when it fails,
   *  this one is `blocked` instead of repeating its failure. */
  after?: string[];
  /**
   * Checks that explain a failure of this one of the given class (time.skew explains tls.manager's clock failure):
   * when such a check failed and this one failed with that class, this one is `blocked` by it.
   */
  explainedBy?: { check: string; class: FailClass }[];
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

/** A translated phase, as in the JSON output. */
export interface DoctorPhase {
  name: PhaseOutcome['name'];
  status: CheckStatus;
  detail: string;
  detailRef: Message;
  ms: number;
}

/** One check in the doctor's JSON output (translated text plus the keys to re-render it). */
export interface DoctorCheck {
  id: string;
  status: CheckStatus;
  title: string;
  detail: string;
  remedy: string;
  ms: number;
  class?: FailClass;
  phases?: DoctorPhase[];
  titleRef: Message;
  detailRef: Message;
  remedyRef?: Message;
  /** For `blocked`: the failed check this one depends on. */
  blockedBy?: string;
}

/** The first root cause of a run: which check, its class, one sentence of cause and the remedy. */
export interface Verdict {
  check: string;
  class: FailClass;
  cause: string;
  remedy: string;
  causeRef: Message;
  remedyRef: Message;
}

/** The doctor's JSON document (DESIGN.md). */
export interface DoctorResult {
  version: string;
  lang: Lang;
  generatedAt: string;
  host: {
    hostname: string | null;
    os: string;
    kernel: string | null;
    arch: string | null;
    root: string;
  };
  /** The first root cause (null when nothing failed or warned); printed first. */
  verdict: Verdict | null;
  checks: DoctorCheck[];
  /** What the security group / ACL must allow for these inputs (a full run with a manager or hosts file). */
  openings?: import('../openings.js').OpeningsReport | null;
  summary: { pass: number; warn: number; fail: number; skip: number; blocked: number };
  ms: number;
}

export type { Translate };
