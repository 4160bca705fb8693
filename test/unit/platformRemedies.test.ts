import { afterAll, describe, expect, it } from 'vitest';
import { translator } from '../../main/core/i18n.js';
import { renderMessage } from '../../main/core/message.js';
import { createSystemContext } from '../../main/core/system.js';
import { platformOf } from '../../main/core/platformText.js';
import { clockRemedy } from '../../main/core/doctor/checks/time.js';
import { agentServiceRemedy, notActivatedRemedy } from '../../main/core/doctor/checks/agent.js';
import { activationOutcome, activationRemedy } from '../../main/core/agent/activationFailure.js';
import type { CheckContext } from '../../main/core/doctor/types.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';

afterAll(cleanupRoots);
const en = translator('en');
const URL = 'dsm://dsm01.example.jp:4120/';

/** The remedies a root gets for its clock, its agent service and activation, as the admin reads them. */
async function remedies(root: string, timeServices: string[]) {
  const sys = createSystemContext({ root });
  const kind = await platformOf(sys);
  const text = (m: Parameters<typeof renderMessage>[1]): string => renderMessage(en, m);
  return {
    kind,
    time: text(await clockRemedy({ sys } as unknown as CheckContext, 'ntp.example.jp', timeServices)),
    service: text(agentServiceRemedy(kind)),
    activation: text(notActivatedRemedy(kind, URL)),
    activationNoManager: text(notActivatedRemedy(kind, null)),
    activateFailed: text(
      activationRemedy(activationOutcome('agentNotRunning'), { platform: kind, flavour: 'on-premises', manager: 'x' }),
    ),
  };
}

describe('remedies that work as written on the platform of the root', () => {
  it('RHEL 6: ntpd with service and chkconfig, the agent started with service, dsa_control by its path with sudo', async () => {
    const r = await remedies(makeRoot({ ...OS_RELEASE.el6 }), ['ntpd']);
    expect(r.kind).toBe('el6');
    expect(r.time).toContain('service ntpd stop; ntpdate -u ntp.example.jp');
    expect(r.time).toContain('chkconfig ntpd on');
    expect(r.time).not.toMatch(/chronyc|timedatectl|systemctl/);
    expect(r.service).toContain('sudo service ds_agent start');
    expect(r.activateFailed).toContain('sudo service ds_agent start');
    expect(r.activation).toContain(`sudo /opt/ds_agent/dsa_control -a ${URL}`);
  });

  it('RHEL 8: chrony and systemctl', async () => {
    const r = await remedies(makeRoot({ ...OS_RELEASE.el8 }), ['chronyd']);
    expect(r.kind).toBe('el');
    expect(r.time).toContain('"server ntp.example.jp iburst" to /etc/chrony.conf, systemctl restart chronyd');
    expect(r.service).toContain('sudo systemctl start ds_agent');
    expect(r.service).not.toContain('/etc/init.d');
    expect(r.activation).toContain(`sudo /opt/ds_agent/dsa_control -a ${URL}`);
  });

  it('Ubuntu 22.04: systemd-timesyncd, systemctl', async () => {
    const r = await remedies(makeRoot({ ...OS_RELEASE.ubuntu2204 }), ['systemd-timesyncd']);
    expect(r.kind).toBe('debian');
    expect(r.time).toContain('NTP=ntp.example.jp in /etc/systemd/timesyncd.conf');
    expect(r.service).toContain('sudo systemctl start ds_agent');
  });

  it('Windows: w32tm, Start-Service and dsa_control.cmd by its full path in an administrator PowerShell, no sudo', async () => {
    const r = await remedies(makeRoot({ windows: true }), []);
    expect(r.kind).toBe('windows');
    expect(r.time).toContain('w32tm /config /manualpeerlist:ntp.example.jp /syncfromflags:manual /update');
    expect(r.service).toContain('Start-Service ds_agent (in an administrator PowerShell)');
    expect(r.activation).toContain(
      `& 'C:\\Program Files\\Trend Micro\\Deep Security Agent\\dsa_control.cmd' -a ${URL} (in an administrator PowerShell)`,
    );
    for (const s of Object.values(r)) expect(s).not.toMatch(/\bsudo\b|systemctl|\bsc start\b/);
  });

  it('never "dsa_control -a dsm://:PORT/" with the host missing: without a manager it names the activation file', async () => {
    const r = await remedies(makeRoot({ ...OS_RELEASE.el8 }), ['chronyd']);
    expect(r.activationNoManager).toContain('the dsa_control -a command of the activation file');
    expect(r.activationNoManager).not.toContain('dsm://');
  });
});
