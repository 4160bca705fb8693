import { detectIpv6 } from '../../prep/ipv6.js';
import { msg } from '../../message.js';
import { detectAntivirus } from '../../prep/antivirus.js';
import { inspectionOf } from '../facts.js';
import { statusValue } from '../../statusValues.js';
import { type CheckDef, type CheckOutcome } from '../types.js';

const k = msg;

/** av.conflict (Windows) and ipv6.state (Linux): adapters over the preparation issue's detection. */
export const prepChecks: CheckDef[] = [
  {
    id: 'av.conflict',
    titleKey: 'doctor.title.avConflict',
    defaultClass: 'conflict',
    async run(ctx): Promise<CheckOutcome> {
      if (ctx.sys.os !== 'windows') return { status: 'skip', detail: k('doctor.prep.avLinux') };
      const av = await detectAntivirus(ctx.sys);
      const reasons = av.reasons.map((r) => k(r.key, r.params));
      const why = reasons[0] ?? k('doctor.prep.avNone');
      // Not read is not off: `inspect` says "unknown" for the same machine, so the doctor does not say OK.
      if (av.realTimeOn === null) return { status: 'skip', detail: k('doctor.prep.avUnknown', { why }) };
      if (!av.conflict) return { status: 'pass', detail: k('doctor.prep.avOk', { why }) };
      return {
        status: 'fail',
        class: 'conflict',
        detail: k('doctor.prep.avConflict', { why }),
        // The product that is on is the one named (SCEP's policy, or Defender — behind Tamper Protection or not).
        remedy: k(
          av.scep.installed && av.scep.service.running && av.scep.policy.realtime !== 1
            ? 'doctor.prep.avRemedy'
            : av.defender.status?.isTamperProtected
              ? 'doctor.prep.avRemedyDefenderTamper'
              : 'doctor.prep.avRemedyDefender',
        ),
      };
    },
  },
  {
    id: 'ipv6.state',
    titleKey: 'doctor.title.ipv6State',
    defaultClass: 'conflict',
    async run(ctx): Promise<CheckOutcome> {
      if (ctx.sys.os === 'windows') return { status: 'skip', detail: k('doctor.prep.ipv6Windows') };
      const s = await detectIpv6(ctx.sys);
      // Values in the reader's words, the raw value after them (never "モジュール: loaded").
      const params = {
        runtime: statusValue(s.runtime),
        configured: statusValue(s.configured),
        module: statusValue(s.module),
      };
      if (s.rebootPending)
        return {
          status: 'warn',
          class: 'conflict',
          detail: k('doctor.prep.ipv6RebootPending', params),
          remedy: k('doctor.prep.ipv6RebootRemedy'),
        };
      // The manual asks for IPv6 off on RHEL only; elsewhere its state is information.
      const { os } = await inspectionOf(ctx);
      if (os.family === 'rhel' && s.configured === 'on' && s.runtime !== 'off')
        return {
          status: 'warn',
          class: 'conflict',
          detail: k('doctor.prep.ipv6OnRhel', { ...params, os: os.name }),
          remedy: k('doctor.prep.ipv6OnRhelRemedy'),
        };
      return {
        status: s.runtime === 'unknown' && s.configured === 'on' ? 'skip' : 'pass',
        detail: k('doctor.prep.ipv6Info', params),
      };
    },
  },
];
