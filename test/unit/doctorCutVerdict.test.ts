import { describe, expect, it } from 'vitest';
import { translator } from '../../main/core/i18n.js';
import { toDoctorCheck } from '../../main/core/doctor/runDoctor.js';
import { verdictOf } from '../../main/core/doctor/verdict.js';
import type { CheckDef, CheckOutcome } from '../../main/core/doctor/types.js';
import { msg } from '../../main/core/message.js';

const en = translator('en');

const def = (id: string, defaultClass: CheckDef['defaultClass']): CheckDef => ({
  id,
  titleKey: 'doctor.title.dnsManager',
  defaultClass,
  run: () => Promise.reject(new Error('not run here')),
});

/** A check the deadline cut while a nameserver stayed silent: nothing about DNS was judged. */
const cut: CheckOutcome = {
  status: 'fail',
  class: null,
  detail: msg('doctor.common.cutAtDeadline', { what: 'x', ms: 2000 }),
  remedy: msg('doctor.common.timedOutRemedy', { ms: 3000 }),
};

describe('a check cut off by the deadline blames no one', () => {
  it('has no class, though its check has a default one', () => {
    const c = toDoctorCheck(en, def('dns.manager', 'dns'), cut, 2000);
    expect(c.status).toBe('fail');
    expect(c.class).toBeUndefined();
    expect(c.detail).toContain('still awaited at the overall deadline (2000 ms)');
  });

  it('is not the root cause when a check that judged something failed, even one later in the chain', () => {
    const dns = toDoctorCheck(en, def('dns.manager', 'dns'), cut, 2000);
    const clock = toDoctorCheck(
      en,
      def('time.skew', 'clock'),
      { status: 'fail', detail: msg('doctor.common.timedOut', { ms: 1 }), remedy: msg('doctor.remedy.generic') },
      10,
    );
    expect(verdictOf(en, [dns, clock])).toMatchObject({ check: 'time.skew', class: 'clock' });
  });

  it("when only cut-off checks failed, the verdict is the time limit given (input), not the check's party", () => {
    const dns = toDoctorCheck(en, def('dns.manager', 'dns'), cut, 2000);
    const v = verdictOf(en, [dns]);
    expect(v).toMatchObject({ check: 'dns.manager', class: 'input' });
    expect(v!.remedy).toContain('--timeout');
  });
});
