import pkg from '../../../package.json' with { type: 'json' };
import { inspectionOf } from './facts.js';
import { translator, type Translate } from '../i18n.js';
import { redactJson } from '../secrets.js';
import type { SystemContext } from '../system.js';
import { allChecks } from './checks/index.js';
import { ProbeCache } from './probes/managerProbe.js';
import { msg, renderMessage } from '../message.js';
import { Deadline } from '../deadline.js';
import { DsaError, inputError } from '../errors.js';
import { agentProxyOf } from './checks/proxy.js';
import { applyPrerequisites, displayOrder, verdictOf } from './verdict.js';
import { openingsReport, type OpeningInputs } from '../openings.js';
import { resolveLikeSystem } from './probes/dns.js';
import { asAdmin, dsaControl, platformOf, restartAgentCommand } from '../platformText.js';
import {
  type CheckContext,
  type CheckDef,
  type CheckOutcome,
  type DoctorCheck,
  type DoctorInputs,
  type DoctorResult,
} from './types.js';

export type { DoctorInputs, DoctorResult, DoctorCheck } from './types.js';

/** Default per-check timeout (ms). */
export const DEFAULT_CHECK_TIMEOUT_MS = 3_000;

/** Slack a check gets beyond its own timeout before the runner gives up on it. */
const GUARD_SLACK_MS = 400;

/** Time kept before the deadline to translate and print the result. */
const PRINT_MARGIN_MS = 60;

/** How long before the checks' end the run's signal aborts what still runs. */
const ABORT_LEAD_MS = 80;

export interface DoctorOptions {
  /** Run only these check ids (a prefix ending in `.` or `*` selects a family: `net.`, `agent.*`). */
  only?: string[];
  /** Each network operation's timeout (connect, handshake, NTP); default 3000. */
  timeoutMs?: number;
  /** One deadline for the whole run (ms); checks still running then are reported as past it. */
  deadlineMs?: number;
  /** Called as each check ends (the GUI shows progress). */
  onCheck?: (c: DoctorCheck) => void;
  /** Ends the run early (the caller's own deadline). */
  signal?: AbortSignal;
  /** When the deadline's clock started (`performance.now()` time; the CLI gives 0: the process's start). */
  startedAt?: number;
}

/** Whether a check id is selected by `--only`. */
export function selected(id: string, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => {
    const p = o.replace(/\*$/, '');
    return p.endsWith('.') ? id.startsWith(p) : id === p;
  });
}

const k = msg;

/** The openings' inputs from the doctor's: the portal's hosts file, the manager, the relays and other targets. */
export function openingInputsOf(inputs: DoctorInputs): OpeningInputs {
  const extra = [...(inputs.relays ?? []), ...(inputs.extraTargets ?? [])].map((r) => ({
    host: r.host,
    port: r.port,
    source: '--relay/--target',
  }));
  return {
    ...(inputs.hostsFile ? { hostsFile: inputs.hostsFile } : {}),
    ...(inputs.manager
      ? {
          manager: {
            host: inputs.manager.host,
            port: inputs.manager.port,
            saas: inputs.manager.saas,
            source: inputs.manager.source,
          },
        }
      : {}),
    ...(extra.length ? { extra } : {}),
  };
}

/** Races a promise against a timer; the loser's value is `onTimeout()`. */
function within<T>(p: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Translates one outcome into the JSON form; a fail without a remedy is a bug and gets a generic one. */
export function toDoctorCheck(t: Translate, def: CheckDef, o: CheckOutcome, ms: number): DoctorCheck {
  const titleRef = k(def.titleKey, def.titleParams);
  const remedyRef =
    o.status === 'pass' || o.status === 'blocked'
      ? undefined
      : (o.remedy ?? (o.status === 'skip' ? undefined : k('doctor.remedy.generic')));
  // A check cut off before it judged anything has no class: it would blame a party nobody observed.
  const cls =
    (o.status === 'fail' || o.status === 'warn') && o.class !== null ? (o.class ?? def.defaultClass) : undefined;
  return {
    id: def.id,
    status: o.status,
    title: renderMessage(t, titleRef),
    detail: renderMessage(t, o.detail),
    remedy: remedyRef ? renderMessage(t, remedyRef) : '',
    ms: Math.round(ms),
    ...(cls ? { class: cls } : {}),
    ...(o.phases
      ? {
          phases: o.phases.map((p) => ({
            name: p.name,
            status: p.status,
            detail: renderMessage(t, p.detail),
            detailRef: p.detail,
            ms: p.ms,
          })),
        }
      : {}),
    titleRef,
    detailRef: o.detail,
    ...(remedyRef ? { remedyRef } : {}),
  };
}

/**
 * Runs the doctor: every selected check at once, each with its own timeout, all under one overall deadline
 * (a check still running then is reported as past the deadline, and every lookup, connection and child
 * process it started is stopped), and returns the translated result with its verdict first.
 */
export async function runDoctor(
  liveSys: SystemContext,
  inputs: DoctorInputs,
  opts: DoctorOptions = {},
): Promise<DoctorResult> {
  const started = opts.startedAt ?? performance.now();
  const t = translator(inputs.lang);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const deadlineMs = opts.deadlineMs ?? timeoutMs * 2 + 1_000;
  // Checks end a little before the deadline, so that the answer is printed by then; what still runs is aborted
  // a moment earlier, so that a check cut off says what it was waiting for (a silent nameserver…).
  const budget = Math.max(0, started + deadlineMs - PRINT_MARGIN_MS - performance.now());
  const deadlineAt = performance.now() + budget;
  const deadline = new Deadline(Math.max(0, budget - ABORT_LEAD_MS));
  // Stop at the caller's signal too (the CLI's own deadline, a closed window).
  opts.signal?.addEventListener('abort', () => deadline.end(), { once: true });
  const sys = deadline.system(liveSys);
  // The agent's own proxy (its configuration) is the path to the manager unless --proxy gave one.
  if (!inputs.agentProxy) {
    const fromAgent = await agentProxyOf(sys).catch(() => null);
    if (fromAgent) inputs = { ...inputs, agentProxy: fromAgent };
  }
  // The platform the remedies are worded for (RHEL 6's service, Windows' administrator PowerShell…).
  const kind = await platformOf(sys);
  const all = allChecks({ inputs });
  const defs = all.filter((d) => selected(d.id, opts.only));
  if (defs.length === 0)
    throw inputError(
      'doctor.noSuchCheck',
      msg('doctor.input.noSuchCheck', {
        only: (opts.only ?? []).join(', '),
        ids: all.map((d) => d.id).join(', '),
      }),
    );
  const ctx: CheckContext = {
    sys,
    inputs,
    timeoutMs,
    platform: kind,
    signal: deadline.signal,
    deadlineMs,
    remainingMs: () => deadline.remaining(),
    stoppedCommands: () => [...deadline.stopped],
    probes: new ProbeCache(sys, timeoutMs, deadline.signal, inputs.agentProxy ?? null),
  };
  // The openings table of a full run: names resolved as the system resolver does (the root's hosts file first).
  const openingsP =
    !opts.only?.length && (inputs.manager || inputs.hostsFile)
      ? within(
          openingsReport(openingInputsOf(inputs), t, {
            lookup: async (name) => {
              const r = await resolveLikeSystem(sys, name, timeoutMs, deadline.signal);
              return r.ok ? [r.address] : [];
            },
            timeoutMs,
          }).catch(() => null),
          Math.max(0, deadlineAt - performance.now()),
          () => null,
        )
      : Promise.resolve(null);
  const rawP = Promise.all(
    defs.map(async (def) => {
      const t0 = performance.now();
      // A check may need a few sequential operations (DNS, then TCP, then TLS): it gets up to three timeouts,
      // never beyond the overall deadline.
      const guard = Math.max(0, Math.min(timeoutMs * 3 + GUARD_SLACK_MS, deadlineAt - t0));
      const outcome = await within<CheckOutcome>(
        deadline
          .runAs(def.id, () => def.run(ctx))
          // An error the tool explains (a system file that is a pipe, unreadable…) keeps its text and remedy.
          .catch((e: unknown): CheckOutcome => ({
            status: 'fail',
            detail: k('doctor.common.crashed', {
              message: e instanceof DsaError ? e.info.message : e instanceof Error ? e.message : String(e),
            }),
            remedy: (e instanceof DsaError ? e.info.remedy : undefined) ?? k('doctor.remedy.generic'),
          })),
        guard,
        (): CheckOutcome => {
          const pastDeadline = performance.now() >= deadlineAt - 5;
          // A program that did not end (a hung dsa_query) is named, with its own remedy.
          const command = deadline.waitingFor(def.id)[0];
          if (command)
            return {
              status: 'fail',
              class: def.defaultClass,
              detail: k('doctor.common.commandHung', { command, ms: pastDeadline ? deadlineMs : Math.round(guard) }),
              remedy: k(`doctor.common.commandHungRemedy${sys.os === 'windows' ? 'Windows' : ''}`, {
                command,
                restart: asAdmin(kind, restartAgentCommand(kind)),
                diag: dsaControl(kind, ['-d']),
              }),
            };
          return {
            status: 'fail',
            class: null,
            detail: pastDeadline
              ? k('doctor.common.pastDeadline', { ms: deadlineMs })
              : k('doctor.common.timedOut', { ms: Math.round(guard) }),
            remedy: k('doctor.common.timedOutRemedy', { ms: timeoutMs }),
          };
        },
      );
      const c = toDoctorCheck(t, def, outcome, performance.now() - t0);
      opts.onCheck?.(c);
      return c;
    }),
  );
  // The host line reads the machine through the checks' shared reading, started after them: a program that hangs
  // is then named by the check that started it (os.supported), not left to no one.
  const hostP = within(
    inspectionOf(ctx).catch(() => null),
    Math.max(0, deadlineAt - performance.now()),
    () => null,
  );
  const raw = await rawP;
  // Whatever still runs (a lookup nobody answers, a child that hangs) is stopped now.
  deadline.end();
  const host = await hostP;
  const checks = displayOrder(applyPrerequisites(t, defs, raw));
  const summary = { pass: 0, warn: 0, fail: 0, skip: 0, blocked: 0 };
  for (const c of checks) summary[c.status] += 1;
  const result: DoctorResult = {
    verdict: verdictOf(t, checks),
    version: pkg.version,
    lang: inputs.lang,
    generatedAt: new Date().toISOString(),
    host: {
      hostname: host?.hostname ?? null,
      os: host?.os.name ?? 'unknown',
      kernel: host?.kernel ?? null,
      arch: host?.arch ?? null,
      root: liveSys.root,
    },
    checks,
    openings: await openingsP,
    summary,
    ms: Math.round(performance.now() - started),
  };
  return redactJson(result, inputs.secrets ?? []);
}
