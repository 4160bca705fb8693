import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSystemContext } from '../../main/core/system.js';
import { planFromOptions } from '../../main/core/steps/requests.js';
import { buildPlan } from '../../main/core/engine/plan.js';
import { applyPlan } from '../../main/core/engine/apply.js';
import { pickRun, revertRun } from '../../main/core/engine/revert.js';
import { readEvents, runsDir } from '../../main/core/engine/journal.js';
import { activateAgent } from '../../main/core/agent/activate.js';
import { activationRequest } from '../../main/core/agent/activationRequest.js';
import type { Message } from '../../main/core/steps/types.js';
import { cleanupRoots, makeRoot, OS_RELEASE } from '../helpers/sandbox.js';
import { buildAgentRpm } from '../fixtures/agent/packages.js';
import { installStandIn, makeAgentRoot, setStandIn } from '../fixtures/agent/sandbox.js';

let work: string;
let rpm: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), `dsa-jobs-${process.pid}-`));
  rpm = buildAgentRpm({ platform: 'RedHat_EL8', version: '20.0.0', build: '2395' });
});
afterAll(() => {
  vi.useRealTimers();
  cleanupRoots();
  rmSync(work, { recursive: true, force: true });
});

function portal(name: string, address: string): string {
  const f = join(work, `portal-${name}.txt`);
  writeFileSync(f, `${address}\t${name}.vmsecurity.example.jp\t${name}\n`);
  return f;
}

describe('runs ordered by sequence, not by time', () => {
  it('two applies in the same second, then two reverts: the original file is back', async () => {
    const original = '127.0.0.1 localhost\n192.168.1.20 fileserver\n';
    const root = makeRoot({ ...OS_RELEASE.el8, hosts: original });
    const sys = createSystemContext({ root });
    // The clock stands still: both runs get the same timestamp, so only the sequence number can order them.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-30T12:00:00.000Z'));
    try {
      const a = await applyPlan(sys, await planFromOptions(sys, { hostsFile: portal('samea', '192.0.2.1') }));
      const b = await applyPlan(sys, await planFromOptions(sys, { hostsFile: portal('sameb', '192.0.2.2') }));
      expect(a.runId!.slice(0, 16)).toBe(b.runId!.slice(0, 16));
      expect(pickRun(sys)).toBe(b.runId);
      await revertRun(sys, pickRun(sys));
      expect(pickRun(sys)).toBe(a.runId);
      await revertRun(sys, pickRun(sys));
    } finally {
      vi.useRealTimers();
    }
    expect(readFileSync(join(root, 'etc/hosts'), 'utf8')).toBe(original);
  });
});

describe('progress belongs to the job that reports it', () => {
  it('an activation running during an apply keeps its own journal; neither sees the other’s progress', async () => {
    // The apply installs the agent and waits for its service (which starts 3 s late), reporting progress.
    const applyRoot = makeAgentRoot();
    setStandIn(applyRoot, 'start-delay', '3');
    const applySys = createSystemContext({ root: applyRoot });
    const plan = await buildPlan(applySys, [{ stepId: 'install', input: { installer: rpm, serviceWaitSec: 20 } }]);
    // The activation runs on another system with the agent installed and running, to a manager that refuses.
    const actRoot = makeAgentRoot();
    installStandIn(actRoot, rpm);
    const actSys = createSystemContext({ root: actRoot });
    const file = join(work, 'activation.txt');
    writeFileSync(file, '/opt/ds_agent/dsa_control -a dsm://127.0.0.1:9/\r\n');
    const req = await activationRequest(actSys, { activationFile: file });

    const applySeen: Message[] = [];
    const actSeen: Message[] = [];
    const applying = applyPlan(applySys, plan, { onProgress: (_s, m) => applySeen.push(m) });
    await new Promise((r) => setTimeout(r, 1500));
    const activation = await activateAgent(actSys, req, {
      reset: false,
      retries: 0,
      retryDelaySec: 0,
      timeoutSec: 20,
      contactWaitSec: 0,
      progress: (m) => actSeen.push(m),
    });
    const applied = await applying;
    expect(applied.ok, JSON.stringify(applied.steps)).toBe(true);
    expect(activation.ok).toBe(false);

    const progressOf = (root: string, runId: string): string[] =>
      readEvents(join(runsDir(createSystemContext({ root })), runId)).flatMap((e) =>
        e.type === 'step.progress' ? [e.key] : [],
      );
    const applyKeys = progressOf(applyRoot, applied.runId!);
    const actKeys = progressOf(actRoot, activation.runId);
    expect(applyKeys.length).toBeGreaterThan(0);
    expect(actKeys).toContain('agent.activate.attempt');
    expect(applyKeys.every((k) => k.startsWith('agent.install.'))).toBe(true);
    expect(actKeys.every((k) => k.startsWith('agent.activate.'))).toBe(true);
    expect(applySeen.every((m) => m.key.startsWith('agent.install.'))).toBe(true);
    expect(actSeen.map((m) => m.key)).toEqual(actKeys);
  }, 120_000);
});
