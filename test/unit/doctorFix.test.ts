import { afterAll, describe, expect, it } from 'vitest';
import { createSystemContext } from '../../main/core/system.js';
import { translator } from '../../main/core/i18n.js';
import { doctorFixPlan, fixText } from '../../main/core/doctor/fixPlan.js';
import type { DoctorCheck, DoctorResult } from '../../main/core/doctor/types.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

afterAll(() => cleanupRoots());

const en = translator('en');

/** A finding as the doctor reports it (only what --fix reads: id, status, class and the detail's message). */
const finding = (
  id: string,
  cls: DoctorCheck['class'],
  key: string,
  params: Record<string, string | number>,
): DoctorCheck => ({
  id,
  status: 'fail',
  class: cls,
  title: id,
  detail: '',
  remedy: '',
  ms: 1,
  titleRef: { key: 'x', params: {} },
  detailRef: { key, params },
});

describe('doctor --fix: what a step fixes here, and who must act on the rest', () => {
  it('a dropped manager port plans the firewall step (outbound and the manager-initiated 4118) and names the security group', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const result = {
      checks: [
        finding('net.manager', 'tcp', 'doctor.tcp.timeout', { address: '203.0.113.10', port: 4120 }),
        finding('tls.manager', 'proxy', 'doctor.tls.intercepted', { host: 'dsm01.example', port: 4120 }),
        finding('time.skew', 'clock', 'doctor.time.managerClockWrong', { host: 'dsm01.example' }),
        finding('proxy', 'proxy', 'doctor.tcp.proxyDenied', { proxy: '10.0.0.8:3128' }),
      ],
    } as unknown as DoctorResult;
    const f = await doctorFixPlan(
      createSystemContext({ root }),
      { lang: 'en', manager: { host: 'dsm01.example', port: 4120, saas: false, source: '--manager' } } as never,
      result,
    );
    expect(f.plan.steps.map((s) => [s.id, s.input])).toEqual([
      [
        'firewall',
        {
          rules: [
            { direction: 'out', address: '203.0.113.10', port: 4120 },
            { direction: 'in', address: '203.0.113.10', port: 4118 },
          ],
        },
      ],
    ]);
    const text = fixText(en, '/tmp/plan.json', f);
    expect(text).toContain('Plan written to /tmp/plan.json (steps: firewall)');
    expect(text).toContain(
      'net.manager: the network or cloud administrator — allow outbound TCP to 203.0.113.10 port 4120 in the security group',
    );
    expect(text).toContain(
      "tls.manager: the proxy's administrator — exempt dsm01.example port 4120 from TLS inspection",
    );
    expect(text).toContain(
      "time.skew: the manager's administrator — synchronise the clock of the manager dsm01.example",
    );
    expect(text).toContain("proxy: the proxy's administrator — let the proxy 10.0.0.8:3128 tunnel");
  });
});
