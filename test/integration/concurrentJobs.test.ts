import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRoots } from '../helpers/sandbox.js';
import { startStandInManager, type StandInManager } from '../fixtures/manager/standInManager.js';
import { makeCertificates, type CertSet } from '../fixtures/manager/certs.js';
import { buildAgentRpm } from '../fixtures/agent/packages.js';
import { installStandIn, makeAgentRoot, uniqueLoopback } from '../fixtures/agent/sandbox.js';
import { createSystemContext } from '../../main/core/system.js';
import { buildPlan } from '../../main/core/engine/plan.js';
import { stepRequests } from '../../main/core/steps/requests.js';
import { jobArgs, runJob } from '../../main/core/application/jobs.js';
import type { ApplyOutcome } from '../../main/core/engine/apply.js';
import type { ActivationRun } from '../../main/core/application/activation.js';
import type { Message } from '../../main/core/message.js';

let dir: string;
let certs: CertSet;
let host: string;
let rpm: string;
let manager: StandInManager;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dsa-jobs-'));
  host = uniqueLoopback();
  certs = makeCertificates({ names: ['dsm.test'], ips: [host] });
  rpm = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395', outDir: dir });
  manager = await startStandInManager({ host, certs });
});
afterAll(async () => {
  await manager?.close();
  cleanupRoots();
  rmSync(dir, { recursive: true, force: true });
});

describe('each job has its own progress context', () => {
  it('an activation running during an apply keeps its own journal and its own progress stream', async () => {
    const root = makeAgentRoot({ caPem: certs.caPem, hosts: `127.0.0.1 localhost\n${host} dsm.test\n` });
    installStandIn(root, rpm);
    mkdirSync(join(root, '.sandbox'), { recursive: true });
    writeFileSync(
      join(root, '.sandbox/exec-replies.json'),
      JSON.stringify([{ command: 'sysctl', args: ['--system'] }]),
    );
    const sys = createSystemContext({ root });
    const portal = join(dir, 'VMSecurity_hosts_cln.txt');
    writeFileSync(portal, '203.0.113.10 dsm01.example.jp\r\n');
    const activationFile = join(dir, 'cln12345_Activation_Command (1).txt');
    writeFileSync(activationFile, `/opt/ds_agent/dsa_control -a dsm://dsm.test:${manager.port}/ "hostname:vm01"\n`);
    // The manager answers slowly, so the activation is still waiting while the apply runs.
    manager.setMode('slow', 1_500);

    const activationProgress: Message[] = [];
    const applyProgress: Message[] = [];
    let attempted!: () => void;
    const attempting = new Promise<void>((r) => (attempted = r));
    const activation = runJob(sys, jobArgs(sys, 'en', { kind: 'activate', activationFile, reset: false }), {
      progress: (m) => {
        activationProgress.push(m);
        if (m.key === 'agent.activate.attempt') attempted();
      },
    });
    await attempting;
    const plan = await buildPlan(sys, await stepRequests({ hostsFile: portal, disableIpv6: true }));
    const applied = (await runJob(sys, jobArgs(sys, 'en', { kind: 'apply', plan }), {
      progress: (m) => applyProgress.push(m),
    })) as ApplyOutcome;
    const activated = (await activation) as ActivationRun;
    manager.setMode('success');

    expect(applied.ok).toBe(true);
    expect(activated.ok).toBe(true);
    expect(applied.runId).not.toBe(activated.runId);
    // Each stream holds its own job's messages only.
    expect(activationProgress.map((m) => m.key)).toContain('agent.activate.attempt');
    expect(applyProgress.filter((m) => m.key.startsWith('agent.activate.'))).toEqual([]);
    // Each journal holds its own job's events only.
    const applyJournal = readFileSync(join(applied.journalDir!, 'events.jsonl'), 'utf8');
    const activationJournal = readFileSync(join(activated.journalDir, 'events.jsonl'), 'utf8');
    expect(applyJournal).not.toContain('agent.activate.');
    expect(activationJournal).toContain('agent.activate.attempt');
    expect(activationJournal).not.toContain('/etc/hosts');
  });
});
