import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createServer, type Server } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCliJson } from '../helpers/cli.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import type { DoctorCheck, DoctorResult } from '../../main/core/doctor/types.js';

// The agent's log replaced by something that is not a regular file: the doctor never says "no agent log" (the
// agent is not installed) nor "no known failure" (a clean log) about a log it could not read.

const JA = /[\u3040-\u30ff\u4e00-\u9fff]/;
const DIAG = 'var/opt/ds_agent/diag';
const servers: Server[] = [];
afterAll(() => {
  servers.forEach((s) => s.close());
  cleanupRoots();
});

const check = (r: DoctorResult, id: string): DoctorCheck => r.checks.find((c) => c.id === id)!;

async function agentLog(root: string, lang: 'en' | 'ja' = 'en'): Promise<DoctorCheck> {
  const r = await runCliJson<DoctorResult>(['doctor', '--root', root, '--only', 'agent.log', '--lang', lang]);
  return check(r.json, 'agent.log');
}

describe('agent.log: a log that is there but cannot be read', () => {
  it('a named pipe in place of ds_agent.log: a warning naming it, not "no agent log", and no hang', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    mkdirSync(join(root, DIAG), { recursive: true });
    await execa('mkfifo', [join(root, DIAG, 'ds_agent.log')]);
    for (const lang of ['en', 'ja'] as const) {
      const c = await agentLog(root, lang);
      expect(c.status).toBe('warn');
      expect(c.detailRef.key).toBe('doctor.agentLog.unread');
      expect(c.detail).toContain('/var/opt/ds_agent/diag/ds_agent.log');
      if (lang === 'en') {
        expect(c.detail).toContain('a named pipe (FIFO)');
        expect(c.remedy).toContain('sudo systemctl restart ds_agent');
      } else expect(c.remedy).toMatch(JA);
    }
  });

  it('a socket in place of ds_agent.log (it cannot even be opened) is named as a socket', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    mkdirSync(join(root, DIAG), { recursive: true });
    const s = createServer();
    servers.push(s);
    await new Promise<void>((resolve) => s.listen(join(root, DIAG, 'ds_agent.log'), resolve));
    const c = await agentLog(root);
    expect(c.status).toBe('warn');
    expect(c.detail).toContain('/var/opt/ds_agent/diag/ds_agent.log (a socket)');
  });

  it('a folder in place of ds_agent.log, the other logs clean: a warning that the log was not fully judged, never a pass', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el9,
      hosts: '127.0.0.1 localhost\n',
      files: { [`${DIAG}/ds_am.log`]: '2026-11-23 09:00:00 [info] started\n' },
    });
    mkdirSync(join(root, DIAG, 'ds_agent.log'), { recursive: true });
    const c = await agentLog(root);
    expect(c.status).toBe('warn');
    expect(c.detailRef.key).toBe('doctor.agentLog.partlyUnread');
    expect(c.detail).toContain('/var/opt/ds_agent/diag/ds_agent.log (a folder, not a file)');
    expect(c.detail).toContain('/var/opt/ds_agent/diag/ds_am.log');
  });

  it('a known failure in a readable log is still found when another log cannot be read', async () => {
    const root = makeRoot({
      ...OS_RELEASE.el9,
      hosts: '127.0.0.1 localhost\n',
      files: { [`${DIAG}/ds_am.log`]: '2026-11-23 09:00:05 [error] Event ID: 4012 Heartbeat Server Failed\n' },
    });
    await execa('mkfifo', [join(root, DIAG, 'ds_agent.log')]);
    const c = await agentLog(root);
    expect(c).toMatchObject({ status: 'fail', class: 'tcp' });
    expect(c.detail).toContain('4012');
  });

  it('no log at all is still "no agent log" (a skip)', async () => {
    const root = makeRoot({ ...OS_RELEASE.el9, hosts: '127.0.0.1 localhost\n' });
    const c = await agentLog(root);
    expect(c.status).toBe('skip');
    expect(c.detailRef.key).toBe('doctor.agentLog.none');
  });
});

describe("agent.log: a remedy's reset is this platform's command", () => {
  const line = '2026-11-23 09:00:05 [error] HTTP Status: 403 - Forbidden - untrusted peer\n';
  it("an untrusted peer: not 'check the token'; the reset with sudo on Linux, dsa_control.cmd on Windows", async () => {
    const linux = makeRoot({
      ...OS_RELEASE.el9,
      hosts: '127.0.0.1 localhost\n',
      files: { [`${DIAG}/ds_agent.log`]: line },
    });
    const c = await agentLog(linux);
    expect(c).toMatchObject({ status: 'fail', class: 'agent' });
    expect(c.detail).toContain('untrusted peer');
    expect(c.remedy).toContain('sudo /opt/ds_agent/dsa_control -r');
    const windows = makeRoot({
      windows: true,
      hosts: '127.0.0.1 localhost\r\n',
      files: { 'ProgramData/Trend Micro/Deep Security Agent/diag/ds_agent.log': line },
    });
    const w = await agentLog(windows, 'ja');
    expect(w).toMatchObject({ status: 'fail', class: 'agent' });
    expect(w.remedy).toContain('dsa_control.cmd');
    expect(w.remedy).not.toContain('sudo');
    expect(w.remedy).toMatch(JA);
  });
});
