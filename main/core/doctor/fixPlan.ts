import type { Translate } from '../i18n.js';
import { msg, renderMessage, type Message } from '../message.js';
import { buildPlan, type StepRequest } from '../engine/plan.js';
import type { Plan } from '../steps/types.js';
import type { SystemContext } from '../system.js';
import { AGENT_PORTS, type FirewallRule } from '../prep/firewall.js';
import { isIpAddress } from '../inputs/names.js';
import type { DoctorCheck, DoctorInputs, DoctorResult } from './types.js';

/** A finding this machine cannot fix: who must act, and what to ask of them. */
export interface ElsewhereFix {
  check: string;
  who: Message;
  what: Message;
}

/** What `doctor --fix` found: the plan of the steps that fix findings here, and what others must fix. */
export interface DoctorFixes {
  plan: Plan;
  /** Which check each planned step answers. */
  fixes: { check: string; step: string }[];
  elsewhere: ElsewhereFix[];
}

const param = (c: DoctorCheck, name: string): string => String(c.detailRef.params?.[name] ?? '');

/**
 * Turns the doctor's findings into a plan (`apply --plan`): hosts lines → the hosts step, a host firewall
 * dropping the manager's port → the firewall step, a conflicting antivirus → the antivirus step, this clock
 * wrong → the time-sync step. What only others can fix (a security group, the manager's clock, a TLS-inspecting
 * proxy, DNS servers) is listed with who must act.
 */
export async function doctorFixPlan(
  sys: SystemContext,
  inputs: DoctorInputs,
  result: DoctorResult,
): Promise<DoctorFixes> {
  const requests: StepRequest[] = [];
  const fixes: DoctorFixes['fixes'] = [];
  const elsewhere: ElsewhereFix[] = [];
  const want = (check: string, req: StepRequest): void => {
    if (!requests.some((r) => r.stepId === req.stepId)) requests.push(req);
    fixes.push({ check, step: req.stepId });
  };
  const other = (check: string, who: string, what: Message): void => {
    elsewhere.push({ check, who: msg(`doctor.fix.who.${who}`), what });
  };
  for (const c of result.checks) {
    if (c.status !== 'fail' && c.status !== 'warn') continue;
    const key = c.detailRef.key;
    const hosts = inputs.hostsFile;
    if ((c.id === 'hosts.entries' && c.class === 'dns') || (c.id === 'dns.manager' && hosts)) {
      if (hosts) want(c.id, { stepId: 'hosts', input: { source: hosts.path, entries: hosts.entries } });
      if (c.id === 'dns.manager' && /timeout|servfail|refused/.test(key))
        other(c.id, 'dns', msg('doctor.fix.what.dns', { servers: param(c, 'servers') }));
      continue;
    }
    if (c.id === 'net.manager' || c.id.startsWith('net.relay.') || c.id.startsWith('net.extra.')) {
      const address = param(c, 'address');
      const port = Number(param(c, 'port'));
      if (/doctor\.tcp\.(timeout|noAnswer|hostDown)$/.test(key) && isIpAddress(address) && port > 0) {
        const rules: FirewallRule[] = [{ direction: 'out', address, port }];
        if (c.id === 'net.manager' && inputs.manager && !inputs.manager.saas)
          rules.push({ direction: 'in', address, port: AGENT_PORTS.agent });
        want(c.id, { stepId: 'firewall', input: { rules } });
        other(c.id, 'network', msg('doctor.fix.what.securityGroup', { address, port, agentPort: AGENT_PORTS.agent }));
      } else if (/routeRefuses|noRoute/.test(key)) other(c.id, 'network', msg('doctor.fix.what.route', { address }));
      else if (/proxy/.test(key)) other(c.id, 'proxy', msg('doctor.fix.what.proxy', { proxy: param(c, 'proxy') }));
      continue;
    }
    if (c.id === 'proxy') {
      other(c.id, 'proxy', msg('doctor.fix.what.proxy', { proxy: param(c, 'proxy') }));
      continue;
    }
    if (c.id === 'tls.manager') {
      const host = inputs.manager?.host ?? '';
      const port = inputs.manager?.port ?? 0;
      if (c.class === 'proxy') other(c.id, 'proxy', msg('doctor.fix.what.inspection', { host, port }));
      else if (/serverError/.test(key)) other(c.id, 'manager', msg('doctor.fix.what.managerError', { host }));
      else if (/Certificate$/.test(key)) other(c.id, 'manager', msg('doctor.fix.what.certificateDates', { host }));
      else if (c.class === 'manager') other(c.id, 'manager', msg('doctor.fix.what.managerAnswer', { host, port }));
      // This clock wrong by another clock: time.skew plans the time-sync step; no other clock: which is wrong.
      else if (c.class === 'clock' && !/ThisClock$/.test(key))
        other(c.id, 'manager', msg('doctor.fix.what.certificate', { host }));
      continue;
    }
    if (c.id === 'time.skew') {
      if (key === 'doctor.time.thisClockWrong')
        want(c.id, { stepId: 'time-sync', input: { server: param(c, 'server') } });
      else if (key === 'doctor.time.managerClockWrong')
        other(c.id, 'manager', msg('doctor.fix.what.managerClock', { host: param(c, 'host') }));
      else if (key === 'doctor.time.cannotTell')
        other(c.id, 'you', msg('doctor.fix.what.whichClock', { host: param(c, 'host') }));
      continue;
    }
    if (c.id === 'av.conflict') want(c.id, { stepId: 'antivirus', input: {} });
  }
  return { plan: await buildPlan(sys, requests), fixes, elsewhere };
}

/** What `doctor --fix` wrote and what is left to others, in the user's language. */
export function fixText(t: Translate, out: string, f: DoctorFixes): string {
  const steps = [...new Set(f.fixes.map((x) => x.step))];
  const lines = [
    steps.length
      ? t('doctor.fix.written', { file: out, steps: steps.join(', ') })
      : t('doctor.fix.nothingHere', { file: out }),
  ];
  if (f.elsewhere.length) {
    lines.push(t('doctor.fix.elsewhere'));
    for (const e of f.elsewhere) lines.push(`  - ${e.check}: ${renderMessage(t, e.who)} — ${renderMessage(t, e.what)}`);
  }
  return lines.join('\n');
}
