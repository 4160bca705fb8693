import type { Translate } from '../i18n.js';
import { renderMessage, msg as k } from '../message.js';
import { type CheckDef, type DoctorCheck, type Verdict } from './types.js';

/** Display order of statuses: what needs action first, then what passed, then what was not judged. */
const STATUS_ORDER: Record<DoctorCheck['status'], number> = { fail: 0, warn: 1, pass: 2, blocked: 3, skip: 4 };

/**
 * Which check is the root cause when several failed: the first of a chain before what depends on it (the
 * clock before the certificate dates, the agent's proxy before the path through it).
 */
const ROOT_CAUSE_ORDER = [
  'hosts.entries',
  'dns.manager',
  'proxy',
  'net.manager',
  'time.skew',
  'tls.manager',
  'agent.installed',
  'agent.service',
  'agent.activated',
];
const rank = (id: string): number => {
  const i = ROOT_CAUSE_ORDER.indexOf(id);
  return i < 0 ? ROOT_CAUSE_ORDER.length : i;
};

/**
 * Marks a check `blocked` when a prerequisite it builds on failed (or was itself blocked), or when a failed check
 * explains its failure (`explainedBy`): names the root one.
 */
export function applyPrerequisites(
  t: Translate,
  defs: Pick<CheckDef, 'id' | 'after' | 'explainedBy'>[],
  checks: DoctorCheck[],
): DoctorCheck[] {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const out = new Map<string, DoctorCheck>();
  const resolveOne = (c: DoctorCheck): DoctorCheck => {
    const done = out.get(c.id);
    if (done) return done;
    const def = defs.find((d) => d.id === c.id);
    let result = c;
    // A failure of this check's own class that another failed check explains (the clock, for a certificate's
    // dates) is that check's, not a second one.
    const explainers = (def?.explainedBy ?? [])
      .filter((e) => c.status === 'fail' && c.class === e.class && byId.get(e.check)?.status === 'fail')
      .map((e) => e.check);
    for (const pre of [...(def?.after ?? []), ...explainers]) {
      const p = byId.get(pre);
      if (!p) continue;
      const judgedPre = resolveOne(p);
      if (judgedPre.status !== 'fail' && judgedPre.status !== 'blocked') continue;
      const root = judgedPre.blockedBy ?? judgedPre.id;
      // The admin reads the check's title; the id stays in `blockedBy` for scripts.
      const detailRef = k('doctor.blocked.detail', { check: byId.get(root)?.titleRef ?? root });
      const { remedy: _r, remedyRef: _rr, class: _c, phases: _p, ...rest } = c;
      result = {
        ...rest,
        status: 'blocked',
        detail: renderMessage(t, detailRef),
        detailRef,
        remedy: '',
        blockedBy: root,
      };
      break;
    }
    out.set(c.id, result);
    return result;
  };
  return checks.map(resolveOne);
}

/**
 * The first root cause: the first failing check in chain order, else the first warning; null when all is well.
 * A failing check that judged something (it has a class) comes before one cut off by the deadline; when only
 * cut-off checks failed, the verdict is the run's own time limit (class `input`: give it a longer deadline).
 */
export function verdictOf(t: Translate, checks: DoctorCheck[]): Verdict | null {
  const pick = (status: 'fail' | 'warn', judged: boolean): DoctorCheck | undefined =>
    checks
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.status === status && (c.class !== undefined) === judged)
      .sort((a, b) => rank(a.c.id) - rank(b.c.id) || a.i - b.i)[0]?.c;
  const c = pick('fail', true) ?? pick('fail', false) ?? pick('warn', true) ?? pick('warn', false);
  if (!c) return null;
  const remedyRef = c.remedyRef ?? k('doctor.remedy.generic');
  return {
    check: c.id,
    class: c.class ?? 'input',
    cause: renderMessage(t, c.detailRef),
    remedy: renderMessage(t, remedyRef),
    causeRef: c.detailRef,
    remedyRef,
  };
}

/** Sorts checks for display: fail, warn, pass, then blocked and skipped (stable within a status). */
export function displayOrder<T extends { status: DoctorCheck['status'] }>(checks: T[]): T[] {
  return checks
    .map((c, i) => ({ c, i }))
    .sort((a, b) => STATUS_ORDER[a.c.status] - STATUS_ORDER[b.c.status] || a.i - b.i)
    .map(({ c }) => c);
}
