import { afterAll, describe, expect, it } from 'vitest';
import { translator } from '../../main/core/i18n.js';
import { createSystemContext } from '../../main/core/system.js';
import { inspectPrep, prepInspectionRows } from '../../main/core/prep/inspectPrep.js';
import { prepChecks } from '../../main/core/doctor/checks/prep.js';
import { renderMessage } from '../../main/core/message.js';
import type { CheckContext } from '../../main/core/doctor/types.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

afterAll(cleanupRoots);

describe('inspect and the doctor read the same fact the same way', () => {
  it('EL6 with the Cloudn manual applied (ipv6 loaded with disable=1): both say the module is loaded and IPv6 is off', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el6,
      files: {
        'etc/modprobe.d/disable-ipv6.conf': 'options ipv6 disable=1\n',
        'proc/sys/kernel/osrelease': '2.6.32-754.el6.x86_64\n',
        'proc/modules': 'ipv6 336282 0 - Live 0xffffffffa0204000\n',
        'sys/module/ipv6/parameters/disable': '1\n',
      },
    });
    const sys = createSystemContext({ root });
    for (const lang of ['en', 'ja'] as const) {
      const t = translator(lang);
      const rows = prepInspectionRows(t, await inspectPrep(sys));
      const inspect = rows.find(([label]) => label === t('prep.inspect.ipv6.label'))![1];
      const check = prepChecks.find((c) => c.id === 'ipv6.state')!;
      const o = await check.run({ sys } as unknown as CheckContext);
      const doctor = renderMessage(t, o.detail);
      if (lang === 'en') {
        expect(inspect).toContain('the ipv6 module is loaded but disabled (disable=1)');
        expect(inspect).not.toContain('not loaded');
        expect(doctor).toContain('module: loaded');
      } else {
        expect(inspect).toContain('ipv6 モジュールは読み込まれていますが無効');
        expect(doctor).toContain('モジュール: 読み込み済み');
        expect(doctor).not.toMatch(/モジュール: loaded/);
      }
    }
  });
});
