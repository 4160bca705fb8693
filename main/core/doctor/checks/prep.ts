import { detectIpv6 } from '../../prep/ipv6.js';
import { msg } from '../../message.js';
import { detectAntivirus } from '../../prep/antivirus.js';
import { detectOs } from '../../platform/inspect.js';
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
      if (!av.conflict) return { status: 'pass', detail: k('doctor.prep.avOk', { why }) };
      return {
        status: 'fail',
        class: 'conflict',
        detail: k('doctor.prep.avConflict', { why }),
        remedy: k('doctor.prep.avRemedy'),
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
      const os = await detectOs(ctx.sys);
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
