import type { ApplyOutcome } from '../engine/apply.js';
import type { StampedEvent } from '../engine/journal.js';
import type { DoctorCheck, DoctorResult } from '../doctor/types.js';
import { toStatusView } from '../agent/agentStatus.js';
import { msg, renderMessage, type Message } from '../message.js';
import { translator, type Lang } from '../i18n.js';
import { statusValue } from '../statusValues.js';
import type { ActivationView, ApplyView, CheckView, DoctorView, ProgressEvent } from '../ipc/contract.js';
import type { ActivationRun } from './activation.js';

/** An apply's outcome as the window shows it. */
export function applyView(o: ApplyOutcome): ApplyView {
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
export function progressEvent(runId: string, e: StampedEvent): ProgressEvent {
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

/** A doctor check, untranslated (its refs): the window renders it in its own language. */
export function checkView(c: DoctorCheck): CheckView {
  return {
    id: c.id,
    status: c.status,
    title: c.titleRef,
    detail: c.detailRef,
    ...(c.remedyRef ? { remedy: c.remedyRef } : {}),
    ...(c.blockedBy ? { blockedBy: c.blockedBy } : {}),
    ms: c.ms,
  };
}

/** A blocked check names the check it waits on by that check's title (in the reader's language), not its id. */
function withBlockerTitle(v: CheckView, all: DoctorCheck[]): CheckView {
  const blocker = v.blockedBy ? all.find((c) => c.id === v.blockedBy) : undefined;
  if (!blocker || v.detail.params.check !== blocker.id) return v;
  return { ...v, detail: msg(v.detail.key, { ...v.detail.params, check: blocker.titleRef }) };
}

/** The doctor's result, untranslated: its verdict (when it names one), its checks, the summary, what a step fixes. */
export function doctorView(r: DoctorResult, fixable: string[] = []): DoctorView {
  const v = r.verdict;
  return {
    verdict: v ? { check: v.check, class: v.class, cause: v.causeRef, remedy: v.remedyRef } : null,
    checks: r.checks.map((c) => withBlockerTitle(checkView(c), r.checks)),
    summary: r.summary,
    ms: r.ms,
    fixable,
  };
}

/** An activation as the window shows it: the result as messages, and on failure the checks that bear on it. */
export function activationView(r: ActivationRun): ActivationView {
  // Accepted but never in contact with the manager: installed is not protecting, so it is not a success.
  const noContact = r.outcome.ok && !r.ok;
  const waited = {
    seconds: Math.round((r.contact?.waitedMs ?? 0) / 1000),
    state: statusValue(r.contact?.state.agentState),
  };
  // The remedy worded for the platform and the manager in use (activationRemedy), as the CLI shows it.
  const remedy = noContact ? msg('agent.activate.noContactRemedy') : (r.remedy ?? r.outcome.remedy);
  return {
    ok: r.ok,
    message: noContact ? msg('agent.activate.noContact', waited) : r.outcome.message,
    ...(r.ok ? {} : { remedy }),
    checks: (r.doctor?.checks ?? []).map(checkView),
    ...(!r.outcome.ok && r.attempts.length
      ? { agentOutput: { text: r.attempts.at(-1)!.output, exitCode: r.attempts.at(-1)!.exitCode } }
      : {}),
    hostname: r.hostname ? { value: r.hostname.value, source: r.hostname.source } : null,
    status: r.status ? toStatusView(r.status) : null,
  };
}

/** The doctor's result with its texts rendered again in `lang` from their refs (the exports follow the window). */
export function resultIn(r: DoctorResult, lang: Lang): DoctorResult {
  const t = translator(lang);
  const render = (m: Message): string => renderMessage(t, m);
  const v = r.verdict;
  return {
    ...r,
    lang,
    verdict: v ? { ...v, cause: render(v.causeRef), remedy: render(v.remedyRef) } : null,
    checks: r.checks.map((c) => ({
      ...c,
      title: render(c.titleRef),
      detail: render(c.detailRef),
      remedy: c.remedyRef ? render(c.remedyRef) : c.remedy,
      ...(c.phases ? { phases: c.phases.map((p) => ({ ...p, detail: render(p.detailRef) })) } : {}),
    })),
  };
}
