import { startChronyd, type Chronyd } from '../helpers/chronyd.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCliJson } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { startStandInManager } from '../fixtures/manager/standInManager.js';
import type { DoctorCheck, DoctorResult } from '../../main/core/doctor/types.js';

const NTP_ADDR = `127.0.${Math.floor(Math.random() * 200) + 20}.${Math.floor(Math.random() * 200) + 20}`;
const JA = /[\u3040-\u30ff\u4e00-\u9fff]/;

function check(r: DoctorResult, id: string): DoctorCheck {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

describe('time.skew against chronyd serving time on loopback', () => {
  let chrony: Chronyd;
  let port = 0;
  beforeAll(async () => {
    chrony = await startChronyd(NTP_ADDR);
    port = chrony.port;
  });
  afterAll(() => {
    chrony?.stop();
    cleanupRoots();
  });

  it('in sync: pass, with the NTP offset and whether a time service runs', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const r = await runCliJson<DoctorResult>([
      'doctor',
      '--root',
      root,
      '--ntp-server',
      `${NTP_ADDR}:${port}`,
      '--only',
      'time.skew',
    ]);
    const c = check(r.json, 'time.skew');
    expect(c.status, c.detail).toBe('pass');
    expect(c.detail).toContain(`NTP ${NTP_ADDR}:${port} (stratum`);
    expect(r.exitCode).toBe(0);
  });

  it('this clock 10 minutes ahead (faketime): fail with the offset, class clock, remedy in the language asked', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    for (const lang of ['en', 'ja'] as const) {
      const r = await execa(
        'faketime',
        [
          '-f',
          '+10m',
          process.execPath,
          CLI,
          'doctor',
          '--json',
          '--root',
          root,
          '--ntp-server',
          `${NTP_ADDR}:${port}`,
          '--only',
          'time.skew',
          '--lang',
          lang,
        ],
        { reject: false, env: { LANG: 'C' } },
      );
      const json = JSON.parse(String(r.stdout)) as DoctorResult;
      const c = check(json, 'time.skew');
      expect(r.exitCode).toBe(1);
      expect(c.status).toBe('fail');
      expect(c.class).toBe('clock');
      const offset = Number(/(\d+\.\d) (s|秒)/.exec(c.detail)?.[1]);
      expect(offset).toBeGreaterThan(590);
      expect(offset).toBeLessThan(610);
      expect(json.verdict).toMatchObject({ check: 'time.skew', class: 'clock' });
      // chrony's own syntax with the real server and port, then the step.
      expect(c.remedy).toContain(`server ${NTP_ADDR} port ${port} iburst`);
      expect(c.remedy).toContain('chronyc makestep');
      expect(c.detailRef.key).toBe('doctor.time.thisClockWrong');
      if (lang === 'ja') {
        expect(c.detail).toContain('進んでいます');
        expect(c.remedy).toMatch(JA);
      } else expect(c.detail).toContain('ahead');
    }
  });

  it("NTP agrees with this machine, the manager's Date is 10 minutes ahead: the manager's clock is blamed", async () => {
    const NAME = 'dsm-clock-ahead.test';
    const mgr = await startStandInManager({ host: NTP_ADDR, names: [NAME], dateOffsetMs: 600_000 });
    try {
      const root = makeRoot({ ...OS_RELEASE.el9, hosts: `${NTP_ADDR} ${NAME}\n` });
      const r = await runCliJson<DoctorResult>(
        [
          'doctor',
          '--root',
          root,
          '--manager',
          `dsm://${NAME}:${mgr.port}/`,
          '--ntp-server',
          `${NTP_ADDR}:${port}`,
          '--only',
          'time.skew',
          '--only',
          'tls.manager',
        ],
        { env: { NODE_EXTRA_CA_CERTS: mgr.certs.caFile } },
      );
      const c = check(r.json, 'time.skew');
      expect(c.status, c.detail).toBe('fail');
      expect(c.class).toBe('clock');
      expect(c.detailRef.key).toBe('doctor.time.managerClockWrong');
      expect(c.detail).toMatch(/The manager's clock is (59\d|60\d)\.\d s ahead/);
      expect(c.remedy).toContain(`administrator of the manager ${NAME}`);
      expect(c.remedy).not.toContain('makestep');
      expect(r.json.verdict).toMatchObject({ check: 'time.skew', class: 'clock' });
      expect(r.json.verdict!.remedy).toBe(c.remedy);
      expect(r.exitCode).toBe(1);
    } finally {
      await mgr.close();
    }
  });

  it("no NTP server and the manager's Date 2 minutes off: it cannot tell which clock, and says how to find out", async () => {
    const NAME = 'dsm-clock.test';
    const mgr = await startStandInManager({ host: NTP_ADDR, names: [NAME], dateOffsetMs: 120_000 });
    try {
      const root = makeRoot({ ...OS_RELEASE.el9, hosts: `${NTP_ADDR} ${NAME}\n` });
      const r = await runCliJson<DoctorResult>(
        ['doctor', '--root', root, '--manager', `dsm://${NAME}:${mgr.port}/`, '--only', 'time.skew'],
        { env: { NODE_EXTRA_CA_CERTS: mgr.certs.caFile } },
      );
      const c = check(r.json, 'time.skew');
      expect(c.status, c.detail).toBe('warn');
      expect(c.class).toBe('clock');
      expect(c.detailRef.key).toBe('doctor.time.cannotTell');
      expect(c.detail).toMatch(/disagree by 1[12]\d\.\d s \(the manager's clock is ahead\)/);
      expect(c.remedy).toContain('--ntp-server');
      expect(c.remedy).toContain(NAME);
    } finally {
      await mgr.close();
    }
  });

  it('doctor --fix --out: this clock wrong and a missing hosts line become a plan (time-sync and hosts steps) that apply runs and revert undoes', async () => {
    const NAME = 'dsm-fix.test';
    const chronyConf = 'pool 2.rhel.pool.ntp.org iburst\ndriftfile /var/lib/chrony/drift\n';
    const root = makeRoot({
      ...OS_RELEASE.el9,
      hosts: '127.0.0.1 localhost\n',
      files: {
        'etc/chrony.conf': chronyConf,
        // What systemctl and chronyc answer (chrony's `makestep` prints `200 OK`).
        '.sandbox/exec-replies.json': JSON.stringify([
          { command: 'systemctl', args: ['is-enabled'], stdout: 'enabled\n' },
          { command: 'systemctl', args: ['is-active'], stdout: 'active\n' },
          { command: 'systemctl', args: ['restart'] },
          { command: 'systemctl', args: ['try-restart'] },
          { command: 'chronyc', args: ['makestep'], stdout: '200 OK\n' },
        ]),
      },
    });
    const portal = join(root, 'VMSecurity_hosts_cln.txt');
    writeFileSync(portal, `${NTP_ADDR}\t${NAME}\r\n`);
    const plan = join(root, 'plan.json');
    const r = await execa(
      'faketime',
      [
        '-f',
        '+10m',
        process.execPath,
        CLI,
        'doctor',
        '--root',
        root,
        '--hosts-file',
        portal,
        '--ntp-server',
        `${NTP_ADDR}:${port}`,
        '--only',
        'time.skew',
        '--only',
        'hosts.entries',
        '--fix',
        '--out',
        plan,
      ],
      { reject: false, env: { LANG: 'C' } },
    );
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toContain(`Plan written to ${plan} (steps: hosts, time-sync)`);
    expect(r.stdout).toContain(`dsa-setup apply --plan ${plan}`);
    const doc = JSON.parse(readFileSync(plan, 'utf8')) as {
      steps: {
        id: string;
        changes: { kind: string; path?: string; diff?: string[]; command?: string; args?: string[] }[];
      }[];
    };
    expect(doc.steps.map((x) => x.id)).toEqual(['hosts', 'time-sync']);
    const sync = doc.steps[1]!;
    expect(sync.changes.find((c) => c.kind === 'file')).toMatchObject({
      path: '/etc/chrony.conf',
      diff: ['+ # dsa-setup: time-sync', `+ server ${NTP_ADDR} port ${port} iburst`],
    });
    expect(
      sync.changes.filter((c) => c.kind === 'command').map((c) => [c.command, ...(c.args ?? [])].join(' ')),
    ).toEqual(['systemctl is-enabled chronyd', 'systemctl restart chronyd', 'chronyc makestep']);
    const applied = await execa(process.execPath, [CLI, 'apply', '--root', root, '--plan', plan, '--yes', '--json'], {
      reject: false,
      env: { LANG: 'C' },
    });
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(readFileSync(join(root, 'etc/chrony.conf'), 'utf8')).toBe(
      `${chronyConf}# dsa-setup: time-sync\nserver ${NTP_ADDR} port ${port} iburst\n`,
    );
    const reverted = await execa(process.execPath, [CLI, 'revert', '--root', root, '--yes', '--json'], {
      reject: false,
      env: { LANG: 'C' },
    });
    expect(reverted.exitCode, reverted.stderr).toBe(0);
    expect(readFileSync(join(root, 'etc/chrony.conf'), 'utf8')).toBe(chronyConf);
    // Reverted: chronyd restarted with its original configuration.
    const log = readFileSync(join(root, '.sandbox/exec-log.jsonl'), 'utf8');
    expect(log).toContain('"command":"systemctl","args":["try-restart","chronyd"]');
  });

  it("doctor --fix lists what only others can fix: the manager's clock, with who must act", async () => {
    const NAME = 'dsm-fix-manager.test';
    const mgr = await startStandInManager({ host: NTP_ADDR, names: [NAME], dateOffsetMs: 600_000 });
    try {
      const root = makeRoot({ ...OS_RELEASE.el9, hosts: `${NTP_ADDR} ${NAME}\n` });
      const plan = join(root, 'plan.json');
      const r = await execa(
        process.execPath,
        [
          CLI,
          'doctor',
          '--root',
          root,
          '--manager',
          `dsm://${NAME}:${mgr.port}/`,
          '--ntp-server',
          `${NTP_ADDR}:${port}`,
          '--only',
          'time.skew',
          '--fix',
          '--out',
          plan,
        ],
        { reject: false, env: { LANG: 'C', NODE_EXTRA_CA_CERTS: mgr.certs.caFile } },
      );
      expect(r.stdout).toContain('Nothing found that this machine can fix');
      expect(r.stdout).toContain(
        `time.skew: the manager's administrator — synchronise the clock of the manager ${NAME}`,
      );
      expect((JSON.parse(readFileSync(plan, 'utf8')) as { steps: unknown[] }).steps).toEqual([]);
    } finally {
      await mgr.close();
    }
  });
});
